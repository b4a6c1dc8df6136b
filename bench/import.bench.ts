/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * End-to-end import benchmark, worker side: the real node, inside n8n-core's WorkflowExecute
 * (via the test harness), against the Marketo emulator running in a process of its own with 2
 * import slots at a fixed import speed. bench/import.runner.ts starts one fresh process per
 * measurement (`node … this file <job>`), so no run inherits another's heap.
 *
 * This process holds n8n-core, the harness, the input (items, or a file reference) and the
 * node; bench/probe.ts measures the node from the moment n8n calls it.
 */
// First: n8n-core reads N8N_USER_FOLDER when it loads.
import './env';

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Readable } from 'stream';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import { Container as CoreContainer } from 'n8n-core/node_modules/@n8n/di';
import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DELIMITERS } from '../nodes/MarketoBulkImport/csv';
import type { RowBatch } from '../nodes/MarketoBulkImport/import/fileBuilder';
import { buildFiles, DEFAULT_MAX_FILE_BYTES, RowLedger } from '../nodes/MarketoBulkImport/import/fileBuilder';
import type { EmulatorOptions, MarketoEmulator } from '../test/emulator';
import { CLIENT_ID, CLIENT_SECRET, credentialsFor, FAST_NODE_OPTIONS } from '../test/harness/fixtures';
import { loadOptionsContext, runWorkflow } from '../test/harness/workflowRunner';
import { CALIBRATION_ROWS, POLL_INTERVAL_SECONDS, SLOTS } from './constants';
import type { CompactJob, CompactRequest, EmulatorReport } from './emulator.process';
import type { EmulatorProcess } from './emulatorClient';
import { startEmulatorProcess } from './emulatorClient';
import { installFixedPoll } from './fixedPoll';
import type { ExportSpec } from './leads';
import { exportStream, makeImportLeads } from './leads';
import type { NodeMeasurement } from './probe';
import { instrumentImportNode } from './probe';

const emulatorOptions = (rowsPerSecond: number): EmulatorOptions => ({
	clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopeEmail: 'api@example.com' }],
	maxConcurrentImports: SLOTS,
	rowsPerSecond,
	queuedMinMs: 0,
	importMinMs: 0,
	// The bench polls with a 0.2 s floor to see slot idling at that resolution; Marketo's 100 calls
	// per 20 s would throttle a fixed poll at that rate (at the node's default 10 s it would not).
	rateLimit: false,
	dailyQuota: false,
});

/** The harness's credentials need only the emulator's address. */
const credentialsOf = (emulator: EmulatorProcess) => credentialsFor({ url: emulator.url } as MarketoEmulator);

// ---------------------------------------------------------------------------- calibration

export interface Calibration {
	rows: number;
	files: number;
	ms: number;
	rowsPerSecond: number;
}

async function* rowBatches(leads: IDataObject[], columns: string[]): AsyncIterable<RowBatch> {
	const size = 2_000;
	for (let start = 0; start < leads.length; start += size) {
		const slice = leads.slice(start, start + size);
		yield {
			cells: slice.map((lead) => columns.map((column) => String(lead[column] ?? ''))),
			items: slice.map((_, i) => start + i),
		};
	}
}

/**
 * The emulator's own throughput on this machine, in its own process: CSV files of the benchmark's
 * leads (built by the node's file builder) posted straight to it (no node) with import timing off,
 * so each upload is parsed and every row validated and upserted within the request.
 */
