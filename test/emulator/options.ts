 
/**
 * Emulator options and their defaults (reference §7). Options tagged [I] in the reference are
 * emulator design choices and are all switchable here.
 */
import {
	defaultChannels,
	defaultLeadFields,
	defaultPartitions,
	defaultProgramMemberFields,
	type Channel,
	type CustomObjectType,
	type LeadField,
	type Partition,
	type Program,
	type ProgramMemberField,
	type StaticList,
} from './model';

export interface EmulatorClient {
	clientId: string;
	clientSecret: string;
	scopeEmail?: string;
}

export interface EmulatorOptions {
	/** Listen address; default 127.0.0.1 port 0 (ephemeral). */
	host?: string;
	port?: number;

	clients?: EmulatorClient[];
	tokenTtlSeconds?: number;
	/** Pod suffix of minted tokens (`<uuid>:<pod>`). */
	tokenPod?: string;
	/** Accept the deprecated `access_token` query parameter / multipart field. */
	allowQueryToken?: boolean;

	rateLimit?: number | false;
	rateWindowMs?: number;
	maxConcurrent?: number | false;
	dailyQuota?: number | false;
	/** Artificial latency (ms) of every REST/bulk call, e.g. to provoke 615. */
	latencyMs?: number;

	maxBulkBodyBytes?: number;
	/** Body limit of non-bulk POSTs. */
	maxBodyBytes?: number;
	maxUriBytes?: number;

	maxConcurrentImports?: number;
	maxQueuedImports?: number;
	/** Message of 1016; `{n}` is replaced by maxQueuedImports. */
	queueFullMessage?: string;
	queuedMinMs?: number;
	importMinMs?: number;
	/** Import speed; importing takes max(importMinMs, rows / rowsPerSecond). 0 = importMinMs only. */
	rowsPerSecond?: number;
	batchIdStart?: number;
	batchRetentionDays?: number;

	headerCaseInsensitive?: boolean;
	stripBom?: boolean;
	requirePartitionWhenMultiple?: boolean;
	/** What failures/warnings answer when a Complete job has no such rows. */
	noFileMode?: '404' | 'empty200';
	shuffleFailureRows?: boolean;
	teknklQuirk?: boolean;
	emptyCellsClear?: boolean;
	/** Report files end with a CRLF after the last record. */
	reportTrailingNewline?: boolean;
	/** 613 when the closing multipart delimiter is missing (default true). */
	strictMultipart?: boolean;
	/** A `file` part without a filename is treated as a text field (so: 1002). Default true. */
	fileRequiresFilename?: boolean;
	/** `format` is case-insensitive (default true). */
	formatCaseInsensitive?: boolean;
	/** Error for unknown / expired batch ids. */
	unknownBatch?: { code: string; message: string };

	fields?: LeadField[];
	partitions?: Partition[];
	staticLists?: StaticList[];
	channels?: Channel[];
	programs?: Program[];
	customObjects?: CustomObjectType[];
	programMemberFields?: ProgramMemberField[];
	/**
	 * Seed leads: flat field values. Special keys: `id` (kept), `partitionName` or
	 * `leadPartitionId`, `listIds` (number[]).
	 */
	leads?: Record<string, unknown>[];
}

export interface ResolvedOptions {
	host: string;
	port: number;
	clients: EmulatorClient[];
	tokenTtlSeconds: number;
	tokenPod: string;
	allowQueryToken: boolean;
	rateLimit: number | false;
	rateWindowMs: number;
	maxConcurrent: number | false;
	dailyQuota: number | false;
	latencyMs: number;
	maxBulkBodyBytes: number;
	maxBodyBytes: number;
	maxUriBytes: number;
	maxConcurrentImports: number;
	maxQueuedImports: number;
	queueFullMessage: string;
	queuedMinMs: number;
	importMinMs: number;
	rowsPerSecond: number;
	batchIdStart: number;
	batchRetentionDays: number;
	headerCaseInsensitive: boolean;
	stripBom: boolean;
	requirePartitionWhenMultiple: boolean;
	noFileMode: '404' | 'empty200';
	shuffleFailureRows: boolean;
	teknklQuirk: boolean;
	emptyCellsClear: boolean;
	reportTrailingNewline: boolean;
	strictMultipart: boolean;
	fileRequiresFilename: boolean;
	formatCaseInsensitive: boolean;
	unknownBatch: { code: string; message: string };
	fields: LeadField[];
	partitions: Partition[];
	staticLists: StaticList[];
	channels: Channel[];
	programs: Program[];
	customObjects: CustomObjectType[];
	programMemberFields: ProgramMemberField[];
	leads: Record<string, unknown>[];
}

