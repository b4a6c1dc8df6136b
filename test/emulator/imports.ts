/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * Bulk import jobs (reference §7.5–§7.10): submission checks for leads, custom objects and
 * program members, one shared FIFO queue, time-driven processing with "so far" counters,
 * per-row rules, status bodies and failures/warnings report files.
 */
import { DELIMITERS, decodeFile, parseDelimited, writeDelimited, type ImportFormat } from './csv';
import type { Clock } from './limits';
import {
	STANDARD_LOOKUP_FIELDS,
	isoNow,
	validateValue,
	type CustomObjectType,
	type Model,
} from './model';
import type { MultipartPart } from './multipart';
import type { ResolvedOptions } from './options';

export type ImportKind = 'lead' | 'customObject' | 'programMember';
export type JobStatus = 'Queued' | 'Importing' | 'Complete' | 'Failed';

export interface ReportRow {
	/** 1-based data row number in the uploaded file (header excluded). */
	line: number;
	row: string[];
	reason: string;
}

export interface EmulatedJob {
	batchId: number;
	kind: ImportKind;
	status: JobStatus;
	format: ImportFormat;
	/** `format` exactly as sent (undefined when defaulted). */
	formatParam?: string;
	delimiter: string;
	lookupField?: string;
	listId?: number;
	partitionName?: string;
	programId?: number;
	programMemberStatus?: string;
	objectApiName?: string;
	/** Raw bytes of the `file` part, exactly as uploaded. */
	file: Buffer;
	filename?: string;
	partContentType?: string;
	partHeaders: Record<string, string>;
	requestContentType: string;
	/** Multipart text fields (parts without a filename). */
	formFields: Record<string, string>;
	query: Record<string, string>;
	hasBom: boolean;
	/** Header row as parsed (a BOM that was not stripped stays on the first name). */
	header: string[];
	dataRows: number;
	counters: { processed: number; failed: number; warnings: number };
	message?: string;
	failures: ReportRow[];
	warnings: ReportRow[];
	createdAt: number;
	startedAt?: number;
	finishedAt?: number;
}

interface Column {
	index: number;
	name: string;
	displayName: string;
	dataType: string;
	length?: number;
	target: 'lead' | 'pm' | 'co' | 'ignore';
}

interface Job extends EmulatedJob {
	rows: string[][];
	parseError?: string;
	cursor: number;
	durationMs: number;
	failMessage?: string;
	columns: Column[];
	lookupIndex: number;
	partitionId?: number;
	coType?: CustomObjectType;
}

export interface SubmitInput {
	query: Record<string, string>;
	formFields: Record<string, string>;
	file?: MultipartPart;
	requestContentType: string;
	objectApiName?: string;
	programId?: string;
}

export type Failure = { ok: false; code: string; message: string };
export type SubmitResult = { ok: true; job: EmulatedJob } | Failure;
export type Lookup = { ok: true; job: EmulatedJob } | Failure;

export interface FileReply {
	status: number;
	headers: Record<string, string>;
	body: string;
}

type RowOutcome = { kind: 'ok' } | { kind: 'warning'; reason: string } | { kind: 'failed'; reason: string };

const fail = (code: string, message: string): Failure => ({ ok: false, code, message });

function messageFor(p: number, f: number, w: number): string {
	let m =
		f > 0
			? `Import completed with errors, ${p} records imported (${p} members), ${f} failed`
			: `Import succeeded, ${p} records imported (${p} members)`;
	if (w > 0) m += `, ${w} warning.`;
	return m;
}

export class ImportManager {
	private jobsById = new Map<number, Job>();
	private order: Job[] = [];
	private nextBatchId: number;
	private failNext: string[] = [];
	private timer: ReturnType<typeof setTimeout> | undefined;
	private disposed = false;

	constructor(
		private readonly options: () => ResolvedOptions,
		private readonly clock: Clock,
		private readonly model: Model,
	) {
		this.nextBatchId = options().batchIdStart;
	}

	// ------------------------------------------------------------------ submission

	private params(input: SubmitInput): Record<string, string> {
		return { ...input.formFields, ...input.query };
	}

