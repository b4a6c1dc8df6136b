 
/**
 * Marketo data model of the emulator (reference §7.4): lead fields, partitions, static lists,
 * channels/programs, custom object types, program-member fields, default values, value
 * validation per dataType, and the in-memory stores (leads with list memberships, custom
 * object records, program members).
 */
import { randomUUID } from 'node:crypto';

import type { Clock } from './limits';
import type { ResolvedOptions } from './options';

export interface LeadField {
	id: number;
	displayName: string;
	dataType: string;
	length?: number;
	restName: string;
	restReadOnly: boolean;
	soapName?: string;
	soapReadOnly?: boolean;
	searchable: boolean;
	updateable: boolean;
	/** Custom field: allowed as lookupField when of type string, email or integer. */
	custom?: boolean;
	crmManaged?: boolean;
}

export interface Partition {
	id: number;
	name: string;
	description?: string;
}

export interface Folder {
	id: number;
	type: 'Folder' | 'Program';
}

export interface StaticList {
	id: number;
	name: string;
	description?: string;
	programName?: string;
	workspaceName?: string;
	createdAt?: string;
	updatedAt?: string;
	folder?: Folder;
	computedUrl?: string;
}

export interface ProgressionStatus {
	name: string;
	step: number;
	success?: boolean;
	hidden?: boolean;
	description?: string;
}

export interface Channel {
	id: number;
	name: string;
	applicableProgramType: string;
	progressionStatuses: ProgressionStatus[];
	createdAt?: string;
	updatedAt?: string;
}

export interface Program {
	id: number;
	name: string;
	description?: string;
	type?: string;
	/** Channel name; the program's valid statuses are that channel's progressionStatuses. */
	channel: string;
	/** Overrides the channel's statuses when given. */
	progressionStatuses?: ProgressionStatus[];
	status?: string;
	workspace?: string;
	folder?: Folder;
	createdAt?: string;
	updatedAt?: string;
}

export interface CustomObjectField {
	name: string;
	displayName: string;
	dataType: string;
	length?: number;
	updateable?: boolean;
}

export interface CustomObjectType {
	/** API name, e.g. `car_c` (matched case-insensitively in bulk paths). */
	name: string;
	displayName: string;
	pluralName?: string;
	description?: string;
	idField?: string;
	dedupeFields: string[];
	searchableFields?: string[][];
	relationships?: unknown[];
	fields: CustomObjectField[];
	createdAt?: string;
	updatedAt?: string;
}

export interface ProgramMemberField {
	name: string;
	displayName: string;
	dataType: string;
	length?: number;
	updateable: boolean;
	crmManaged?: boolean;
}

/**
 * A lead as exposed by `leads()`: every stored field value at the top level (id, email, …,
 * createdAt, updatedAt, leadPartitionId), plus `partitionName` and `listIds` (static list
 * memberships).
 */
export type Lead = {
	id: number;
	leadPartitionId: number;
	partitionName: string;
	listIds: number[];
	[field: string]: unknown;
};

export interface CustomObjectRecord {
	marketoGUID: string;
	seq: number;
	fields: Record<string, unknown>;
	createdAt: string;
	updatedAt: string;
}

export interface ProgramMembership {
	leadId: number;
	programId: number;
	progressionStatus: string;
	membershipDate: string;
	fields: Record<string, unknown>;
}

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

const SEED_TIME = '2026-01-15T10:00:00Z';

function field(
	id: number,
	restName: string,
	displayName: string,
	dataType: string,
	extra: Partial<LeadField> = {},
): LeadField {
	return {
		id,
		displayName,
		dataType,
		restName,
		restReadOnly: false,
		searchable: false,
		updateable: true,
		...extra,
	};
}

