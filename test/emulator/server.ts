/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * HTTP front of the Marketo emulator: routing, auth, limits, fault injection, the REST/bulk
 * endpoints and the `/__emulator/` test hooks (reference §7.1–§7.3, §7.12).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { DELIMITERS, decodeFile, parseDelimited, type ImportFormat } from './csv';
import { Identity } from './identity';
import { ImportManager, type EmulatedJob, type ImportKind, type SubmitResult } from './imports';
import {
	Clock,
	DEFAULT_MESSAGES,
	Faults,
	Limits,
	UNCOUNTED_CODES,
	type ActiveFault,
	type FaultSpec,
	type FaultTiming,
} from './limits';
import * as meta from './metadata';
import { Model, type Lead } from './model';
import { MultipartError, multipartBoundary, parseMultipart, type MultipartPart } from './multipart';
import { applyOptions, resolveOptions, type EmulatorOptions, type ResolvedOptions } from './options';

export type AuthorizationKind = 'bearer' | 'none' | 'query';

export interface RequestLogEntry {
	method: string;
	path: string;
	/** Query parameters; `access_token` and `client_secret` values are replaced by `[REDACTED]`. */
	query: Record<string, string>;
	authorization: AuthorizationKind;
	/** HTTP status; 0 when the connection was reset by an injected fault. */
	status: number;
	/** Marketo error code of a `success:false` JSON answer. */
	code?: string;
	/** Clock time (ms) at arrival. */
	at: number;
	bodyBytes: number;
	contentType?: string;
}

/**
 * One call to a bulk create endpoint (lead, custom object or program member import), whatever
 * its fate: refused, created, or created with its answer lost. Tests read it to tell whether a
 * row reached Marketo in two batches.
 */
export interface CreateCall {
	/** 1-based, in arrival order. */
	seq: number;
	/** Clock time (ms) at arrival. */
	at: number;
	path: string;
	kind: ImportKind;
	/** The batch Marketo created for this call; undefined when it created none. */
	batchId?: number;
	/** What the client received: HTTP status (0 = connection reset without an answer) and Marketo error code. */
	status: number;
	code?: string;
	/** The injected fault that shaped the answer, if any. */
	fault?: { response: string; when: FaultTiming };
	/** The call was processed (a batch may exist) but the client never saw Marketo's answer. */
	answerLost: boolean;
	/** The uploaded file's header and data rows, parsed with the format the call named (empty when there was no file). */
	header: string[];
	rows: string[][];
}

interface CreateLogEntry extends Omit<CreateCall, 'header' | 'rows'> {
	file?: Buffer;
	format: string;
}

const CREATE_PATHS: Array<[RegExp, ImportKind]> = [
	[/^\/bulk\/v1\/leads\.json$/, 'lead'],
	[/^\/bulk\/v1\/customobjects\/[^/]+\/import\.json$/, 'customObject'],
	[/^\/bulk\/v1\/program\/[^/]+\/members\/import\.json$/, 'programMember'],
];

/** Header and data rows of an uploaded file (UTF-8, BOM dropped), read with `format`'s delimiter. */
export function parseUpload(file: Buffer | undefined, format: string): { header: string[]; rows: string[][] } {
	if (file === undefined || file.length === 0) return { header: [], rows: [] };
	const delimiter = DELIMITERS[format.toLowerCase() as ImportFormat] ?? ',';
	const { rows } = parseDelimited(decodeFile(file).text, delimiter);
	return { header: rows[0] ?? [], rows: rows.slice(1) };
}

type Reply =
	| { kind: 'reset' }
	| { kind: 'http'; status: number; headers: Record<string, string>; body: string | Buffer; code?: string };

interface Ctx {
	req: http.IncomingMessage;
	method: string;
	path: string;
	query: Record<string, string>;
	body: Buffer;
	contentType: string;
	multipart?: { parts?: MultipartPart[]; error?: 'type' | 'parse'; detail?: string };
	/** Set by an injected fault that applied to this request. */
	fault?: { response: string; when: FaultTiming };
	/** Set when a bulk create made a batch. */
	createdBatchId?: number;
}

