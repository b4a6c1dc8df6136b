import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { describeLeadFields } from '../api/metadata';

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
					// Every field is offered as text: n8n turns an empty number field into 0 and an
					// empty boolean into false, which would overwrite data in Marketo. The node
					// converts by Marketo's own type instead, and leaves empty cells empty.
					type: 'string',
				}),
			),
	};
}