	private format(raw: string | undefined, required: boolean): { format: ImportFormat } | Failure {
		if (raw === undefined || raw === '') {
			if (required) return fail('1002', "Missing value for the required parameter 'format'");
			return { format: 'csv' };
		}
		const v = this.options().formatCaseInsensitive ? raw.toLowerCase() : raw;
		if (v === 'csv' || v === 'tsv' || v === 'ssv') return { format: v };
		return fail('1001', `Invalid value '${raw}'. Required of type 'format'`);
	}

	private queueFull(): Failure | undefined {
		this.pump();
		const o = this.options();
		const active = this.order.filter((j) => j.status === 'Queued' || j.status === 'Importing').length;
		if (active >= o.maxQueuedImports) {
			return fail('1016', o.queueFullMessage.replace('{n}', String(o.maxQueuedImports)));
		}
		return undefined;
	}

	private readFile(
		input: SubmitInput,
		fmt: ImportFormat,
	): { header: string[]; rows: string[][]; hasBom: boolean; parseError?: string } | Failure {
		const file = input.file as MultipartPart;
		const decoded = decodeFile(file.data);
		if (decoded.text.trim() === '') return fail('1003', 'Empty file');
		const parsed = parseDelimited(decoded.text, DELIMITERS[fmt]);
		if (parsed.rows.length < 2) return fail('1003', 'Empty file');
		const header = [...parsed.rows[0]];
		if (decoded.hadBom && !this.options().stripBom) header[0] = `\uFEFF${header[0]}`;
		return { header, rows: parsed.rows.slice(1), hasBom: decoded.hadBom, parseError: parsed.error };
	}

	private newJob(
		kind: ImportKind,
		input: SubmitInput,
		fmt: ImportFormat,
		formatParam: string | undefined,
		file: { header: string[]; rows: string[][]; hasBom: boolean; parseError?: string },
		columns: Column[],
	): Job {
		const part = input.file as MultipartPart;
		const job: Job = {
			batchId: this.nextBatchId++,
			kind,
			status: 'Queued',
			format: fmt,
			formatParam,
			delimiter: DELIMITERS[fmt],
			file: Buffer.from(part.data),
			filename: part.filename,
			partContentType: part.contentType,
			partHeaders: { ...part.headers },
			requestContentType: input.requestContentType,
			formFields: { ...input.formFields },
			query: { ...input.query },
			hasBom: file.hasBom,
			header: file.header,
			dataRows: file.rows.length,
			counters: { processed: 0, failed: 0, warnings: 0 },
			failures: [],
			warnings: [],
			createdAt: this.clock.now(),
			rows: file.rows,
			parseError: file.parseError,
			cursor: 0,
			durationMs: 0,
			failMessage: this.failNext.shift(),
			columns,
			lookupIndex: -1,
		};
		return job;
	}

	private accept(job: Job): SubmitResult {
		this.jobsById.set(job.batchId, job);
		this.order.push(job);
		this.pump();
		return { ok: true, job };
	}