async function calibrateEmulator(): Promise<Calibration> {
	const emulator = await startEmulatorProcess(emulatorOptions(0));
	try {
		const leads = makeImportLeads(CALIBRATION_ROWS);
		const columns = Object.keys(leads[0]);
		const files = [];
		for await (const file of buildFiles(rowBatches(leads, columns), columns, DELIMITERS.csv, { maxBytes: DEFAULT_MAX_FILE_BYTES }, new RowLedger())) {
			files.push(file);
		}
		const tokenUrl = `${emulator.url}/identity/oauth/token?grant_type=client_credentials&client_id=${encodeURIComponent(CLIENT_ID)}&client_secret=${encodeURIComponent(CLIENT_SECRET)}`;
		const token = ((await (await fetch(tokenUrl)).json()) as { access_token: string }).access_token;
		const headers = { Authorization: `Bearer ${token}` };
		let ms = 0;
		let rows = 0;
		for (const file of files) {
			const form = new FormData();
			form.append('format', 'csv');
			form.append('lookupField', 'email');
			form.append('file', new Blob([file.content as Buffer], { type: 'text/csv' }), 'leads.csv');
			const start = performance.now();
			const created = (await (
				await fetch(`${emulator.url}/bulk/v1/leads.json`, { method: 'POST', headers, body: form })
			).json()) as { success: boolean; result?: Array<{ batchId: number }>; errors?: unknown };
			if (!created.success || !created.result) throw new Error(`calibration upload failed: ${JSON.stringify(created)}`);
			const batchId = created.result[0].batchId;
			for (;;) {
				const status = (await (
					await fetch(`${emulator.url}/bulk/v1/leads/batch/${batchId}.json`, { headers })
				).json()) as { result: Array<{ status: string }> };
				if (status.result[0].status === 'Complete') break;
				if (status.result[0].status === 'Failed') throw new Error('calibration batch failed');
			}
			ms += performance.now() - start;
			rows += file.rowCount;
		}
		return { rows, files: files.length, ms, rowsPerSecond: (rows / ms) * 1000 };
	} finally {
		await emulator.close();
	}
}

// ---------------------------------------------------------------------------- import runs

export type PollMode = 'adaptive' | 'fixed';

export interface ImportRun {
	input: 'items' | 'file';
	maxInQueue: number;
	poll: PollMode;
	/** Input rows: items, or the file's data rows. */
	inputRows: number;
	/** The file's size (file input). */
	inputBytes?: number;
	/** Rows Marketo (the emulator) received in batches, and imported as the node's totals say. */
	rows: number;
	imported: number;
	/** The node's error, when it stopped with one (the row is then reported as failed). */
	error?: string;
	node: NodeMeasurement;
	batches: number;
	apiCalls: { create: number; status: number; reports: number; other: number; identity: number };
	/** Paths of the `other` calls. */
	otherPaths: string[];
	/** Calls answered with an HTTP error or a Marketo error code (each would mean a retry). */
	refusals: number;
	/** Mean time between two status calls of the same batch. */
	pollPeriodMs: number;
	/** Node start → the field list read (the column scan done), and → the first upload's arrival. */
	describeMs: number;
	firstUploadMs: number;
	/** First import start → last import finish. */
	importSpanMs: number;
	/** Sum of import durations (what the slots really had to do). */
	busyMs: number;
	/** First import start → every slot busy (the next files' uploads). */
	staggerMs: number;
	/** Slot-time idle after every slot was filled and before the last batch started (late refill). */
	refillIdleSlotMs: number;
	/** Last finish − the finish before it: the last batch running alone. */
	endImbalanceMs: number;
	/** Mean time a slot stays empty between one batch and the next (start − previous finish). */
	meanHandoverMs: number;
	/** Mean and longest time from a batch's finish to the status call that saw it. */
	meanNoticeMs: number;
	maxNoticeMs: number;
	/** Rows per file, in order. */
	fileRows: number[];
	/** Last import finish → node end, in two parts: → the status call that saw it, → the node's output. */
	tailMs: number;
	lastNoticeMs: number;
	outputMs: number;
	/** Of lastNoticeMs, how long the emulator's event loop was busy (the call waited for it). */
	lastNoticeEmulatorBusyMs: number;
	/** Of the whole node run, how long the emulator's event loop was busy. */
	emulatorBusyMs: number;
	maxQueuedWaitMs: number;
	/**
	 * Each upload, ms after the node started: when its request reached the emulator, and when the
	 * emulator had received and parsed it and queued its batch (the create's own handling time).
	 */
	uploads: Array<{ arrivedMs: number; queuedMs: number }>;
	/** The emulator's process: its peak RSS, and its heap at the end. */
	emulatorPeakRssBytes: number;
	emulatorHeapBytes: number;
}