type Handler = (ctx: Ctx, m: RegExpExecArray) => Reply;

interface Route {
	re: RegExp;
	methods: Record<string, Handler>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const SECRET_KEYS = new Set(['access_token', 'client_secret']);
const MAX_LOG = 10000;
const MAX_CREATE_LOG = 2000;

function redact(q: Record<string, string>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(q)) out[k] = SECRET_KEYS.has(k) ? '[REDACTED]' : v;
	return out;
}

function firstValues(params: URLSearchParams): Record<string, string> {
	const out: Record<string, string> = {};
	params.forEach((v, k) => {
		if (!(k in out)) out[k] = v;
	});
	return out;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let done = false;
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			done = true;
			resolve(Buffer.concat(chunks));
		});
		req.on('error', (e) => {
			if (!done) reject(e);
		});
		req.on('close', () => {
			if (!done) reject(new Error('client closed the request'));
		});
	});
}

export class EmulatorServer {
	readonly clock = new Clock();
	readonly options: ResolvedOptions;
	readonly identity: Identity;
	readonly limits: Limits;
	readonly faults = new Faults();
	readonly model: Model;
	readonly imports: ImportManager;
	url = '';

	private readonly initial: EmulatorOptions;
	private readonly server: http.Server;
	private log: RequestLogEntry[] = [];
	private createLog: CreateLogEntry[] = [];
	private createSeq = 0;
	private requestSeq = 0xa61c;
	private readonly sleeps = new Set<ReturnType<typeof setTimeout>>();
	private readonly routes: Route[];
	private closed = false;

