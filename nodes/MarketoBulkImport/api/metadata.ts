import type { IDataObject } from 'n8n-workflow';

import type { MarketoFunctions } from '../transport';
import type { CallOptions } from './bulkImport';
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
export async function describeLeadFields(fns: MarketoFunctions, options: CallOptions = {}): Promise<LeadField[]> {
	const describe2 = await marketoJson(fns, { method: 'GET', path: '/rest/v1/leads/describe2.json', idempotent: true, ...options }).catch(
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
	const response = await marketoJson(fns, { method: 'GET', path: '/rest/v1/leads/describe.json', idempotent: true, ...options });
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

/** Custom object types (`GET /rest/v1/customobjects.json`). */
export async function listCustomObjects(fns: MarketoFunctions): Promise<IDataObject[]> {
	const response = await marketoJson(fns, { method: 'GET', path: '/rest/v1/customobjects.json', idempotent: true });
	return response.result ?? [];
}

export interface CustomObjectDescription {
	name: string;
	dedupeFields: string[];
	fields: LeadField[];
}

/** A custom object type's fields and dedupe fields (`describe.json`). */
export async function describeCustomObject(
	fns: MarketoFunctions,
	apiName: string,
	options: CallOptions = {},
): Promise<CustomObjectDescription> {
	const response = await marketoJson(fns, {
		method: 'GET',
		path: `/rest/v1/customobjects/${encodeURIComponent(apiName)}/describe.json`,
		idempotent: true,
		...options,
	});
	const result = (response.result?.[0] ?? {}) as IDataObject;
	return {
		name: String(result.name ?? apiName),
		dedupeFields: ((result.dedupeFields ?? []) as unknown[]).map(String),
		fields: ((result.fields ?? []) as IDataObject[]).map((field) => ({
			name: String(field.name),
			displayName: String(field.displayName ?? field.name),
			dataType: String(field.dataType ?? 'string'),
			length: field.length === undefined ? undefined : Number(field.length),
			readOnly: field.updateable === false,
		})),
	};
}

/**
 * The columns a custom object import accepts: the writable fields, and the dedupe fields, which
 * identify records and are columns even when Marketo calls them read-only. Dedupe fields first.
 */
export function customObjectImportFields(description: CustomObjectDescription): LeadField[] {
	const { fields, dedupeFields } = description;
	const isDedupe = (field: LeadField) => dedupeFields.includes(field.name);
	return [
		...dedupeFields.map((name) => fields.find((field) => field.name === name)).filter((field) => field !== undefined),
		...fields.filter((field) => !field.readOnly && !isDedupe(field)),
	];
}

/** A column of a program member import: a lead field, or a field of the membership itself. */
export interface ProgramMemberImportField extends LeadField {
	memberField: boolean;
}

/**
 * The columns a program member import accepts (Marketo: "lead fields, custom lead fields and
 * program-member custom fields"): writable lead fields, then writable program member fields.
 * A member field named like a lead field is left out: Marketo reads that column as the lead's.
 */
export async function describeProgramMemberImportFields(
	fns: MarketoFunctions,
	options: CallOptions = {},
): Promise<ProgramMemberImportField[]> {
	const [leadFields, memberFields] = await Promise.all([
		describeLeadFields(fns, options),
		describeProgramMemberFields(fns, options),
	]);
	const leadColumns = leadFields.filter((field) => !field.readOnly).map((field) => ({ ...field, memberField: false }));
	const leadNames = new Set(leadColumns.map((field) => field.name));
	const memberColumns = memberFields
		.filter((field) => !field.readOnly && !leadNames.has(field.name))
		.map((field) => ({ ...field, memberField: true }));
	return [...leadColumns, ...memberColumns];
}

/** Program member fields (`GET /rest/v1/programs/members/describe.json`). */
export async function describeProgramMemberFields(fns: MarketoFunctions, options: CallOptions = {}): Promise<LeadField[]> {
	const response = await marketoJson(fns, {
		method: 'GET',
		path: '/rest/v1/programs/members/describe.json',
		idempotent: true,
		...options,
	});
	const fields = ((response.result?.[0] as IDataObject | undefined)?.fields ?? []) as IDataObject[];
	return fields.map((field) => ({
		name: String(field.name),
		displayName: String(field.displayName ?? field.name),
		dataType: String(field.dataType ?? 'string'),
		length: field.length === undefined ? undefined : Number(field.length),
		readOnly: field.updateable === false,
	}));
}

/** Every page of an Asset API list (offset paging, at most 200 per page). */
async function allAssetPages(fns: MarketoFunctions, path: string): Promise<IDataObject[]> {
	const all: IDataObject[] = [];
	for (let offset = 0; ; offset += 200) {
		const response = await marketoJson(fns, { method: 'GET', path, qs: { offset, maxReturn: 200 }, idempotent: true });
		const page = response.result ?? [];
		all.push(...page);
		if (page.length < 200) return all;
	}
}

export async function listPrograms(fns: MarketoFunctions): Promise<IDataObject[]> {
	return await allAssetPages(fns, '/rest/asset/v1/programs.json');
}

/** One program by ID, or undefined. */
export async function getProgram(fns: MarketoFunctions, programId: string): Promise<IDataObject | undefined> {
	const response = await marketoJson(fns, {
		method: 'GET',
		path: `/rest/asset/v1/program/${encodeURIComponent(programId)}.json`,
		idempotent: true,
	});
	return response.result?.[0];
}

export async function listChannels(fns: MarketoFunctions): Promise<IDataObject[]> {
	return await allAssetPages(fns, '/rest/asset/v1/channels.json');
}