function importParameters(maxInQueue: number, extra: IDataObject = {}) {
	return {
		name: 'Import',
		parameters: {
			resource: 'lead',
			operation: 'import',
			format: 'csv',
			lookupField: 'email',
			...extra,
			options: {
				...FAST_NODE_OPTIONS,
				waitForCompletion: true,
				pollIntervalSeconds: POLL_INTERVAL_SECONDS,
				timeoutMinutes: 30,
				maxInQueue,
			},
		},
	};
}

/**
 * Slot occupancy from the emulator's job timestamps (created, started, finished). From the
 * first import start to the last finish, slot-time is either busy or idle, and idle time falls
 * into three parts: the start-up stagger (one slot waits while the second file is uploaded),
 * refill gaps (a slot free while batches were still to start: the pipeline was late), and the
 * end imbalance (the last batch runs alone: how the rows were packed into files).
 */
function slotTimeline(all: CompactJob[]) {
	const jobs = all.filter((job) => job.startedAt !== undefined && job.finishedAt !== undefined);
	const byStart = [...jobs].sort((a, b) => (a.startedAt as number) - (b.startedAt as number));
	const byFinish = [...jobs].sort((a, b) => (a.finishedAt as number) - (b.finishedAt as number));
	const first = (byStart[0]?.startedAt as number) ?? 0;
	const last = (byFinish[byFinish.length - 1]?.finishedAt as number) ?? 0;
	const allFilled = (byStart[Math.min(SLOTS, byStart.length) - 1]?.startedAt as number) ?? first;
	const lastStart = (byStart[byStart.length - 1]?.startedAt as number) ?? first;
	const endImbalanceMs = byFinish.length > 1 ? last - (byFinish[byFinish.length - 2].finishedAt as number) : 0;

	const events: Array<[number, number]> = [];
	let busyMs = 0;
	let maxQueuedWaitMs = 0;
	for (const job of jobs) {
		events.push([job.startedAt as number, 1], [job.finishedAt as number, -1]);
		busyMs += (job.finishedAt as number) - (job.startedAt as number);
		maxQueuedWaitMs = Math.max(maxQueuedWaitMs, (job.startedAt as number) - job.createdAt);
	}
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	// Idle slot-time between "every slot filled once" and "last batch started".
	let refillIdleSlotMs = 0;
	let running = 0;
	let previous = first;
	for (const [at, delta] of events) {
		const from = Math.max(previous, allFilled);
		const to = Math.min(at, lastStart);
		if (to > from) refillIdleSlotMs += (SLOTS - running) * (to - from);
		running += delta;
		previous = at;
	}
	// Handover: how long a slot stayed empty before each batch after the first SLOTS started.
	const handovers = byStart.slice(SLOTS).map((job) => {
		const start = job.startedAt as number;
		let freedAt = -Infinity;
		for (const other of jobs) {
			const finish = other.finishedAt as number;
			if (other !== job && finish <= start) freedAt = Math.max(freedAt, finish);
		}
		return start - freedAt;
	});
	return {
		jobs,
		first,
		last,
		busyMs,
		staggerMs: allFilled - first,
		refillIdleSlotMs,
		endImbalanceMs,
		maxQueuedWaitMs,
		meanHandoverMs: handovers.length > 0 ? handovers.reduce((a, b) => a + b, 0) / handovers.length : 0,
	};
}

const STATUS_PATH = /\/batch\/(\d+)\.json$/;