	constructor(options: EmulatorOptions = {}) {
		this.initial = { ...options };
		this.options = resolveOptions(options);
		const opts = () => this.options;
		this.identity = new Identity(opts, this.clock);
		this.limits = new Limits(opts, this.clock);
		this.model = new Model(opts, this.clock);
		this.imports = new ImportManager(opts, this.clock, this.model);
		this.routes = this.buildRoutes();
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((e: unknown) => {
				if (!res.headersSent && !res.destroyed) {
					res.writeHead(500, { 'Content-Type': 'text/plain' });
					res.end(`Emulator error: ${(e as Error)?.message ?? String(e)}`);
				} else if (!res.destroyed) {
					res.destroy();
				}
			});
		});
	}

	listen(): Promise<string> {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.options.port, this.options.host, () => {
				const addr = this.server.address() as AddressInfo;
				this.url = `http://${this.options.host}:${addr.port}`;
				resolve(this.url);
			});
		});
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.imports.dispose();
		for (const t of this.sleeps) clearTimeout(t);
		this.sleeps.clear();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	// ------------------------------------------------------------------ public hooks

	configure(partial: EmulatorOptions): void {
		applyOptions(this.options, partial);
		if (partial.leads !== undefined) this.model.seedLeads(this.options.leads);
		this.imports.pump();
	}

	reset(): void {
		const fresh = resolveOptions(this.initial);
		for (const k of Object.keys(this.options)) delete (this.options as unknown as Record<string, unknown>)[k];
		Object.assign(this.options, fresh);
		this.clock.reset();
		this.identity.reset();
		this.limits.reset();
		this.faults.clear();
		this.imports.reset();
		this.model.reset();
		this.log = [];
		this.createLog = [];
		this.createSeq = 0;
	}

	requests(): RequestLogEntry[] {
		return this.log.map((e) => ({ ...e, query: { ...e.query } }));
	}

	jobs(): EmulatedJob[] {
		return this.imports.list();
	}

	/** Every call to a bulk create endpoint, in arrival order, with the rows it carried. */
	creates(): CreateCall[] {
		return this.createLog.map(({ file, format, ...call }) => ({
			...call,
			fault: call.fault ? { ...call.fault } : undefined,
			...parseUpload(file, format),
		}));
	}

	/** The header and data rows a batch was created with (read from its uploaded file). */
	jobRows(batchId: number): { header: string[]; rows: string[][] } | undefined {
		const job = this.imports.list().find((j) => j.batchId === batchId);
		return job ? parseUpload(job.file, job.format) : undefined;
	}

	leads(): Lead[] {
		this.imports.pump();
		return this.model.leadSnapshot();
	}

	listMembers(listId: number): number[] {
		this.imports.pump();
		return this.model.leads.members(listId);
	}

	injectFault(f: FaultSpec): void {
		this.faults.add(f);
	}

	advanceClock(ms: number): void {
		this.clock.advance(ms);
		this.imports.pump();
	}

	// ------------------------------------------------------------------ request handling

	private requestId(): string {
		const id = `${(this.requestSeq++ & 0xfffff).toString(16)}#${this.clock.now().toString(16)}`;
		return id;
	}

	private json(body: Record<string, unknown>, status = 200, extraHeaders: Record<string, string> = {}): Reply {
		const withId = { requestId: this.requestId(), ...body };
		const code =
			body.success === false && Array.isArray(body.errors) && body.errors.length > 0
				? String((body.errors[0] as { code?: unknown }).code)
				: undefined;
		return {
			kind: 'http',
			status,
			headers: { 'Content-Type': JSON_TYPE, ...extraHeaders },
			body: JSON.stringify(withId),
			code,
		};
	}

	private error(code: string, message: string): Reply {
		return this.json(meta.errorBody(code, message));
	}

	private plain(status: number, body = ''): Reply {
		return { kind: 'http', status, headers: body ? { 'Content-Type': 'text/plain;charset=UTF-8' } : {}, body };
	}

	private sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const t = setTimeout(() => {
				this.sleeps.delete(t);
				resolve();
			}, ms);
			this.sleeps.add(t);
		});
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const at = this.clock.now();
		const rawUrl = req.url ?? '/';
		const url = new URL(rawUrl, 'http://emulator.local');
		const method = (req.method ?? 'GET').toUpperCase();
		const path = url.pathname;
		const query = firstValues(url.searchParams);

		if (path.startsWith('/__emulator/') || path === '/__emulator') {
			const body = await readBody(req);
			this.send(res, this.hook(method, path, query, body));
			return;
		}

		const isApi = /^\/(rest|bulk)(\/|$)/.test(path);
		const isIdentity = path === '/identity/oauth/token';
		let released = false;
		if (isApi) {
			this.limits.inFlight++;
			res.once('close', () => {
				if (!released) {
					released = true;
					this.limits.inFlight--;
				}
			});
		}
		let body: Buffer;
		try {
			body = await readBody(req);
		} catch {
			return;
		}
		const ctx: Ctx = {
			req,
			method,
			path,
			query,
			body,
			contentType: String(req.headers['content-type'] ?? ''),
		};
		const entry: RequestLogEntry = {
			method,
			path,
			query: redact(query),
			authorization: this.authKind(ctx),
			status: 0,
			at,
			bodyBytes: body.length,
			contentType: ctx.contentType || undefined,
		};

		let reply: Reply;
		if (rawUrl.length > this.options.maxUriBytes && (isApi || isIdentity)) {
			reply = this.plain(414);
		} else if (isIdentity) {
			reply = this.identityFlow(ctx);
		} else if (isApi) {
			reply = await this.apiFlow(ctx);
		} else {
			reply = this.plain(404, 'Not Found');
		}
		if (this.closed) return;
		if (reply.kind === 'http') {
			entry.status = reply.status;
			entry.code = reply.code;
		}
		this.log.push(entry);
		if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
		const createKind = isApi && method === 'POST' ? CREATE_PATHS.find(([re]) => re.test(path))?.[1] : undefined;
		if (createKind !== undefined) this.recordCreate(ctx, createKind, entry);
		this.send(res, reply);
	}

	private recordCreate(ctx: Ctx, kind: ImportKind, entry: RequestLogEntry): void {
		const mp = ctx.contentType.toLowerCase().startsWith('multipart/form-data') ? this.multipart(ctx) : undefined;
		const parts = mp?.parts ?? [];
		const file = parts.find((p) => p.name === 'file' && p.filename !== undefined) ?? parts.find((p) => p.name === 'file');
		const formatPart = parts.find((p) => p.name === 'format' && p.filename === undefined);
		const format = ctx.query.format || formatPart?.data.toString('utf8').trim() || 'csv';
		this.createLog.push({
			seq: ++this.createSeq,
			at: entry.at,
			path: ctx.path,
			kind,
			batchId: ctx.createdBatchId,
			status: entry.status,
			code: entry.code,
			fault: ctx.fault,
			answerLost: ctx.fault?.when === 'after',
			file: file?.data,
			format,
		});
		if (this.createLog.length > MAX_CREATE_LOG) this.createLog.splice(0, this.createLog.length - MAX_CREATE_LOG);
	}

	private send(res: http.ServerResponse, reply: Reply): void {
		if (res.destroyed) return;
		if (reply.kind === 'reset') {
			res.socket?.destroy();
			return;
		}
		const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
		res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(body.length) });
		res.end(body);
	}

	private authKind(ctx: Ctx): AuthorizationKind {
		const authz = ctx.req.headers.authorization;
		if (authz !== undefined && /^Bearer\s+\S/i.test(authz.trim())) return 'bearer';
		if (ctx.query.access_token !== undefined) return 'query';
		if (ctx.contentType.toLowerCase().startsWith('multipart/form-data')) {
			const parts = this.multipart(ctx).parts;
			if (parts?.some((p) => p.name === 'access_token' && p.filename === undefined)) return 'query';
		}
		return 'none';
	}

	private multipart(ctx: Ctx): NonNullable<Ctx['multipart']> {
		if (ctx.multipart) return ctx.multipart;
		const boundary = multipartBoundary(ctx.contentType);
		if (boundary === undefined) ctx.multipart = { error: 'type' };
		else if (boundary === null) ctx.multipart = { error: 'parse' };
		else {
			try {
				ctx.multipart = { parts: parseMultipart(ctx.body, boundary, this.options.strictMultipart) };
			} catch (e) {
				ctx.multipart = { error: 'parse', detail: e instanceof MultipartError ? e.message : String(e) };
			}
		}
		return ctx.multipart;
	}

	private token(ctx: Ctx): string | undefined {
		const authz = ctx.req.headers.authorization;
		if (authz !== undefined) {
			const m = /^Bearer\s+(\S+)\s*$/i.exec(authz.trim());
			if (m) return m[1];
		}
		if (!this.options.allowQueryToken) return undefined;
		if (ctx.query.access_token) return ctx.query.access_token;
		if (ctx.contentType.toLowerCase().startsWith('multipart/form-data')) {
			const part = this.multipart(ctx).parts?.find((p) => p.name === 'access_token' && p.filename === undefined);
			if (part) return part.data.toString('utf8').trim();
		}
		return undefined;
	}

	/** The fault that applies to this request, if any ('pass' entries only use up their count). */
	private takeFault(ctx: Ctx): ActiveFault | undefined {
		const fault = this.faults.take(ctx.method, ctx.path);
		if (!fault || fault.response === 'pass') return undefined;
		ctx.fault = { response: fault.response, when: fault.when };
		return fault;
	}

	private identityFlow(ctx: Ctx): Reply {
		this.identity.calls++;
		const fault = this.takeFault(ctx);
		if (fault?.when === 'before') return this.faultReply(fault, ctx);
		const reply = this.identityAnswer(ctx);
		// 'after': the token was minted (or refused), and the answer lost on its way back.
		return fault ? this.faultReply(fault, ctx) : reply;
	}

	private identityAnswer(ctx: Ctx): Reply {
		const headers = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
		if (ctx.method !== 'GET' && ctx.method !== 'POST') {
			return this.jsonRaw(405, { error: 'method_not_allowed', error_description: `Request method '${ctx.method}' not supported` }, headers);
		}
		if (ctx.body.length > this.options.maxBodyBytes) return this.plain(413);
		const params: Record<string, string> = { ...ctx.query };
		if (ctx.method === 'POST' && ctx.body.length > 0) {
			const ct = ctx.contentType.toLowerCase();
			if (ct === '' || ct.startsWith('application/x-www-form-urlencoded')) {
				const fromBody = firstValues(new URLSearchParams(ctx.body.toString('utf8')));
				for (const [k, v] of Object.entries(fromBody)) if (!(k in params)) params[k] = v;
			}
		}
		const r = this.identity.token(params);
		return this.jsonRaw(r.status, r.body, headers);
	}

	private jsonRaw(status: number, body: Record<string, unknown>, headers: Record<string, string>): Reply {
		return { kind: 'http', status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
	}

	private faultReply(f: { response: string; message?: string }, ctx: Ctx): Reply {
		const r = f.response;
		if (r === 'reset') return { kind: 'reset' };
		if (/^\d+$/.test(r) && Number(r) < 600) {
			const status = Number(r);
			const text = http.STATUS_CODES[status] ?? 'Error';
			const body =
				f.message ??
				`<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`;
			return { kind: 'http', status, headers: { 'Content-Type': 'text/html' }, body };
		}
		let message = f.message;
		if (message === undefined) {
			if (r === '606') message = this.limits.rateMessage();
			else if (r === '615') message = this.limits.concurrencyMessage();
			else if (r === '605') message = `Request method '${ctx.method}' not supported`;
			else if (r === '1016') {
				message = this.options.queueFullMessage.replace('{n}', String(this.options.maxQueuedImports));
			} else message = DEFAULT_MESSAGES[r] ?? 'Injected fault';
		}
		return this.error(r, message);
	}

	private async apiFlow(ctx: Ctx): Promise<Reply> {
		if (this.limits.concurrencyExceeded()) return this.error('615', this.limits.concurrencyMessage());
		if (this.options.latencyMs > 0) await this.sleep(this.options.latencyMs);
		const token = this.token(ctx);
		if (token === undefined) {
			this.limits.record();
			return this.error('603', 'Access denied');
		}
		const check = this.identity.check(token);
		if (!check.ok) return this.error(check.code, DEFAULT_MESSAGES[check.code]);
		if (this.limits.rateExceeded()) return this.error('606', this.limits.rateMessage());
		if (this.limits.quotaExceeded()) return this.error('607', 'Daily quota reached');
		const handle = this.limits.record();

		const fault = this.takeFault(ctx);
		let reply: Reply;
		if (fault?.when === 'before') reply = this.faultReply(fault, ctx);
		else {
			reply = this.route(ctx);
			// 'after': processed as usual (an upload's batch is created and queued), the answer lost.
			if (fault) reply = this.faultReply(fault, ctx);
		}
		if (reply.kind === 'reset' || reply.status >= 500 || (reply.code !== undefined && UNCOUNTED_CODES.has(reply.code))) {
			this.limits.unrecord(handle);
		}
		return reply;
	}

	private route(ctx: Ctx): Reply {
		for (const r of this.routes) {
			const m = r.re.exec(ctx.path);
			if (!m) continue;
			const h = r.methods[ctx.method];
			if (!h) return this.error('605', `Request method '${ctx.method}' not supported`);
			return h(ctx, m);
		}
		return this.error('610', 'Requested resource not found');
	}

	// ------------------------------------------------------------------ endpoints

	private buildRoutes(): Route[] {
		const get = (fn: (ctx: Ctx, m: RegExpExecArray) => Record<string, unknown>): Record<string, Handler> => ({
			GET: (ctx, m) => this.json(fn(ctx, m)),
		});
		const model = this.model;
		const dec = (s: string): string => {
			try {
				return decodeURIComponent(s);
			} catch {
				return s;
			}
		};
		return [
			// Bulk lead import
			{ re: /^\/bulk\/v1\/leads\.json$/, methods: { POST: (ctx) => this.bulkSubmit(ctx, 'lead') } },
			{ re: /^\/bulk\/v1\/leads\/batch\/([^/]+)\.json$/, methods: { GET: (ctx, m) => this.bulkStatus('lead', dec(m[1])) } },
			{
				re: /^\/bulk\/v1\/leads\/batch\/([^/]+)\/(failures|warnings)\.json$/,
				methods: { GET: (ctx, m) => this.bulkFile('lead', dec(m[1]), m[2] as 'failures' | 'warnings') },
			},
			// Custom objects
			{
				re: /^\/bulk\/v1\/customobjects\/([^/]+)\/import\.json$/,
				methods: { POST: (ctx, m) => this.bulkSubmit(ctx, 'customObject', dec(m[1])) },
			},
			{
				re: /^\/bulk\/v1\/customobjects\/([^/]+)\/import\/([^/]+)\/status\.json$/,
				methods: { GET: (ctx, m) => this.bulkStatus('customObject', dec(m[2]), dec(m[1])) },
			},
			{
				re: /^\/bulk\/v1\/customobjects\/([^/]+)\/import\/([^/]+)\/(failures|warnings)\.json$/,
				methods: {
					GET: (ctx, m) => this.bulkFile('customObject', dec(m[2]), m[3] as 'failures' | 'warnings', dec(m[1])),
				},
			},
			// Program members
			{
				re: /^\/bulk\/v1\/program\/members\/import\/([^/]+)\/status\.json$/,
				methods: { GET: (ctx, m) => this.bulkStatus('programMember', dec(m[1])) },
			},
			{
				re: /^\/bulk\/v1\/program\/members\/import\/([^/]+)\/(failures|warnings)\.json$/,
				methods: { GET: (ctx, m) => this.bulkFile('programMember', dec(m[1]), m[2] as 'failures' | 'warnings') },
			},
			{
				re: /^\/bulk\/v1\/program\/([^/]+)\/members\/import\.json$/,
				methods: { POST: (ctx, m) => this.bulkSubmit(ctx, 'programMember', dec(m[1])) },
			},
			// Lead database metadata
			{ re: /^\/rest\/v1\/leads\/describe\.json$/, methods: get(() => meta.describe(model)) },
			{ re: /^\/rest\/v1\/leads\/describe2\.json$/, methods: get(() => meta.describe2(model)) },
			{ re: /^\/rest\/v1\/leads\/partitions\.json$/, methods: get(() => meta.partitions(model)) },
			{ re: /^\/rest\/v1\/leads\.json$/, methods: get((ctx) => this.withPump(() => meta.leadsByFilter(model, ctx.query))) },
			{ re: /^\/rest\/v1\/lists\.json$/, methods: get((ctx) => meta.lists(model, ctx.query)) },
			{ re: /^\/rest\/v1\/lists\/([^/]+)\.json$/, methods: get((ctx, m) => meta.listById(model, dec(m[1]))) },
			{
				re: /^\/rest\/v1\/lists\/([^/]+)\/leads\.json$/,
				methods: get((ctx, m) => this.withPump(() => meta.listLeads(model, dec(m[1]), ctx.query))),
			},
			{ re: /^\/rest\/v1\/customobjects\.json$/, methods: get((ctx) => meta.customObjects(model, ctx.query)) },
			{
				re: /^\/rest\/v1\/customobjects\/([^/]+)\/describe\.json$/,
				methods: get((ctx, m) => meta.customObjectDescribe(model, dec(m[1]))),
			},
			{ re: /^\/rest\/v1\/programs?\/members\/describe\.json$/, methods: get(() => meta.programMembersDescribe(model)) },
			// Asset API
			{ re: /^\/rest\/asset\/v1\/staticLists\.json$/, methods: get((ctx) => meta.assetStaticLists(model, ctx.query)) },
			{ re: /^\/rest\/asset\/v1\/staticList\/([^/]+)\.json$/, methods: get((ctx, m) => meta.assetStaticList(model, dec(m[1]))) },
			{ re: /^\/rest\/asset\/v1\/programs\.json$/, methods: get((ctx) => meta.programs(model, ctx.query)) },
			{ re: /^\/rest\/asset\/v1\/program\/([^/]+)\.json$/, methods: get((ctx, m) => meta.program(model, dec(m[1]))) },
			{ re: /^\/rest\/asset\/v1\/channels\.json$/, methods: get((ctx) => meta.channels(model, ctx.query)) },
		];
	}

	private withPump<T>(fn: () => T): T {
		this.imports.pump();
		return fn();
	}

	private bulkSubmit(ctx: Ctx, kind: ImportKind, pathParam?: string): Reply {
		const mp = this.multipart(ctx);
		if (mp.error === 'type') return this.error('612', 'Invalid Content Type');
		if (mp.error === 'parse' || !mp.parts) return this.error('613', 'Invalid Multipart Request');
		if (ctx.body.length > this.options.maxBulkBodyBytes) return this.plain(413);
		const formFields: Record<string, string> = {};
		let file: MultipartPart | undefined;
		for (const part of mp.parts) {
			const isFile =
				part.name === 'file' && !file && (part.filename !== undefined || !this.options.fileRequiresFilename);
			if (isFile) file = part;
			else if (part.filename === undefined && !(part.name in formFields)) {
				formFields[part.name] = SECRET_KEYS.has(part.name) ? '[REDACTED]' : part.data.toString('utf8');
			}
		}
		const input = {
			query: redact(ctx.query),
			formFields,
			file,
			requestContentType: ctx.contentType,
			objectApiName: kind === 'customObject' ? pathParam : undefined,
			programId: kind === 'programMember' ? pathParam : undefined,
		};
		let result: SubmitResult;
		if (kind === 'lead') result = this.imports.submitLead(input);
		else if (kind === 'customObject') result = this.imports.submitCustomObject(input);
		else result = this.imports.submitProgramMembers(input);
		if (!result.ok) return this.error(result.code, result.message);
		ctx.createdBatchId = result.job.batchId;
		return this.json({ result: [this.imports.createBody(result.job)], success: true });
	}

	private bulkStatus(kind: ImportKind, id: string, apiName?: string): Reply {
		const r = this.imports.get(kind, id, apiName);
		if (!r.ok) return this.error(r.code, r.message);
		return this.json({ result: [this.imports.statusBody(r.job)], success: true });
	}

	private bulkFile(kind: ImportKind, id: string, which: 'failures' | 'warnings', apiName?: string): Reply {
		const r = this.imports.get(kind, id, apiName);
		if (!r.ok) return this.error(r.code, r.message);
		const f = this.imports.report(r.job, which);
		return { kind: 'http', status: f.status, headers: f.headers, body: f.body };
	}

	// ------------------------------------------------------------------ /__emulator hooks

	private hookJson(status: number, body: unknown): Reply {
		return { kind: 'http', status, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(body) };
	}

	state(): Record<string, unknown> {
		return {
			url: this.url,
			now: this.clock.now(),
			tokenIssues: this.identity.issues,
			identityCalls: this.identity.calls,
			inFlight: this.limits.inFlight,
			rateWindowCount: this.limits.windowCount(),
			quotaUsed: this.limits.quotaUsed,
			activeImports: this.imports.activeCount(),
			faults: this.faults.pending(),
		};
	}

	private hook(method: string, path: string, query: Record<string, string>, raw: Buffer): Reply {
		let body: Record<string, unknown> = {};
		if (raw.length > 0) {
			try {
				const parsed: unknown = JSON.parse(raw.toString('utf8'));
				if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
			} catch {
				return this.hookJson(400, { error: 'Invalid JSON body' });
			}
		}
		const p = path.replace(/\/+$/, '');
		const okReply = this.hookJson(200, { ok: true });
		let m: RegExpExecArray | null;
		if (p === '/__emulator' || p === '/__emulator/state') return this.hookJson(200, this.state());
		if (p === '/__emulator/reset' && method === 'POST') {
			this.reset();
			return okReply;
		}
		if (p === '/__emulator/configure' && method === 'POST') {
			this.configure(body as EmulatorOptions);
			return okReply;
		}
		if (p === '/__emulator/options' && method === 'GET') {
			return this.hookJson(200, {
				...this.options,
				clients: this.options.clients.map((c) => ({ clientId: c.clientId, scopeEmail: c.scopeEmail })),
			});
		}
		if (p === '/__emulator/tokens/expire' && method === 'POST') {
			this.identity.expireAll();
			return okReply;
		}
		if (p === '/__emulator/faults') {
			if (method === 'DELETE') {
				this.faults.clear();
				return okReply;
			}
			if (method === 'GET') return this.hookJson(200, this.faults.pending());
			if (method === 'POST') {
				const list = Array.isArray(body) ? (body as Record<string, unknown>[]) : [body];
				for (const f of list) {
					if (typeof f.path !== 'string' || f.response === undefined) {
						return this.hookJson(400, { error: 'path and response are required' });
					}
					this.faults.add({
						path: f.regex === true ? new RegExp(f.path) : f.path,
						method: typeof f.method === 'string' ? f.method : undefined,
						response: String(f.response),
						count: typeof f.count === 'number' ? f.count : undefined,
						message: typeof f.message === 'string' ? f.message : undefined,
						when: f.when === 'after' ? 'after' : undefined,
					});
				}
				return okReply;
			}
		}
		if (p === '/__emulator/fail-next-job' && method === 'POST') {
			this.imports.failNextJob(typeof body.message === 'string' ? body.message : undefined);
			return okReply;
		}
		if (p === '/__emulator/jobs' && method === 'GET') {
			return this.hookJson(200, this.jobs().map(jobToJson));
		}
		if ((m = /^\/__emulator\/jobs\/(\d+)$/.exec(p)) && method === 'GET') {
			const job = this.jobs().find((j) => j.batchId === Number(m?.[1]));
			return job ? this.hookJson(200, jobToJson(job)) : this.hookJson(404, { error: 'no such job' });
		}
		if (p === '/__emulator/creates' && method === 'GET') return this.hookJson(200, this.creates());
		if (p === '/__emulator/leads' && method === 'GET') return this.hookJson(200, this.leads());
		if ((m = /^\/__emulator\/lists\/(\d+)\/members$/.exec(p)) && method === 'GET') {
			return this.hookJson(200, this.listMembers(Number(m[1])));
		}
		if ((m = /^\/__emulator\/custom-objects\/([^/]+)\/records$/.exec(p)) && method === 'GET') {
			return this.hookJson(200, this.model.customObjectRecords.list(decodeURIComponent(m[1])));
		}
		if ((m = /^\/__emulator\/programs\/(\d+)\/members$/.exec(p)) && method === 'GET') {
			this.imports.pump();
			return this.hookJson(200, this.model.programMembers.list(Number(m[1])));
		}
		if (p === '/__emulator/requests' && method === 'GET') {
			const all = this.requests();
			const last = Number(query.last);
			return this.hookJson(200, Number.isFinite(last) && last > 0 ? all.slice(-last) : all);
		}
		if (p === '/__emulator/clock/advance' && method === 'POST') {
			const ms = Number(body.ms ?? query.ms);
			if (!Number.isFinite(ms) || ms < 0) return this.hookJson(400, { error: 'ms must be a non-negative number' });
			this.advanceClock(ms);
			return this.hookJson(200, { ok: true, now: this.clock.now() });
		}
		if (p === '/__emulator/quota/reset' && method === 'POST') {
			this.limits.resetQuota();
			return okReply;
		}
		return this.hookJson(404, { error: `unknown emulator hook ${method} ${p}` });
	}
}

export function jobToJson(job: EmulatedJob): Record<string, unknown> {
	return { ...job, file: job.file.toString('base64'), fileText: job.file.toString('utf8') };
}
