import type { IDataObject } from 'n8n-workflow';

import type { MarketoFunctions } from '../transport';
import { marketoJson } from '../transport';

/** A lead field as describe2 (or describe) reports it, flattened. */
export interface LeadField {
	name: string;
	displayName: string;
	dataType: string;
	length?: number;
	readOnly: boolean;
}

/**
 * Standard fields Marketo accepts as `lookupField`; custom string, email and integer
 * fields are accepted too (Marketo's swagger for Import Leads).
 */
export const STANDARD_LOOKUP_FIELDS = [
	'id',
	'cookies',
	'email',
	'twitterId',
	'facebookId',
	'linkedInId',
	'sfdcAccountId',
	'sfdcContactId',
	'sfdcLeadId',
	'sfdcLeadOwnerId',
	'sfdcOpptyId',
];

/** Lead fields, from describe2 (current) and, if that fails, describe (older instances). */
export async function describeLeadFields(fns: MarketoFunctions): Promise<LeadField[]> {
	const describe2 = await marketoJson(fns, { method: 'GET', path: '/rest/v1/leads/describe2.json', idempotent: true }).catch(
		(error: { httpCode?: string }) => {
			// Only an instance without describe2 (610, 404) falls back; other refusals are real.
			if (error.httpCode === '610' || error.httpCode === '404') return undefined;
			throw error;
		},
	);
	const fields2 = (describe2?.result?.[0]?.fields ?? []) as IDataObject[];
	if (fields2.length > 0) {
		return fields2.map((field) => ({
			name: String(field.name),
			displayName: String(field.displayName ?? field.name),
			dataType: String(field.dataType ?? 'string'),
			length: field.length === undefined ? undefined : Number(field.length),
			readOnly: field.updateable === false,
		}));
	}
	const response = await marketoJson(fns, { method: 'GET', path: '/rest/v1/leads/describe.json', idempotent: true });
	return (response.result ?? [])
		.filter((field) => (field.rest as IDataObject | undefined)?.name)
		.map((field) => {
			const rest = field.rest as IDataObject;
			return {
				name: String(rest.name),
				displayName: String(field.displayName ?? rest.name),
				dataType: String(field.dataType ?? 'string'),
				length: field.length === undefined ? undefined : Number(field.length),
				readOnly: rest.readOnly === true,
			};
		});
}

/**
 * Standard string/integer fields that are *not* allowed as lookup fields (Marketo answers
 * 1011). Describe does not say which fields are custom, so custom fields are recognised
 * as the string, email and integer fields outside this list.
 */
const STANDARD_NON_LOOKUP_FIELDS = new Set([
	'firstName', 'lastName', 'middleName', 'salutation', 'title', 'company', 'phone', 'mobilePhone', 'fax',
	'address', 'city', 'state', 'country', 'postalCode', 'website', 'industry', 'leadSource', 'leadStatus',
	'department', 'rating', 'leadRole', 'leadScore', 'numberOfEmployees', 'annualRevenue', 'sicCode',
	'billingStreet', 'billingCity', 'billingState', 'billingCountry', 'billingPostalCode', 'mainPhone',
	'site', 'anonymousIP', 'unsubscribedReason', 'dateOfBirth', 'externalCompanyId', 'externalSalesPersonId',
	'leadPartitionId', 'leadPerson', 'mktoName', 'personType', 'personTimeZone', 'priority', 'urgency',
	'relativeScore', 'relativeUrgency', 'doNotCallReason', 'emailInvalidCause', 'contactCompany',
]);

export function canBeLookupField(field: LeadField): boolean {
	if (STANDARD_LOOKUP_FIELDS.includes(field.name)) return true;
	if (field.readOnly || STANDARD_NON_LOOKUP_FIELDS.has(field.name)) return false;
	if (/^(sfdc|ms|inferred|original|registration|acquisition)/i.test(field.name)) return false;
	return ['string', 'email', 'integer'].includes(field.dataType);
}

export async function listPartitions(fns: MarketoFunctions): Promise<IDataObject[]> {
	const response = await marketoJson(fns, { method: 'GET', path: '/rest/v1/leads/partitions.json', idempotent: true });
	return response.result ?? [];
}

/** One page of static lists from the Asset API (offset paging, at most 200 per page). */
export async function listStaticLists(
	fns: MarketoFunctions,
	offset: number,
	maxReturn = 200,
): Promise<IDataObject[]> {
	const response = await marketoJson(fns, {
		method: 'GET',
		path: '/rest/asset/v1/staticLists.json',
		qs: { offset, maxReturn },
		idempotent: true,
	});
	// Marketo answers "no assets found" with a warning and no result at all.
	return response.result ?? [];
}
