import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import {
	canBeLookupField,
	describeLeadFields,
	getProgram,
	listChannels,
	listCustomObjects,
	listPartitions,
	listPrograms,
} from '../api/metadata';

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

/**
 * Lead partitions. With one, the list says so: there is nothing to choose, and the option
 * changes nothing (Marketo asks for a partition only when there are several).
 */
export async function getPartitions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const partitions = await listPartitions(this);
	if (partitions.length === 1) {
		const [only] = partitions;
		return [
			{
				name: `${String(only.name)} (the only partition)`,
				value: String(only.name),
				description: 'This Marketo instance has one lead partition, so every lead goes into it: this option changes nothing',
			},
		];
	}
	return partitions.map((partition) => ({
		name: String(partition.name),
		value: String(partition.name),
		description: partition.description ? String(partition.description) : undefined,
	}));
}

/** Custom object types, by API name. */
export async function getCustomObjects(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const objects = await listCustomObjects(this);
	return objects
		.map((object) => ({
			name: `${String(object.displayName ?? object.name)} (${String(object.name)})`,
			value: String(object.name),
			description: object.description ? String(object.description) : undefined,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getPrograms(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const programs = await listPrograms(this);
	return programs
		.map((program) => ({
			name: String(program.name),
			value: String(program.id),
			description: [program.type, program.channel].filter(Boolean).join(', ') || undefined,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** The statuses of the chosen program's channel. */
export async function getProgramStatuses(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const programId = String(this.getCurrentNodeParameter('programId') ?? '').trim();
	if (programId === '' || programId.startsWith('=')) return [];
	const program = await getProgram(this, programId);
	if (program === undefined) return [];
	const channel = (await listChannels(this)).find((c) => c.name === program.channel);
	const statuses = (channel?.progressionStatuses ?? []) as Array<{ name?: unknown; description?: unknown }>;
	return statuses.map((status) => ({
		name: String(status.name),
		value: String(status.name),
		description: status.description ? String(status.description) : undefined,
	}));
}