export function defaultOptions(): ResolvedOptions {
	return {
		host: '127.0.0.1',
		port: 0,
		clients: [{ clientId: 'test-client', clientSecret: 'test-secret', scopeEmail: 'api@example.com' }],
		tokenTtlSeconds: 3600,
		tokenPod: 'int',
		allowQueryToken: false,
		rateLimit: 100,
		rateWindowMs: 20000,
		maxConcurrent: 10,
		dailyQuota: 50000,
		latencyMs: 0,
		maxBulkBodyBytes: 10485760,
		maxBodyBytes: 1048576,
		maxUriBytes: 8192,
		maxConcurrentImports: 2,
		maxQueuedImports: 10,
		queueFullMessage: 'There are {n} imports currently being processed. Please try again later',
		queuedMinMs: 1000,
		importMinMs: 1000,
		rowsPerSecond: 500,
		batchIdStart: 1001,
		batchRetentionDays: 7,
		headerCaseInsensitive: false,
		stripBom: false,
		requirePartitionWhenMultiple: true,
		noFileMode: '404',
		shuffleFailureRows: false,
		teknklQuirk: false,
		emptyCellsClear: false,
		reportTrailingNewline: true,
		strictMultipart: true,
		fileRequiresFilename: true,
		formatCaseInsensitive: true,
		unknownBatch: { code: '1013', message: 'Object not found' },
		fields: defaultLeadFields(),
		partitions: defaultPartitions(),
		staticLists: [],
		channels: defaultChannels(),
		programs: [],
		customObjects: [],
		programMemberFields: defaultProgramMemberFields(),
		leads: [],
	};
}

/** Merges user options over the defaults, ignoring `undefined` values. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
	const out = defaultOptions();
	applyOptions(out, options);
	return out;
}

export function applyOptions(target: ResolvedOptions, partial: EmulatorOptions): void {
	const t = target as unknown as Record<string, unknown>;
	for (const [k, v] of Object.entries(partial)) {
		if (v !== undefined) t[k] = v;
	}
}

/** A small demo instance: static lists, leads, custom object `car_c`, a webinar program. */
export function sandboxOptions(opts: { twoPartitions?: boolean } = {}): EmulatorOptions {
	const t = '2026-01-15T10:00:00Z';
	return {
		partitions: opts.twoPartitions
			? [
					{ id: 1, name: 'Default', description: 'Initial system lead partition' },
					{ id: 2, name: 'Europe', description: 'EMEA leads' },
				]
			: undefined,
		staticLists: [
			{ id: 1001, name: 'Newsletter Subscribers', workspaceName: 'Default', createdAt: t, updatedAt: t, folder: { id: 13, type: 'Folder' } },
			{ id: 1002, name: 'Webinar Attendees', programName: 'Spring Webinar 2026', workspaceName: 'Default', createdAt: t, updatedAt: t, folder: { id: 2001, type: 'Program' } },
			{ id: 1003, name: 'Trade Show Leads', workspaceName: 'Default', createdAt: t, updatedAt: t, folder: { id: 13, type: 'Folder' } },
		],
		programs: [
			{
				id: 2001,
				name: 'Spring Webinar 2026',
				description: 'Quarterly product webinar',
				type: 'Event',
				channel: 'Webinar',
				status: '',
				workspace: 'Default',
				folder: { id: 15, type: 'Folder' },
				createdAt: t,
				updatedAt: t,
			},
			{
				id: 2002,
				name: 'Monthly Newsletter',
				type: 'Email',
				channel: 'Email Blast',
				workspace: 'Default',
				folder: { id: 15, type: 'Folder' },
				createdAt: t,
				updatedAt: t,
			},
		],
		customObjects: [
			{
				name: 'car_c',
				displayName: 'Car',
				pluralName: 'Cars',
				description: 'Cars owned by leads',
				idField: 'marketoGUID',
				dedupeFields: ['vin'],
				searchableFields: [['vin'], ['marketoGUID'], ['customerEmail']],
				relationships: [
					{ field: 'customerEmail', type: 'child', relatedTo: { name: 'Lead', field: 'email' } },
				],
				fields: [
					{ name: 'createdAt', displayName: 'Created At', dataType: 'datetime', updateable: false },
					{ name: 'marketoGUID', displayName: 'Marketo GUID', dataType: 'string', length: 36, updateable: false },
					{ name: 'updatedAt', displayName: 'Updated At', dataType: 'datetime', updateable: false },
					{ name: 'vin', displayName: 'VIN', dataType: 'string', length: 17, updateable: true },
					{ name: 'make', displayName: 'Make', dataType: 'string', length: 255, updateable: true },
					{ name: 'model', displayName: 'Model', dataType: 'string', length: 255, updateable: true },
					{ name: 'color', displayName: 'Color', dataType: 'string', length: 255, updateable: true },
					{ name: 'year', displayName: 'Year', dataType: 'integer', updateable: true },
					{ name: 'price', displayName: 'Price', dataType: 'currency', updateable: true },
					{ name: 'customerEmail', displayName: 'Customer Email', dataType: 'link', length: 255, updateable: true },
				],
				createdAt: t,
				updatedAt: t,
			},
		],
		leads: [
			{ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', leadScore: 42, listIds: [1001] },
			{ email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', company: 'Navy', leadScore: 77, listIds: [1001, 1003] },
			{ email: 'alan@example.com', firstName: 'Alan', lastName: 'Turing', company: 'Bletchley Park', leadScore: 12 },
		],
	};
}
