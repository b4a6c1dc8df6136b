import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { canBeLookupField, describeLeadFields, listPartitions } from '../api/metadata';

/** Fields Marketo can find existing leads by. */
export async function getLookupFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const fields = await describeLeadFields(this);
	return fields
		.filter(canBeLookupField)
		.map((field) => ({
			name: `${field.displayName} (${field.name})`,
			value: field.name,
			description:
				field.name === 'id'
					? 'Update only: rows whose lead ID does not exist fail'
					: `Insert new leads, update leads with the same ${field.displayName}`,
		}))
		.sort((a, b) => (a.value === 'email' ? -1 : b.value === 'email' ? 1 : a.name.localeCompare(b.name)));
}

export async function getPartitions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const partitions = await listPartitions(this);
	return partitions.map((partition) => ({
		name: String(partition.name),
		value: String(partition.name),
		description: partition.description ? String(partition.description) : undefined,
	}));
}