/** Mean gap between two status calls for the same batch: the poll loop's real period. */
function meanPollPeriod(requests: CompactRequest[]): number {
	const last = new Map<string, number>();
	let gaps = 0;
	let sum = 0;
	for (const r of requests) {
		if (!STATUS_PATH.test(r.path)) continue;
		const previous = last.get(r.path);
		if (previous !== undefined) {
			sum += r.at - previous;
			gaps++;
		}
		last.set(r.path, r.at);
	}
	return gaps > 0 ? sum / gaps : NaN;
}

/** How long after each finish the node's status call saw it. */
function noticeDelays(jobs: CompactJob[], requests: CompactRequest[]): number[] {
	return jobs.flatMap((job) => {
		if (job.finishedAt === undefined) return [];
		const seen = requests.find(
			(r) => STATUS_PATH.exec(r.path)?.[1] === String(job.batchId) && r.at >= (job.finishedAt as number),
		);
		return seen ? [seen.at - (job.finishedAt as number)] : [];
	});
}

function summarise(
	report: EmulatorReport,
	node: NodeMeasurement,
	base: Pick<ImportRun, 'input' | 'maxInQueue' | 'poll' | 'inputRows' | 'inputBytes' | 'imported' | 'error'>,
): ImportRun {
	const { requests } = report;
	const apiCalls = { create: 0, status: 0, reports: 0, other: 0, identity: 0 };
	const otherPaths = new Set<string>();
	for (const r of requests) {
		if (r.path.startsWith('/identity')) {
			apiCalls.identity++;
			continue;
		}
		if (!/^\/(rest|bulk)\//.test(r.path)) continue;
		if (r.method === 'POST' && r.path === '/bulk/v1/leads.json') apiCalls.create++;
		else if (STATUS_PATH.test(r.path)) apiCalls.status++;
		else if (/\/(failures|warnings)\.json$/.test(r.path)) apiCalls.reports++;
		else {
			apiCalls.other++;
			otherPaths.add(`${r.method} ${r.path}`);
		}
	}
	const firstUpload = requests.find((r) => r.method === 'POST' && r.path === '/bulk/v1/leads.json');
	const describe = requests.find((r) => /describe2?\.json$/.test(r.path));
	const timeline = slotTimeline(report.jobs);
	const creates = requests.filter((r) => r.method === 'POST' && r.path === '/bulk/v1/leads.json' && r.status === 200 && r.code === undefined);
	const byCreation = [...report.jobs].sort((a, b) => a.createdAt - b.createdAt);
	const uploads = creates.map((r, i) => ({
		arrivedMs: r.at - node.startEpochMs,
		queuedMs: (byCreation[i]?.createdAt ?? NaN) - node.startEpochMs,
	}));
	const notices = noticeDelays(timeline.jobs, requests);
	const lastJob = timeline.jobs.find((job) => job.finishedAt === timeline.last);
	const lastNotice = lastJob
		? requests.find((r) => STATUS_PATH.exec(r.path)?.[1] === String(lastJob.batchId) && r.at >= timeline.last)
		: undefined;
	const lastNoticeAt = lastNotice?.at ?? timeline.last;
	const busyWithin = (from: number, to: number) =>
		report.busy.reduce((sum, [start, end]) => sum + Math.max(0, Math.min(end, to) - Math.max(start, from)), 0);
	return {
		...base,
		rows: timeline.jobs.reduce((sum, job) => sum + job.dataRows, 0),
		node,
		batches: timeline.jobs.length,
		apiCalls,
		otherPaths: [...otherPaths],
		refusals: requests.filter((r) => r.status !== 200 || r.code !== undefined).length,
		pollPeriodMs: meanPollPeriod(requests),
		describeMs: describe ? describe.at - node.startEpochMs : NaN,
		firstUploadMs: firstUpload ? firstUpload.at - node.startEpochMs : NaN,
		importSpanMs: timeline.last - timeline.first,
		busyMs: timeline.busyMs,
		staggerMs: timeline.staggerMs,
		refillIdleSlotMs: timeline.refillIdleSlotMs,
		endImbalanceMs: timeline.endImbalanceMs,
		meanHandoverMs: timeline.meanHandoverMs,
		meanNoticeMs: notices.length > 0 ? notices.reduce((a, b) => a + b, 0) / notices.length : NaN,
		maxNoticeMs: notices.length > 0 ? Math.max(...notices) : NaN,
		fileRows: timeline.jobs.map((job) => job.dataRows),
		tailMs: node.endEpochMs - timeline.last,
		lastNoticeMs: lastNoticeAt - timeline.last,
		outputMs: node.endEpochMs - lastNoticeAt,
		lastNoticeEmulatorBusyMs: busyWithin(timeline.last, lastNoticeAt),
		emulatorBusyMs: busyWithin(node.startEpochMs, node.endEpochMs),
		maxQueuedWaitMs: timeline.maxQueuedWaitMs,
		uploads,
		emulatorPeakRssBytes: report.peakRssBytes,
		emulatorHeapBytes: report.heapUsedBytes,
	};
}

function importedOf(output: INodeExecutionData[]): number {
	const totals = output[0]?.json.totals as IDataObject | undefined;
	return Number(totals?.imported ?? 0) + Number(totals?.importedWithWarning ?? 0);
}

function errorText(error: (Error & { description?: string }) | undefined): string | undefined {
	if (!error) return undefined;
	return `${error.message}${error.description ? ` (${error.description})` : ''}`.slice(0, 400);
}

/** Every lead field mapped in "Map Each Field Below", by a plain read or by an expression n8n must evaluate. */
function mappedColumns(leads: IDataObject[], how: 'reads' | 'expressions'): IDataObject {
	const value = Object.fromEntries(
		Object.keys(leads[0] ?? {}).map((field) => [field, how === 'reads' ? `={{ $json.${field} }}` : `={{ $json.${field} ?? '' }}`]),
	);
	return { columns: { mappingMode: 'defineBelow', value, schema: [], matchingColumns: [] } };
}

async function runItemsImport(
	leadCount: number,
	maxInQueue: number,
	rowsPerSecond: number,
	poll: PollMode,
	mapped: 'reads' | 'expressions' | undefined,
): Promise<ImportRun> {
	if (poll === 'fixed') installFixedPoll();
	const leads = makeImportLeads(leadCount);
	const emulator = await startEmulatorProcess(emulatorOptions(rowsPerSecond));
	const probe = instrumentImportNode();
	try {
		// Items as they are (no JSON parameter): in memory before the node starts, as after a CRM node.
		const result = await runWorkflow({
			items: leads,
			itemsAsIs: true,
			credentials: credentialsOf(emulator),
			steps: [importParameters(maxInQueue, mapped ? mappedColumns(leads, mapped) : {})],
		});
		const node = probe.measurements[0];
		if (!node) throw result.error ?? new Error('the Import node did not run');
		const imported = importedOf(result.output('Import'));
		const report = await emulator.report();
		return summarise(report, node, {
			input: 'items',
			maxInQueue,
			poll,
			inputRows: leadCount,
			imported,
			error: errorText(result.error),
		});
	} finally {
		await probe.close();
		await emulator.close();
	}
}

// ---------------------------------------------------------------------------- Binary File input

const EXPORT_MARKER = 'bench-export:';

/**
 * n8n's filesystem binary-data mode (as with N8N_DEFAULT_BINARY_DATA_MODE=filesystem), with a
 * storage folder of its own. The harness's items source hands it a small marker naming the export
 * to make; it stores the export streamed from the generator instead, so the item holds a
 * reference to a 1 GB file on disk exactly as a Read Binary File node would leave it.
 */
class ExportingBinaryDataService extends BinaryDataService {
	rows = 0;

	bytes = 0;

	async store(location: Parameters<BinaryDataService['store']>[0], bufferOrStream: Buffer | Readable, binaryData: IBinaryData) {
		if (Buffer.isBuffer(bufferOrStream) && bufferOrStream.toString('utf8', 0, EXPORT_MARKER.length) === EXPORT_MARKER) {
			const spec = JSON.parse(bufferOrStream.toString('utf8', EXPORT_MARKER.length)) as ExportSpec;
			const stream = exportStream(spec, (rows, bytes) => {
				this.rows = rows;
				this.bytes = bytes;
			});
			return await super.store(location, stream, binaryData);
		}
		return await super.store(location, bufferOrStream, binaryData);
	}
}

async function filesystemBinaryData(storagePath: string): Promise<ExportingBinaryDataService> {
	const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
	const service = new ExportingBinaryDataService(
		{ availableModes: ['filesystem'], mode: 'filesystem', localStoragePath: storagePath, signingSecret: 'bench' } as never,
		quiet as never,
		quiet as never,
	);
	await service.init();
	// The harness sets its own (memory mode) once, on first use: let it, then replace it in both
	// containers (n8n-core reads its own copy of @n8n/di).
	loadOptionsContext(credentialsFor({ url: 'http://127.0.0.1:9' } as MarketoEmulator));
	Container.set(BinaryDataService, service);
	CoreContainer.set(BinaryDataService, service);
	return service;
}

async function runFileImport(bytes: number, maxInQueue: number, rowsPerSecond: number): Promise<ImportRun> {
	const storagePath = mkdtempSync(join(tmpdir(), 'marketo-bulk-bench-binary-'));
	const emulator = await startEmulatorProcess(emulatorOptions(rowsPerSecond));
	const probe = instrumentImportNode();
	try {
		const binaryData = await filesystemBinaryData(storagePath);
		const spec: ExportSpec = { bytes, seed: 11 };
		const result = await runWorkflow({
			items: [{ source: 'crm-export.csv' }],
			files: [{ data: { text: `${EXPORT_MARKER}${JSON.stringify(spec)}`, fileName: 'crm-export.csv', mimeType: 'text/csv' } }],
			credentials: credentialsOf(emulator),
			steps: [importParameters(maxInQueue, { inputSource: 'binaryFile', binaryPropertyName: 'data' })],
		});
		const node = probe.measurements[0];
		if (!node) throw result.error ?? new Error('the Import node did not run');
		const imported = importedOf(result.output('Import'));
		const report = await emulator.report();
		return summarise(report, node, {
			input: 'file',
			maxInQueue,
			poll: 'adaptive',
			inputRows: binaryData.rows,
			inputBytes: binaryData.bytes,
			imported,
			error: errorText(result.error),
		});
	} finally {
		await probe.close();
		await emulator.close();
		rmSync(storagePath, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------- worker entry

export type WorkerJob =
	| { kind: 'calibrate' }
	| {
			kind: 'import';
			leadCount: number;
			maxInQueue: number;
			rowsPerSecond: number;
			poll: PollMode;
			/**
			 * Map Each Field Below instead of the items' own fields: each field a plain read
			 * (`{{ $json.email }}`, read straight from the items) or an expression n8n evaluates.
			 */
			mapped?: 'reads' | 'expressions';
	  }
	| { kind: 'file'; bytes: number; maxInQueue: number; rowsPerSecond: number };

async function worker(job: WorkerJob): Promise<Calibration | ImportRun> {
	if (job.kind === 'calibrate') return await calibrateEmulator();
	if (job.kind === 'file') return await runFileImport(job.bytes, job.maxInQueue, job.rowsPerSecond);
	return await runItemsImport(job.leadCount, job.maxInQueue, job.rowsPerSecond, job.poll, job.mapped);
}

if (require.main === module) {
	const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob;
	worker(job).then(
		// n8n-core leaves handles open: exit once the parent has the result.
		(result) => process.send?.(result, () => process.exit(0)) ?? process.exit(0),
		(error: Error) => {
			console.error(error);
			process.exit(1);
		},
	);
}
