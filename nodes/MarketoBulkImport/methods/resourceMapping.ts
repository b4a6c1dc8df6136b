import type { FieldType, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { describeLeadFields } from '../api/metadata';

/** Marketo data types as n8n field types, so the editor validates values as the user types. */
function fieldTypeOf(dataType: string): FieldType {
	switch (dataType) {
		case 'integer':
		case 'float':
		case 'currency':
		case 'percent':
			return 'number';
		case 'boolean':
			return 'boolean';
		case 'date':
		case 'datetime':
			return 'dateTime';
		default:
			return 'string';
	}
}

/** Writable lead fields, for "Fields to Send". Read-only fields are left out. */
export async function getLeadFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const fields = await describeLeadFields(this);
	return {
		fields: fields
			// id stays: it is how an update-only import (Lookup Field: id) names its leads.
			.filter((field) => !field.readOnly || field.name === 'id')
			.map(
				(field): ResourceMapperField => ({
					id: field.name,
					displayName: `${field.displayName} (${field.name})`,
					required: false,
					defaultMatch: field.name === 'email',
					canBeUsedToMatch: false,
					display: true,
					type: fieldTypeOf(field.dataType),
				}),
			),
	};
}
