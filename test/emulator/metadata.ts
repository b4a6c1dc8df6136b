 
/**
 * Metadata endpoints (reference §4, §7.11), computed from the live model. Each handler returns
 * the body without `requestId`; the server adds it.
 */
import type { Model, StaticList } from './model';

export type Body = Record<string, unknown>;
type Query = Record<string, string>;

const NO_ASSETS = 'No assets found for the given search criteria.';

export function errorBody(code: string, message: string): Body {
	return { success: false, errors: [{ code, message }] };
}

function ok(result: unknown[], extra: Body = {}): Body {
	return { result, success: true, ...extra };
}

function assetOk(result: unknown[]): Body {
	if (result.length === 0) return { success: true, errors: [], warnings: [NO_ASSETS] };
	return { success: true, errors: [], warnings: [], result };
}

function assetTime(iso: string | undefined): string {
	const v = iso ?? '2026-01-15T10:00:00Z';
	return /Z$/.test(v) ? `${v}+0000` : v;
}

function csvList(v: string | undefined): string[] | undefined {
	if (v === undefined || v === '') return undefined;
	return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function intParam(v: string | undefined, def: number, max: number): number {
	if (v === undefined || v === '' || !/^\d+$/.test(v)) return def;
	return Math.min(max, Math.max(0, Number(v)));
}

function encodeToken(kind: string, offset: number): string {
	return Buffer.from(`${kind}:${offset}:emu`).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function decodeToken(kind: string, token: string): number | undefined {
	try {
		const text = Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
		const m = /^([a-z]+):(\d+):emu$/.exec(text);
		if (!m || m[1] !== kind) return undefined;
		return Number(m[2]);
	} catch {
		return undefined;
	}
}

/** Generic nextPageToken paging of REST (lead database) lists. */
function page<T>(items: T[], q: Query, kind: string, maxBatch = 300): Body {
	const size = Math.max(1, intParam(q.batchSize, maxBatch, maxBatch));
	let offset = 0;
	if (q.nextPageToken !== undefined && q.nextPageToken !== '') {
		const o = decodeToken(kind, q.nextPageToken);
		if (o === undefined) return errorBody('1001', `Invalid value '${q.nextPageToken}'. Required of type 'nextPageToken'`);
		offset = o;
	}
	const slice = items.slice(offset, offset + size);
	const extra: Body = {};
	if (offset + size < items.length) extra.nextPageToken = encodeToken(kind, offset + size);
	return ok(slice, extra);
}

function assetPage<T>(items: T[], q: Query): Body {
	const offset = intParam(q.offset, 0, Number.MAX_SAFE_INTEGER);
	const maxReturn = Math.max(1, intParam(q.maxReturn, 20, 200));
	return assetOk(items.slice(offset, offset + maxReturn));
}

export function describe(model: Model): Body {
	return ok(
		model.fields().map((f) => {
			const item: Body = { id: f.id, displayName: f.displayName, dataType: f.dataType };
			if (f.length !== undefined) item.length = f.length;
			item.rest = { name: f.restName, readOnly: f.restReadOnly };
			if (f.soapName) item.soap = { name: f.soapName, readOnly: f.soapReadOnly ?? f.restReadOnly };
			return item;
		}),
	);
}

export function describe2(model: Model): Body {
	const fields = model.fields();
	return ok([
		{
			name: 'API Lead',
			searchableFields: fields.filter((f) => f.searchable).map((f) => [f.restName]),
			fields: fields.map((f) => {
				const item: Body = { name: f.restName, displayName: f.displayName, dataType: f.dataType };
				if (f.length !== undefined) item.length = f.length;
				item.updateable = f.updateable && !f.restReadOnly;
				item.crmManaged = f.crmManaged ?? false;
				return item;
			}),
		},
	]);
}

export function partitions(model: Model): Body {
	return ok(model.partitions().map((p) => ({ id: p.id, name: p.name, description: p.description ?? '' })));
}

function restList(l: StaticList): Body {
	const item: Body = { id: l.id, name: l.name };
	if (l.description !== undefined) item.description = l.description;
	if (l.programName !== undefined) item.programName = l.programName;
	item.workspaceName = l.workspaceName ?? 'Default';
	item.createdAt = l.createdAt ?? '2026-01-15T10:00:00Z';
	item.updatedAt = l.updatedAt ?? item.createdAt;
	return item;
}

export function lists(model: Model, q: Query): Body {
	const ids = csvList(q.id)?.map(Number);
	const names = csvList(q.name);
	const programs = csvList(q.programName);
	const workspaces = csvList(q.workspaceName);
	const items = model
		.staticLists()
		.filter((l) => !ids || ids.includes(l.id))
		.filter((l) => !names || names.includes(l.name))
		.filter((l) => !programs || (l.programName !== undefined && programs.includes(l.programName)))
		.filter((l) => !workspaces || workspaces.includes(l.workspaceName ?? 'Default'))
		.map(restList);
	return page(items, q, 'lists');
}

export function listById(model: Model, id: string): Body {
	const l = /^\d+$/.test(id) ? model.staticList(Number(id)) : undefined;
	if (!l) return errorBody('1013', 'Object not found');
	return ok([restList(l)]);
}

function assetList(l: StaticList): Body {
	return {
		id: l.id,
		name: l.name,
		description: l.description ?? '',
		createdAt: assetTime(l.createdAt),
		updatedAt: assetTime(l.updatedAt ?? l.createdAt),
		folder: l.folder ?? { id: 13, type: 'Folder' },
		computedUrl: l.computedUrl ?? `https://app-emu.marketo.com/#ST${l.id}A1`,
		workspace: l.workspaceName ?? 'Default',
	};
}

export function assetStaticLists(model: Model, q: Query): Body {
	let items = model.staticLists();
	if (q.folder) {
		let folder: { id?: unknown; type?: unknown } | undefined;
		try {
			folder = JSON.parse(q.folder) as { id?: unknown; type?: unknown };
		} catch {
			return { success: false, errors: [{ code: '701', message: 'folder cannot be parsed' }], warnings: [] };
		}
		items = items.filter((l) => {
			const f = l.folder ?? { id: 13, type: 'Folder' };
			return f.id === Number(folder?.id) && (folder?.type === undefined || f.type === folder.type);
		});
	}
	if (q.earliestUpdatedAt) items = items.filter((l) => (l.updatedAt ?? l.createdAt ?? '') >= q.earliestUpdatedAt);
	if (q.latestUpdatedAt) items = items.filter((l) => (l.updatedAt ?? l.createdAt ?? '') <= q.latestUpdatedAt);
	return assetPage(items.map(assetList), q);
}

export function assetStaticList(model: Model, id: string): Body {
	const l = /^\d+$/.test(id) ? model.staticList(Number(id)) : undefined;
	return assetOk(l ? [assetList(l)] : []);
}

export function customObjects(model: Model, q: Query): Body {
	const names = csvList(q.names)?.map((n) => n.toLowerCase());
	return ok(
		model
			.customObjectTypes()
			.filter((c) => !names || names.includes(c.name.toLowerCase()))
			.map((c) => ({
				name: c.name,
				displayName: c.displayName,
				pluralName: c.pluralName ?? `${c.displayName}s`,
				description: c.description ?? '',
				createdAt: c.createdAt ?? '2026-01-15T10:00:00Z',
				updatedAt: c.updatedAt ?? c.createdAt ?? '2026-01-15T10:00:00Z',
				idField: c.idField ?? 'marketoGUID',
				dedupeFields: c.dedupeFields,
				searchableFields: c.searchableFields ?? c.dedupeFields.map((d) => [d]),
				relationships: c.relationships ?? [],
			})),
	);
}

export function customObjectDescribe(model: Model, apiName: string): Body {
	const c = model.customObject(apiName);
	if (!c) return errorBody('1013', 'Object not found');
	const [base] = customObjects(model, { names: c.name }).result as Body[];
	return ok([
		{
			...base,
			fields: c.fields.map((f) => {
				const item: Body = { name: f.name, displayName: f.displayName, dataType: f.dataType };
				if (f.length !== undefined) item.length = f.length;
				item.updateable = f.updateable !== false;
				return item;
			}),
		},
	]);
}

export function programMembersDescribe(model: Model): Body {
	const fields = model.programMemberFieldList();
	return ok([
		{
			name: 'API Program Membership',
			description: 'Map for API Program Membership fields',
			createdAt: '2026-01-15T10:00:00Z',
			updatedAt: '2026-01-15T10:00:00Z',
			dedupeFields: ['leadId', 'programId'],
			searchableFields: [['leadId'], ['programId'], ['progressionStatus']],
			fields: fields.map((f) => {
				const item: Body = { name: f.name, displayName: f.displayName, dataType: f.dataType };
				if (f.length !== undefined) item.length = f.length;
				item.updateable = f.updateable;
				item.crmManaged = f.crmManaged ?? false;
				return item;
			}),
		},
	]);
}

export function programs(model: Model, q: Query): Body {
	const items = model.programList().map((p) => ({
		id: p.id,
		name: p.name,
		description: p.description ?? '',
		createdAt: assetTime(p.createdAt),
		updatedAt: assetTime(p.updatedAt ?? p.createdAt),
		url: `https://app-emu.marketo.com/#PG${p.id}A1`,
		type: p.type ?? 'Default',
		channel: p.channel,
		folder: { type: p.folder?.type ?? 'Folder', value: p.folder?.id ?? 15, folderName: 'Programs' },
		status: p.status ?? '',
		workspace: p.workspace ?? 'Default',
		tags: [],
		costs: [],
	}));
	return assetPage(items, q);
}

export function program(model: Model, id: string): Body {
	const p = /^\d+$/.test(id) ? model.program(Number(id)) : undefined;
	if (!p) return assetOk([]);
	return assetOk((programs(model, { offset: '0', maxReturn: '200' }).result as Body[]).filter((x) => x.id === p.id));
}

export function channels(model: Model, q: Query): Body {
	const items = model.channelList().map((c) => ({
		id: c.id,
		name: c.name,
		applicableProgramType: c.applicableProgramType,
		progressionStatuses: c.progressionStatuses.map((s) => ({
			name: s.name,
			step: s.step,
			success: s.success ?? false,
			hidden: s.hidden ?? false,
			description: s.description ?? '',
		})),
		createdAt: assetTime(c.createdAt),
		updatedAt: assetTime(c.updatedAt ?? c.createdAt),
	}));
	return assetPage(items, q);
}

const DEFAULT_LEAD_FIELDS = ['id', 'updatedAt', 'lastName', 'email', 'createdAt', 'firstName'];

function leadItem(fields: Record<string, unknown>, wanted: string[]): Body {
	const item: Body = {};
	for (const name of wanted) item[name] = fields[name] ?? null;
	return item;
}

/** `GET /rest/v1/leads.json?filterType=…&filterValues=…&fields=…` */
export function leadsByFilter(model: Model, q: Query): Body {
	const filterType = q.filterType;
	const values = csvList(q.filterValues);
	if (!filterType) return errorBody('1002', "Missing value for the required parameter 'filterType'");
	if (!values) return errorBody('1002', "Missing value for the required parameter 'filterValues'");
	if (values.length > 300) return errorBody('1003', 'Too many values in filterValues');
	const field = model.field(filterType);
	if (!field || (!field.searchable && filterType !== 'id')) {
		return errorBody('1003', `Invalid filterType '${filterType}'`);
	}
	const wanted = csvList(q.fields) ?? DEFAULT_LEAD_FIELDS;
	const seen = new Set<number>();
	const out: Body[] = [];
	for (const v of values) {
		for (const lead of model.leads.find(field.restName, field.dataType === 'integer' ? Number(v) : v)) {
			if (seen.has(lead.id)) continue;
			seen.add(lead.id);
			out.push(leadItem(lead.values, wanted));
		}
	}
	return page(out, q, 'leads');
}

/** `GET /rest/v1/lists/{id}/leads.json` */
export function listLeads(model: Model, id: string, q: Query): Body {
	const l = /^\d+$/.test(id) ? model.staticList(Number(id)) : undefined;
	if (!l) return errorBody('1013', 'Object not found');
	const wanted = csvList(q.fields) ?? DEFAULT_LEAD_FIELDS;
	const out = model.leads
		.members(l.id)
		.map((leadId) => model.leads.get(leadId))
		.filter((x): x is NonNullable<typeof x> => x !== undefined)
		.map((lead) => leadItem(lead.values, wanted));
	return page(out, q, 'members');
}
