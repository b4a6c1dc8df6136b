import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import type { LeadField } from '../api/metadata';
import {
	customObjectImportFields,
	describeCustomObject,
	describeLeadFields,
	describeProgramMemberImportFields,
} from '../api/metadata';

/** `Email Address (email)`, or just `vin` when Marketo's display name is the API name. */
function label(field: LeadField): string {
	return field.displayName === field.name ? field.name : `${field.displayName} (${field.name})`;
}

/**
 * One field of "Fields to Send". A required field is one Marketo identifies a row by: n8n marks
 * it, keeps it in the mapping and flags the node while it has no value. (An item whose value is
 * empty is still sent, and fails alone in Marketo: see itemsInput.)
 */
function mapperField(field: LeadField, displayName: string, required = false): ResourceMapperField {
	return {
		id: field.name,
		displayName,
		required,
		defaultMatch: required,
		canBeUsedToMatch: false,
		display: true,
		// Every field is offered as text: n8n turns an empty number field into 0 and an
		// empty boolean into false, which would overwrite data in Marketo. The node
		// converts by Marketo's own type instead, and leaves empty cells empty.
		type: 'string',
	};
}

/** A field Marketo finds existing records by, named so in the list. */
const dedupeLabel = (field: LeadField) => `${label(field)}, dedupe field`;

/** Writable lead fields, for "Fields to Send". Read-only fields are left out. */
export async function getLeadFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const fields = await describeLeadFields(this);
	return {
		fields: fields
			// id stays: it is how an update-only import (Lookup Field: id) names its leads.
			.filter((field) => !field.readOnly || field.name === 'id')
			.map((field) => ({ ...mapperField(field, label(field)), defaultMatch: field.name === 'email' })),
	};
}

/**
 * The chosen custom object's writable fields, its dedupe fields first and required: Marketo
 * fails every row without them. None until an object is chosen from the list.
 */
export async function getCustomObjectFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const apiName = String(this.getCurrentNodeParameter('customObjectName') ?? '').trim();
	if (apiName === '' || apiName.startsWith('=')) {
		return {
			fields: [],
			emptyFieldsNotice:
				'Choose a custom object from the list in "Custom Object Name or ID" to see its fields. With an expression there, use Map Automatically.',
		};
	}
	const description = await describeCustomObject(this, apiName);
	return {
		fields: customObjectImportFields(description).map((field) =>
			description.dedupeFields.includes(field.name)
				? mapperField(field, dedupeLabel(field), true)
				: mapperField(field, label(field)),
		),
	};
}

/**
 * What a program member import accepts: email first and required (Marketo finds or creates each
 * member's lead by it), then the program member fields, then the other writable lead fields.
 */
export async function getProgramMemberFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const fields = await describeProgramMemberImportFields(this);
	const email = fields.filter((field) => field.name === 'email' && !field.memberField);
	const member = fields.filter((field) => field.memberField);
	const lead = fields.filter((field) => !field.memberField && field.name !== 'email');
	return {
		fields: [
			...email.map((field) => mapperField(field, dedupeLabel(field), true)),
			...member.map((field) => mapperField(field, `Program Member: ${label(field)}`)),
			...lead.map((field) => mapperField(field, label(field))),
		],
	};
}