export function defaultLeadFields(): LeadField[] {
	return [
		field(44, 'id', 'Id', 'integer', { soapName: 'Id', searchable: true, updateable: false }),
		field(56, 'email', 'Email Address', 'email', { length: 255, soapName: 'Email', searchable: true }),
		field(31, 'firstName', 'First Name', 'string', { length: 255, soapName: 'FirstName' }),
		field(32, 'lastName', 'Last Name', 'string', { length: 255, soapName: 'LastName' }),
		field(2, 'company', 'Company Name', 'string', { length: 255, soapName: 'Company' }),
		field(37, 'leadScore', 'Lead Score', 'integer', { soapName: 'LeadScore' }),
		field(58, 'phone', 'Phone Number', 'phone', { length: 255, soapName: 'Phone' }),
		field(51, 'title', 'Job Title', 'string', { length: 255, soapName: 'Title' }),
		field(10, 'website', 'Website', 'url', { length: 255, soapName: 'Website' }),
		field(18, 'city', 'City', 'string', { length: 255, soapName: 'City' }),
		field(19, 'state', 'State', 'string', { length: 255, soapName: 'State' }),
		field(20, 'country', 'Country', 'string', { length: 255, soapName: 'Country' }),
		field(21, 'postalCode', 'Postal Code', 'string', { length: 255, soapName: 'PostalCode' }),
		field(9, 'annualRevenue', 'Annual Revenue', 'currency', { soapName: 'AnnualRevenue' }),
		field(11, 'numberOfEmployees', 'Num Employees', 'integer', { soapName: 'NumberOfEmployees' }),
		field(70, 'unsubscribed', 'Unsubscribed', 'boolean', { soapName: 'Unsubscribed' }),
		field(130, 'createdAt', 'Created At', 'datetime', { restReadOnly: true, updateable: false }),
		field(131, 'updatedAt', 'Updated At', 'datetime', { restReadOnly: true, updateable: false }),
		field(132, 'mktoName', 'Full Name', 'string', { length: 255, restReadOnly: true, updateable: false }),
		field(47, 'cookies', 'Cookies', 'string', { length: 255, searchable: true }),
		field(140, 'externalCompanyId', 'External Company Id', 'string', { length: 100, searchable: true }),
		field(141, 'externalSalesPersonId', 'External Sales Person Id', 'string', { length: 100 }),
		field(142, 'leadPartitionId', 'Lead Partition Id', 'integer', { updateable: true }),
		field(1001, 'customText', 'Custom Text', 'string', { length: 255, custom: true, searchable: true }),
		field(1002, 'customInt', 'Custom Int', 'integer', { custom: true }),
		field(1003, 'customFloat', 'Custom Float', 'float', { custom: true }),
		field(1004, 'customBool', 'Custom Bool', 'boolean', { custom: true }),
		field(1005, 'customDate', 'Custom Date', 'date', { custom: true }),
		field(1006, 'customDateTime', 'Custom Date Time', 'datetime', { custom: true }),
		field(1007, 'customEmail', 'Custom Email', 'email', { length: 255, custom: true }),
		field(1008, 'customCurrency', 'Custom Currency', 'currency', { custom: true }),
		field(1009, 'customPercent', 'Custom Percent', 'percent', { custom: true }),
		field(1010, 'customShortText', 'Custom Short Text', 'string', { length: 10, custom: true }),
	];
}

export function defaultPartitions(): Partition[] {
	return [{ id: 1, name: 'Default', description: 'Initial system lead partition' }];
}

export function defaultChannels(): Channel[] {
	return [
		{
			id: 1,
			name: 'Webinar',
			applicableProgramType: 'event',
			progressionStatuses: [
				{ name: 'Not in Program', step: 0, success: false, hidden: false, description: '' },
				{ name: 'Invited', step: 10, success: false, hidden: false, description: '' },
				{ name: 'Registered', step: 20, success: false, hidden: false, description: '' },
				{ name: 'No Show', step: 30, success: false, hidden: false, description: '' },
				{ name: 'Attended', step: 30, success: true, hidden: false, description: '' },
				{ name: 'Attended On-demand', step: 30, success: true, hidden: false, description: '' },
			],
			createdAt: SEED_TIME,
			updatedAt: SEED_TIME,
		},
		{
			id: 2,
			name: 'Email Blast',
			applicableProgramType: 'email',
			progressionStatuses: [
				{ name: 'Not in Program', step: 0, success: false, hidden: false, description: '' },
				{ name: 'Member', step: 10, success: false, hidden: false, description: '' },
				{ name: 'Engaged', step: 20, success: true, hidden: false, description: '' },
			],
			createdAt: SEED_TIME,
			updatedAt: SEED_TIME,
		},
		{
			id: 3,
			name: 'Operational',
			applicableProgramType: 'program',
			progressionStatuses: [
				{ name: 'Not in Program', step: 0, success: false, hidden: false, description: '' },
				{ name: 'On List', step: 10, success: false, hidden: false, description: '' },
				{ name: 'Member', step: 20, success: true, hidden: false, description: '' },
			],
			createdAt: SEED_TIME,
			updatedAt: SEED_TIME,
		},
	];
}