	submitLead(input: SubmitInput): SubmitResult {
		const o = this.options();
		const p = this.params(input);
		if (!input.file) return fail('1002', "Missing value for the required parameter 'file'");
		if (input.file.data.length === 0) return fail('1003', 'Empty file');
		const f = this.format(p.format, false);
		if ('ok' in f) return f;

		const lookupName = p.lookupField === undefined || p.lookupField === '' ? 'email' : p.lookupField;
		const lookup = this.model.field(lookupName, o.headerCaseInsensitive);
		if (!lookup) return fail('1006', `Field '${lookupName}' not found`);
		const lookupAllowed =
			STANDARD_LOOKUP_FIELDS.includes(lookup.restName) ||
			(lookup.custom === true && ['string', 'email', 'integer'].includes(lookup.dataType));
		if (!lookupAllowed) return fail('1011', `Field '${lookupName}' not supported`);

		let listId: number | undefined;
		if (p.listId !== undefined && p.listId !== '') {
			if (!/^\d+$/.test(p.listId) || !this.model.staticList(Number(p.listId))) {
				return fail('1013', 'Object not found');
			}
			listId = Number(p.listId);
		}

		let partitionId: number | undefined;
		let partitionName: string | undefined;
		if (p.partitionName !== undefined && p.partitionName !== '') {
			const part = this.model.partitionByName(p.partitionName);
			if (!part) return fail('1003', `Partition '${p.partitionName}' not found`);
			partitionId = part.id;
			partitionName = part.name;
		} else if (this.model.partitions().length > 1 && o.requirePartitionWhenMultiple) {
			return fail('1009', 'Partition name must be specified');
		}

		const file = this.readFile(input, f.format);
		if ('ok' in file) return file;
		const columns: Column[] = [];
		for (let i = 0; i < file.header.length; i++) {
			const name = file.header[i];
			const field = this.model.field(name, o.headerCaseInsensitive);
			if (!field || field.restReadOnly) return fail('1006', `Field '${name}' not found`);
			columns.push({
				index: i,
				name: field.restName,
				displayName: field.displayName,
				dataType: field.dataType,
				length: field.length,
				target: 'lead',
			});
		}
		const full = this.queueFull();
		if (full) return full;

		const job = this.newJob('lead', input, f.format, p.format, file, columns);
		job.lookupField = lookup.restName;
		job.lookupIndex = columns.findIndex((c) => c.name === lookup.restName);
		job.listId = listId;
		job.partitionName = partitionName;
		job.partitionId = partitionId;
		return this.accept(job);
	}

	submitCustomObject(input: SubmitInput): SubmitResult {
		const co = this.model.customObject(input.objectApiName ?? '');
		if (!co) return fail('1013', 'Object not found');
		const p = this.params(input);
		if (!input.file) return fail('1002', "Missing value for the required parameter 'file'");
		if (input.file.data.length === 0) return fail('1003', 'Empty file');
		const f = this.format(p.format, false);
		if ('ok' in f) return f;
		const file = this.readFile(input, f.format);
		if ('ok' in file) return file;
		const columns: Column[] = file.header.map((name, index) => {
			const fd = co.fields.find((x) => x.name === name);
			const writable = fd !== undefined && (fd.updateable !== false || co.dedupeFields.includes(fd.name));
			return {
				index,
				name,
				displayName: fd?.displayName ?? name,
				dataType: fd?.dataType ?? 'string',
				length: fd?.length,
				target: writable ? 'co' : 'ignore',
			};
		});
		const full = this.queueFull();
		if (full) return full;
		const job = this.newJob('customObject', input, f.format, p.format, file, columns);
		job.objectApiName = co.name;
		job.coType = co;
		return this.accept(job);
	}

	submitProgramMembers(input: SubmitInput): SubmitResult {
		const o = this.options();
		const rawId = input.programId ?? '';
		if (!/^\d+$/.test(rawId)) return fail('1001', `Invalid value '${rawId}'. Required of type 'Integer'`);
		const program = this.model.program(Number(rawId));
		if (!program) return fail('1013', 'Object not found');
		const p = this.params(input);
		const status = p.programMemberStatus;
		if (status === undefined || status === '') {
			return fail('1002', "Missing value for the required parameter 'programMemberStatus'");
		}
		const st = this.model.programStatuses(program).find((s) => s.name === status);
		if (!st) return fail('1025', 'Program status not found');
		if (!input.file) return fail('1002', "Missing value for the required parameter 'file'");
		if (input.file.data.length === 0) return fail('1003', 'Empty file');
		const f = this.format(p.format, true);
		if ('ok' in f) return f;
		const file = this.readFile(input, f.format);
		if ('ok' in file) return file;
		const columns: Column[] = [];
		for (let i = 0; i < file.header.length; i++) {
			const name = file.header[i];
			const lf = this.model.field(name, o.headerCaseInsensitive);
			if (lf && !lf.restReadOnly) {
				columns.push({ index: i, name: lf.restName, displayName: lf.displayName, dataType: lf.dataType, length: lf.length, target: 'lead' });
				continue;
			}
			const pf = this.model.programMemberField(name);
			if (pf && pf.updateable) {
				columns.push({ index: i, name: pf.name, displayName: pf.displayName, dataType: pf.dataType, length: pf.length, target: 'pm' });
				continue;
			}
			return fail('1006', `Field '${name}' not found`);
		}
		const emailIndex = columns.findIndex((c) => c.name === 'email' && c.target === 'lead');
		if (emailIndex < 0) return fail('1006', "Field 'email' not found");
		const full = this.queueFull();
		if (full) return full;
		const job = this.newJob('programMember', input, f.format, p.format, file, columns);
		job.programId = program.id;
		job.programMemberStatus = st.name;
		job.lookupField = 'email';
		job.lookupIndex = emailIndex;
		return this.accept(job);
	}