export function defaultProgramMemberFields(): ProgramMemberField[] {
	const ro = (name: string, dataType: string): ProgramMemberField => ({
		name,
		displayName: name,
		dataType,
		updateable: false,
		crmManaged: false,
	});
	return [
		ro('leadId', 'integer'),
		ro('programId', 'integer'),
		ro('membershipDate', 'datetime'),
		ro('progressionStatus', 'string'),
		ro('reachedSuccess', 'boolean'),
		ro('reachedSuccessDate', 'datetime'),
		ro('isExhausted', 'boolean'),
		ro('nurtureCadence', 'string'),
		{ name: 'registrationCode', displayName: 'registrationCode', dataType: 'string', length: 255, updateable: true },
		{ name: 'webinarUrl', displayName: 'webinarUrl', dataType: 'string', length: 255, updateable: true },
		{ name: 'pmNotes', displayName: 'PM Notes', dataType: 'string', length: 255, updateable: true },
		{ name: 'pmScore', displayName: 'PM Score', dataType: 'integer', updateable: true },
	];
}

// ---------------------------------------------------------------------------------------------
// Value validation
// ---------------------------------------------------------------------------------------------

export type Validation =
	| { ok: true; value: unknown; warning?: 'email' | 'truncated' }
	| { ok: false };

const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EMAIL_RE =
	/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

function validDate(y: number, m: number, d: number): boolean {
	if (m < 1 || m > 12 || d < 1) return false;
	const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
	return d <= days;
}

export function isValidEmail(value: string): boolean {
	return EMAIL_RE.test(value) && !value.includes('..');
}

/** Checks a non-empty cell against a dataType. Email syntax errors are warnings, not failures. */
export function validateValue(dataType: string, raw: string, length?: number): Validation {
	const t = dataType.toLowerCase();
	switch (t) {
		case 'integer': {
			if (!INT_RE.test(raw)) return { ok: false };
			const n = Number(raw);
			if (n > 2147483647 || n < -2147483648) return { ok: false };
			return { ok: true, value: n };
		}
		case 'float':
		case 'double':
		case 'currency':
		case 'percent': {
			if (!NUM_RE.test(raw)) return { ok: false };
			const n = Number(raw);
			if (!Number.isFinite(n)) return { ok: false };
			return { ok: true, value: n };
		}
		case 'boolean': {
			const v = raw.toLowerCase();
			if (v === 'true' || v === '1' || v === 'yes') return { ok: true, value: true };
			if (v === 'false' || v === '0' || v === 'no') return { ok: true, value: false };
			return { ok: false };
		}
		case 'date': {
			const m = DATE_RE.exec(raw);
			if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return { ok: false };
			return { ok: true, value: raw };
		}
		case 'datetime': {
			const m = DATETIME_RE.exec(raw);
			if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return { ok: false };
			if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) {
				return { ok: false };
			}
			return { ok: true, value: raw };
		}
		case 'email':
			if (!isValidEmail(raw)) return { ok: true, value: raw, warning: 'email' };
			return { ok: true, value: raw };
		default: {
			if (length !== undefined && length > 0 && [...raw].length > length) {
				return { ok: true, value: [...raw].slice(0, length).join(''), warning: 'truncated' };
			}
			return { ok: true, value: raw };
		}
	}
}

export function isoNow(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------
// Lead store
// ---------------------------------------------------------------------------------------------

interface StoredLead {
	id: number;
	leadPartitionId: number;
	values: Record<string, unknown>;
	lists: Set<number>;
}

export class LeadStore {
	private byId = new Map<number, StoredLead>();
	private indexes = new Map<string, Map<string, Set<number>>>();
	private nextId = 1;
	readonly listMembers = new Map<number, Set<number>>();

	constructor(private readonly isEmailField: (name: string) => boolean) {}

	private key(fieldName: string, v: unknown): string | undefined {
		if (v === undefined || v === null || v === '') return undefined;
		const s = String(v);
		return this.isEmailField(fieldName) ? s.toLowerCase() : s;
	}

	private index(fieldName: string): Map<string, Set<number>> {
		let idx = this.indexes.get(fieldName);
		if (!idx) {
			idx = new Map();
			for (const lead of this.byId.values()) {
				const k = this.key(fieldName, lead.values[fieldName]);
				if (k === undefined) continue;
				let set = idx.get(k);
				if (!set) idx.set(k, (set = new Set()));
				set.add(lead.id);
			}
			this.indexes.set(fieldName, idx);
		}
		return idx;
	}

	get size(): number {
		return this.byId.size;
	}

	get(id: number): StoredLead | undefined {
		return this.byId.get(id);
	}

	all(): StoredLead[] {
		return [...this.byId.values()];
	}

	find(fieldName: string, value: unknown): StoredLead[] {
		if (fieldName === 'id') {
			const lead = this.byId.get(Number(value));
			return lead ? [lead] : [];
		}
		const k = this.key(fieldName, value);
		if (k === undefined) return [];
		const ids = this.index(fieldName).get(k);
		if (!ids) return [];
		return [...ids].map((id) => this.byId.get(id)).filter((l): l is StoredLead => l !== undefined);
	}

	set(lead: StoredLead, fieldName: string, value: unknown): void {
		const old = lead.values[fieldName];
		if (old === value) return;
		const idx = this.indexes.get(fieldName);
		if (idx) {
			const ok = this.key(fieldName, old);
			if (ok !== undefined) idx.get(ok)?.delete(lead.id);
			const nk = this.key(fieldName, value);
			if (nk !== undefined) {
				let set = idx.get(nk);
				if (!set) idx.set(nk, (set = new Set()));
				set.add(lead.id);
			}
		}
		if (value === undefined || value === null) delete lead.values[fieldName];
		else lead.values[fieldName] = value;
	}

	create(values: Record<string, unknown>, partitionId: number, nowIso: string, id?: number): StoredLead {
		const leadId = id !== undefined && !this.byId.has(id) ? id : this.nextId;
		this.nextId = Math.max(this.nextId, leadId + 1);
		const lead: StoredLead = {
			id: leadId,
			leadPartitionId: partitionId,
			values: { id: leadId, createdAt: nowIso, updatedAt: nowIso, leadPartitionId: partitionId },
			lists: new Set(),
		};
		this.byId.set(leadId, lead);
		for (const name of Object.keys(lead.values)) {
			const idx = this.indexes.get(name);
			const k = this.key(name, lead.values[name]);
			if (idx && k !== undefined) {
				let set = idx.get(k);
				if (!set) idx.set(k, (set = new Set()));
				set.add(leadId);
			}
		}
		for (const [name, v] of Object.entries(values)) {
			if (name === 'id' || name === 'createdAt' || name === 'updatedAt' || name === 'leadPartitionId') continue;
			this.set(lead, name, v);
		}
		return lead;
	}

	addToList(listId: number, leadId: number): void {
		let set = this.listMembers.get(listId);
		if (!set) this.listMembers.set(listId, (set = new Set()));
		set.add(leadId);
		this.byId.get(leadId)?.lists.add(listId);
	}

	members(listId: number): number[] {
		return [...(this.listMembers.get(listId) ?? [])];
	}
}

export class CustomObjectStore {
	/** lower-case apiName → dedupe key → record */
	private readonly records = new Map<string, Map<string, CustomObjectRecord>>();
	private seq = 0;

	upsert(apiName: string, dedupeKey: string, values: Record<string, unknown>, nowIso: string, emptyClears: string[]): CustomObjectRecord {
		const name = apiName.toLowerCase();
		let table = this.records.get(name);
		if (!table) this.records.set(name, (table = new Map()));
		let rec = table.get(dedupeKey);
		if (!rec) {
			rec = { marketoGUID: randomUUID(), seq: ++this.seq, fields: {}, createdAt: nowIso, updatedAt: nowIso };
			table.set(dedupeKey, rec);
		}
		for (const [k, v] of Object.entries(values)) rec.fields[k] = v;
		for (const k of emptyClears) delete rec.fields[k];
		rec.updatedAt = nowIso;
		return rec;
	}

	list(apiName: string): CustomObjectRecord[] {
		return [...(this.records.get(apiName.toLowerCase())?.values() ?? [])];
	}
}

export class ProgramMemberStore {
	private readonly byProgram = new Map<number, Map<number, ProgramMembership>>();

	set(programId: number, leadId: number, status: string, values: Record<string, unknown>, nowIso: string): void {
		let table = this.byProgram.get(programId);
		if (!table) this.byProgram.set(programId, (table = new Map()));
		let m = table.get(leadId);
		if (!m) {
			m = { leadId, programId, progressionStatus: status, membershipDate: nowIso, fields: {} };
			table.set(leadId, m);
		}
		m.progressionStatus = status;
		for (const [k, v] of Object.entries(values)) m.fields[k] = v;
	}

	list(programId: number): ProgramMembership[] {
		return [...(this.byProgram.get(programId)?.values() ?? [])].map((m) => ({ ...m, fields: { ...m.fields } }));
	}
}

// ---------------------------------------------------------------------------------------------
// Model: live view over the options (metadata) plus the mutable stores
// ---------------------------------------------------------------------------------------------

export class Model {
	leads!: LeadStore;
	customObjectRecords!: CustomObjectStore;
	programMembers!: ProgramMemberStore;
	private fieldRef?: LeadField[];
	private byName = new Map<string, LeadField>();
	private byLower = new Map<string, LeadField>();

	constructor(
		private readonly options: () => ResolvedOptions,
		private readonly clock: Clock,
	) {
		this.reset();
	}

	private indexFields(): void {
		const fields = this.options().fields;
		if (this.fieldRef === fields) return;
		this.fieldRef = fields;
		this.byName = new Map(fields.map((f) => [f.restName, f]));
		this.byLower = new Map();
		for (const f of fields) {
			if (!this.byLower.has(f.restName.toLowerCase())) this.byLower.set(f.restName.toLowerCase(), f);
		}
	}

	fields(): LeadField[] {
		return this.options().fields;
	}

	field(name: string, caseInsensitive = false): LeadField | undefined {
		this.indexFields();
		return this.byName.get(name) ?? (caseInsensitive ? this.byLower.get(name.toLowerCase()) : undefined);
	}

	partitions(): Partition[] {
		return this.options().partitions;
	}

	defaultPartition(): Partition {
		return this.options().partitions[0] ?? { id: 1, name: 'Default' };
	}

	partitionByName(name: string): Partition | undefined {
		return this.options().partitions.find((p) => p.name === name);
	}

	partitionById(id: number): Partition | undefined {
		return this.options().partitions.find((p) => p.id === id);
	}

	staticLists(): StaticList[] {
		return this.options().staticLists;
	}

	programList(): Program[] {
		return this.options().programs;
	}

	channelList(): Channel[] {
		return this.options().channels;
	}

	customObjectTypes(): CustomObjectType[] {
		return this.options().customObjects;
	}

	programMemberFieldList(): ProgramMemberField[] {
		return this.options().programMemberFields;
	}

	staticList(id: number): StaticList | undefined {
		return this.options().staticLists.find((l) => l.id === id);
	}

	program(id: number): Program | undefined {
		return this.options().programs.find((p) => p.id === id);
	}

	channel(name: string): Channel | undefined {
		return this.options().channels.find((c) => c.name === name);
	}

	programStatuses(program: Program): ProgressionStatus[] {
		return program.progressionStatuses ?? this.channel(program.channel)?.progressionStatuses ?? [];
	}

	customObject(apiName: string): CustomObjectType | undefined {
		const lower = apiName.toLowerCase();
		return this.options().customObjects.find((c) => c.name.toLowerCase() === lower);
	}

	programMemberField(name: string): ProgramMemberField | undefined {
		return this.options().programMemberFields.find((f) => f.name === name);
	}

	/** Rebuilds the stores from the seed options. */
	reset(): void {
		this.customObjectRecords = new CustomObjectStore();
		this.programMembers = new ProgramMemberStore();
		this.seedLeads(this.options().leads);
	}

	seedLeads(seeds: Record<string, unknown>[]): void {
		this.leads = new LeadStore((name) => this.field(name)?.dataType === 'email');
		const nowIso = isoNow(this.clock.now());
		for (const seed of seeds) {
			const { id, partitionName, leadPartitionId, listIds, ...values } = seed;
			let partition = this.defaultPartition();
			if (typeof partitionName === 'string') partition = this.partitionByName(partitionName) ?? partition;
			else if (typeof leadPartitionId === 'number') partition = this.partitionById(leadPartitionId) ?? partition;
			const lead = this.leads.create(values, partition.id, nowIso, typeof id === 'number' ? id : undefined);
			if (Array.isArray(listIds)) {
				for (const l of listIds) if (typeof l === 'number') this.leads.addToList(l, lead.id);
			}
		}
	}

	leadSnapshot(): Lead[] {
		return this.leads.all().map((l) => ({
			...l.values,
			id: l.id,
			leadPartitionId: l.leadPartitionId,
			partitionName: this.partitionById(l.leadPartitionId)?.name ?? '',
			listIds: [...l.lists],
		}));
	}
}