	failNextJob(message?: string): void {
		this.failNext.push(message ?? 'Injected fault');
	}

	// ------------------------------------------------------------------ lookup

	get(kind: ImportKind, rawId: string, objectApiName?: string): Lookup {
		if (!/^\d+$/.test(rawId)) return fail('1001', `Invalid value '${rawId}'. Required of type 'Integer'`);
		this.pump();
		const job = this.jobsById.get(Number(rawId));
		const o = this.options();
		const expired = job !== undefined && job.createdAt + o.batchRetentionDays * 86400000 <= this.clock.now();
		const wrongObject =
			job !== undefined &&
			kind === 'customObject' &&
			(objectApiName ?? '').toLowerCase() !== (job.objectApiName ?? '').toLowerCase();
		if (!job || job.kind !== kind || expired || wrongObject) {
			return fail(o.unknownBatch.code, o.unknownBatch.message);
		}
		return { ok: true, job };
	}

	statusBody(job: EmulatedJob): Record<string, unknown> {
		const base: Record<string, unknown> =
			job.kind === 'customObject'
				? {
						batchId: job.batchId,
						operation: 'import',
						status: job.status,
						objectApiName: job.objectApiName,
						numOfObjectsProcessed: job.counters.processed,
						numOfRowsFailed: job.counters.failed,
						numOfRowsWithWarning: job.counters.warnings,
						importTime: `${this.importSeconds(job)} second(s)`,
					}
				: {
						batchId: job.batchId,
						importId: String(job.batchId),
						status: job.status,
						numOfLeadsProcessed: job.counters.processed,
						numOfRowsFailed: job.counters.failed,
						numOfRowsWithWarning: job.counters.warnings,
					};
		if (job.message !== undefined) base.message = job.message;
		return base;
	}

	createBody(job: EmulatedJob): Record<string, unknown> {
		if (job.kind === 'customObject') {
			return { batchId: job.batchId, status: job.status, objectApiName: job.objectApiName };
		}
		return { batchId: job.batchId, importId: String(job.batchId), status: job.status };
	}

	private importSeconds(job: EmulatedJob): number {
		if (job.startedAt === undefined) return 0;
		const end = job.finishedAt ?? this.clock.now();
		return Math.max(0, Math.floor((end - job.startedAt) / 1000));
	}

	report(job: EmulatedJob, which: 'failures' | 'warnings'): FileReply {
		const o = this.options();
		const notFound: FileReply = { status: 404, headers: {}, body: '' };
		const rows = which === 'failures' ? job.failures : job.warnings;
		if (job.status === 'Queued' || job.status === 'Importing') return notFound;
		if (job.status === 'Failed' && rows.length === 0) return notFound;
		const csvHeaders = { 'Content-Type': 'text/csv;charset=UTF-8' };
		if (rows.length === 0) {
			return o.noFileMode === 'empty200' ? { status: 200, headers: csvHeaders, body: '' } : notFound;
		}
		let header = job.header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h));
		let records = rows.map((r) => [...r.row]);
		if (o.teknklQuirk && job.lookupField !== undefined && header[header.length - 1] === job.lookupField) {
			const last = header.length - 1;
			let dropped = 0;
			records = records.map((r) => {
				if (r.length === header.length && r[last] === '') {
					dropped++;
					return r.slice(0, last);
				}
				return r;
			});
			if (dropped === records.length) header = header.slice(0, last);
		}
		const reasonHeader = which === 'failures' ? 'Import Failure Reason' : 'Import Warning Reason';
		const out = records.map((r, i) => [...r, rows[i].reason]);
		if (o.shuffleFailureRows) {
			for (let i = out.length - 1; i > 0; i--) {
				const j = Math.floor(Math.random() * (i + 1));
				[out[i], out[j]] = [out[j], out[i]];
			}
		}
		const body = writeDelimited([[...header, reasonHeader], ...out], job.delimiter, o.reportTrailingNewline);
		return { status: 200, headers: csvHeaders, body };
	}

	// ------------------------------------------------------------------ scheduler

	/** Advances every job to the current clock time (event-driven, deterministic). */
	pump(): void {
		if (this.disposed) return;
		const now = this.clock.now();
		let lastEvent = -Infinity;
		for (;;) {
			const o = this.options();
			const importing = this.order.filter((j) => j.status === 'Importing');
			let finishJob: Job | undefined;
			let finishAt = Infinity;
			for (const j of importing) {
				const end = (j.startedAt as number) + j.durationMs;
				if (end < finishAt) {
					finishAt = end;
					finishJob = j;
				}
			}
			const head = this.order.find((j) => j.status === 'Queued');
			let startAt = Infinity;
			if (head && importing.length < o.maxConcurrentImports) {
				startAt = Math.max(head.createdAt + o.queuedMinMs, lastEvent);
			}
			const t = Math.min(finishAt, startAt);
			if (t > now) break;
			if (finishJob && finishAt <= startAt) this.finish(finishJob, finishAt);
			else if (head) this.start(head, startAt);
			lastEvent = t;
		}
		for (const j of this.order) if (j.status === 'Importing') this.advance(j, now);
		this.purgeExpired(now);
		this.schedule(now);
	}

	private purgeExpired(now: number): void {
		const keepMs = this.options().batchRetentionDays * 86400000;
		if (this.order.length === 0 || this.order[0].createdAt + keepMs > now) return;
		this.order = this.order.filter((j) => {
			const keep = j.createdAt + keepMs > now || j.status === 'Queued' || j.status === 'Importing';
			if (!keep) this.jobsById.delete(j.batchId);
			return keep;
		});
	}

	private schedule(now: number): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		const o = this.options();
		let next = Infinity;
		const importing = this.order.filter((j) => j.status === 'Importing');
		for (const j of importing) next = Math.min(next, (j.startedAt as number) + j.durationMs);
		const head = this.order.find((j) => j.status === 'Queued');
		if (head && importing.length < o.maxConcurrentImports) next = Math.min(next, head.createdAt + o.queuedMinMs);
		if (next === Infinity) return;
		const delay = Math.max(0, Math.min(next - now, 2147483647)) + 1;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.pump();
		}, delay);
		if (typeof this.timer.unref === 'function') this.timer.unref();
	}

	private start(job: Job, at: number): void {
		const o = this.options();
		job.status = 'Importing';
		job.startedAt = at;
		if (job.failMessage !== undefined) {
			this.failJob(job, at, job.failMessage);
			return;
		}
		if (job.parseError !== undefined) {
			this.failJob(job, at, job.parseError);
			return;
		}
		if (job.rows.length === 0) {
			this.failJob(job, at, 'No data rows');
			return;
		}
		const byRate = o.rowsPerSecond > 0 ? Math.ceil((job.rows.length / o.rowsPerSecond) * 1000) : 0;
		job.durationMs = Math.max(o.importMinMs, byRate, 0);
	}

	private failJob(job: Job, at: number, reason: string): void {
		job.status = 'Failed';
		job.finishedAt = at;
		job.counters = { processed: 0, failed: 0, warnings: 0 };
		job.message = reason.startsWith('Import failed') ? reason : `Import failed: ${reason}`;
		job.rows = [];
	}

	private finish(job: Job, at: number): void {
		this.processUpTo(job, job.rows.length);
		job.status = 'Complete';
		job.finishedAt = at;
		job.message = messageFor(job.counters.processed, job.counters.failed, job.counters.warnings);
		job.rows = [];
	}

	private advance(job: Job, now: number): void {
		const elapsed = now - (job.startedAt as number);
		const fraction = job.durationMs > 0 ? Math.min(1, elapsed / job.durationMs) : 1;
		this.processUpTo(job, Math.floor(job.rows.length * fraction));
	}

	private processUpTo(job: Job, target: number): void {
		while (job.cursor < target && job.cursor < job.rows.length) {
			const row = job.rows[job.cursor];
			const line = job.cursor + 1;
			job.cursor++;
			let outcome: RowOutcome;
			try {
				outcome = this.processRow(job, row);
			} catch (e) {
				outcome = { kind: 'failed', reason: `System error: ${(e as Error).message}` };
			}
			if (outcome.kind === 'failed') {
				job.counters.failed++;
				job.failures.push({ line, row, reason: outcome.reason });
			} else {
				job.counters.processed++;
				if (outcome.kind === 'warning') {
					job.counters.warnings++;
					job.warnings.push({ line, row, reason: outcome.reason });
				}
			}
		}
	}

	// ------------------------------------------------------------------ row rules

	private validateRow(
		job: Job,
		row: string[],
	): { failed?: string; values: Map<Column['target'], Record<string, unknown>>; cleared: Map<Column['target'], string[]>; warning?: string } {
		const values = new Map<Column['target'], Record<string, unknown>>();
		const cleared = new Map<Column['target'], string[]>();
		let warning: string | undefined;
		const clear = this.options().emptyCellsClear;
		for (const col of job.columns) {
			if (col.target === 'ignore') continue;
			const raw = row[col.index] ?? '';
			if (raw === '') {
				if (clear) {
					const list = cleared.get(col.target) ?? [];
					list.push(col.name);
					cleared.set(col.target, list);
				}
				continue;
			}
			const v = validateValue(col.dataType, raw, col.length);
			if (!v.ok) return { failed: `Invalid data type in field ${col.displayName}`, values, cleared };
			if (v.warning === 'email' && warning === undefined) warning = 'Invalid email address';
			if (v.warning === 'truncated' && warning === undefined) warning = `Value for field ${col.displayName} truncated`;
			const rec = values.get(col.target) ?? {};
			rec[col.name] = v.value;
			values.set(col.target, rec);
		}
		return { values, cleared, warning };
	}

	private processRow(job: Job, row: string[]): RowOutcome {
		if (row.length !== job.header.length) return { kind: 'failed', reason: 'Invalid number of columns' };
		switch (job.kind) {
			case 'lead':
				return this.leadRow(job, row);
			case 'customObject':
				return this.customObjectRow(job, row);
			default:
				return this.programMemberRow(job, row);
		}
	}

	private upsertLead(
		lookupField: string,
		values: Record<string, unknown>,
		cleared: string[],
		partitionId: number | undefined,
	): { ok: true; leadId: number } | { ok: false; reason: string } {
		const store = this.model.leads;
		const nowIso = isoNow(this.clock.now());
		let lead;
		if (lookupField === 'id') {
			lead = store.get(Number(values.id));
			if (!lead) return { ok: false, reason: 'Lead not found' };
		} else {
			let matches = store.find(lookupField, values[lookupField]);
			if (partitionId !== undefined) matches = matches.filter((l) => l.leadPartitionId === partitionId);
			if (matches.length > 1) return { ok: false, reason: 'Multiple leads match the lookup criteria' };
			lead = matches[0];
		}
		if (lead) {
			for (const [k, v] of Object.entries(values)) {
				if (k === 'id' || k === 'leadPartitionId') continue;
				store.set(lead, k, v);
			}
			for (const k of cleared) {
				if (k === 'id' || k === 'leadPartitionId' || k === lookupField) continue;
				store.set(lead, k, undefined);
			}
			store.set(lead, 'updatedAt', nowIso);
		} else {
			lead = store.create(values, partitionId ?? this.model.defaultPartition().id, nowIso);
		}
		return { ok: true, leadId: lead.id };
	}

	private leadRow(job: Job, row: string[]): RowOutcome {
		const lookupField = job.lookupField as string;
		const lookupRaw = job.lookupIndex >= 0 ? row[job.lookupIndex] : '';
		if (lookupRaw.trim() === '') {
			return { kind: 'failed', reason: `Value for lookup field '${lookupField}' not found` };
		}
		const v = this.validateRow(job, row);
		if (v.failed) return { kind: 'failed', reason: v.failed };
		const res = this.upsertLead(lookupField, v.values.get('lead') ?? {}, v.cleared.get('lead') ?? [], job.partitionId);
		if (!res.ok) return { kind: 'failed', reason: res.reason };
		if (job.listId !== undefined) this.model.leads.addToList(job.listId, res.leadId);
		return v.warning ? { kind: 'warning', reason: v.warning } : { kind: 'ok' };
	}

	private customObjectRow(job: Job, row: string[]): RowOutcome {
		const co = job.coType as CustomObjectType;
		const key: string[] = [];
		for (const d of co.dedupeFields) {
			const idx = job.header.indexOf(d);
			if (idx < 0 || (row[idx] ?? '') === '') return { kind: 'failed', reason: 'missing.dedupe.fields' };
			key.push(row[idx]);
		}
		const v = this.validateRow(job, row);
		if (v.failed) return { kind: 'failed', reason: v.failed };
		this.model.customObjectRecords.upsert(
			co.name,
			JSON.stringify(key),
			v.values.get('co') ?? {},
			isoNow(this.clock.now()),
			(v.cleared.get('co') ?? []).filter((c) => !co.dedupeFields.includes(c)),
		);
		return v.warning ? { kind: 'warning', reason: v.warning } : { kind: 'ok' };
	}

	private programMemberRow(job: Job, row: string[]): RowOutcome {
		if ((row[job.lookupIndex] ?? '').trim() === '') {
			return { kind: 'failed', reason: "Value for lookup field 'email' not found" };
		}
		const v = this.validateRow(job, row);
		if (v.failed) return { kind: 'failed', reason: v.failed };
		const res = this.upsertLead('email', v.values.get('lead') ?? {}, v.cleared.get('lead') ?? [], undefined);
		if (!res.ok) return { kind: 'failed', reason: res.reason };
		this.model.programMembers.set(
			job.programId as number,
			res.leadId,
			job.programMemberStatus as string,
			v.values.get('pm') ?? {},
			isoNow(this.clock.now()),
		);
		return v.warning ? { kind: 'warning', reason: v.warning } : { kind: 'ok' };
	}

	// ------------------------------------------------------------------ inspection

	list(): EmulatedJob[] {
		this.pump();
		return this.order.map((j) => snapshot(j));
	}

	activeCount(): number {
		return this.order.filter((j) => j.status === 'Queued' || j.status === 'Importing').length;
	}

	reset(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.jobsById.clear();
		this.order = [];
		this.failNext = [];
		this.nextBatchId = this.options().batchIdStart;
	}

	dispose(): void {
		this.disposed = true;
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
	}
}

function snapshot(j: Job): EmulatedJob {
	return {
		batchId: j.batchId,
		kind: j.kind,
		status: j.status,
		format: j.format,
		formatParam: j.formatParam,
		delimiter: j.delimiter,
		lookupField: j.lookupField,
		listId: j.listId,
		partitionName: j.partitionName,
		programId: j.programId,
		programMemberStatus: j.programMemberStatus,
		objectApiName: j.objectApiName,
		file: j.file,
		filename: j.filename,
		partContentType: j.partContentType,
		partHeaders: { ...j.partHeaders },
		requestContentType: j.requestContentType,
		formFields: { ...j.formFields },
		query: { ...j.query },
		hasBom: j.hasBom,
		header: [...j.header],
		dataRows: j.dataRows,
		counters: { ...j.counters },
		message: j.message,
		failures: j.failures.map((r) => ({ ...r, row: [...r.row] })),
		warnings: j.warnings.map((r) => ({ ...r, row: [...r.row] })),
		createdAt: j.createdAt,
		startedAt: j.startedAt,
		finishedAt: j.finishedAt,
	};
}
