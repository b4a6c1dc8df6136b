/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * End-to-end import benchmark, worker side: the real node, inside n8n-core's WorkflowExecute
 * (via the test harness), against the Marketo emulator with 2 import slots at a fixed import
 * speed. bench/import.runner.ts starts one fresh process per measurement (`node … this file
 * <job>`), so each run's peak RSS is its own and no run inherits another's heap.
 */
// First: n8n-core reads N8N_USER_FOLDER when it loads.
import './env';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DELIMITERS } from '../nodes/MarketoBulkImport/csv';
import { DEFAULT_MAX_FILE_BYTES, splitIntoFiles } from '../nodes/MarketoBulkImport/import/files';
import { buildImportTable } from '../nodes/MarketoBulkImport/import/table';
import type { EmulatorOptions, MarketoEmulator } from '../test/emulator';
import {
	CLIENT_ID,
	CLIENT_SECRET,
	credentialsFor,
	FAST_NODE_OPTIONS,
	startEmulator,
} from '../test/harness/fixtures';
import { runWorkflow } from '../test/harness/workflowRunner';
import { CALIBRATION_ROWS, POLL_INTERVAL_SECONDS, SLOTS } from './constants';

const RSS_SAMPLE_MS = 50;

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const list = (names: string): string[] => names.split('|');
const FIRST = list(
	'James|Mary|José|Zoë|Renée|Björn|Łukasz|Amélie|Chen|Aisha|Olga|Mohammed|Sofia|Liam|Hana|Noah|Priya|Mateo',
);
const LAST = list(
	"Smith|García|Müller|Dupont|O'Brien|Kowalski|Nguyễn|Rossi|Öztürk|Johnson|Silva|Tanaka|Patel|Brown|Novák",
);
const ASCII_LAST = LAST.map((name) =>
	name
		.normalize('NFD')
		.replace(/[^A-Za-z]/g, '')
		.toLowerCase(),
);
const COMPANIES = list(
	'Acme Corp|Globex|Initech|Umbrella, Inc.|Stark Industries|Wayne Enterprises|Société Générale|Nestlé|Hooli|Vandelay Industries|"Big Kahuna" Burger|Cyberdyne Systems',
);
const DOMAINS = COMPANIES.map(
	(company) => company.toLowerCase().replace(/[^a-z]/g, '').slice(0, 12) + '.example.com',
);
const TITLES = list(
	'CEO|CTO|VP Sales|Marketing Manager|Sales Director|Data Analyst|Software Engineer|Head of Growth|Account Executive|Procurement Lead',
);

/**
 * Leads as a CRM or spreadsheet node would output them: unique emails, non-ASCII names, a few
 * companies with commas or quotes (so some cells need CSV quoting), integer lead scores.
 */
export function makeImportLeads(count: number, seed = 7): IDataObject[] {
	const random = prng(seed);
	const leads: IDataObject[] = new Array(count);
	for (let i = 0; i < count; i++) {
		const first = Math.floor(random() * FIRST.length);
		const last = Math.floor(random() * LAST.length);
		const company = Math.floor(random() * COMPANIES.length);
		leads[i] = {
			email: `${ASCII_LAST[last]}.${i}@${DOMAINS[company]}`,
			firstName: FIRST[first],
			lastName: LAST[last],
			company: COMPANIES[company],
			title: TITLES[Math.floor(random() * TITLES.length)],
			leadScore: Math.floor(random() * 100),
		};
	}
	return leads;
}

function collectGarbage(): void {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (gc) gc();
}

/** Samples RSS and heap every 50 ms (later when the event loop is busy), keeping the timeline. */
function memorySampler(): { stop: () => { peakRss: number; peakAtMs: number; peakHeap: number; rssAt: (ms: number) => number } } {
	const start = performance.now();
	const samples: Array<{ at: number; rss: number; heap: number }> = [];
	const sample = () => {
		const usage = process.memoryUsage();
		samples.push({ at: performance.now() - start, rss: usage.rss, heap: usage.heapUsed });
	};
	sample();
	const timer = setInterval(sample, RSS_SAMPLE_MS);
	return {
		stop: () => {
			clearInterval(timer);
			sample();
			const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
			return {
				peakRss: peak.rss,
				peakAtMs: peak.at,
				peakHeap: Math.max(...samples.map((x) => x.heap)),
				/**
				 * First RSS sampled at or after `ms` after the start. Synchronous work blocks the
				 * sampler, so this is the first moment the process yielded after that time.
				 */
				rssAt: (ms: number) => (samples.find((x) => x.at >= ms) ?? samples[samples.length - 1]).rss,
			};
		},
	};
}

const emulatorOptions = (rowsPerSecond: number): EmulatorOptions => ({
	maxConcurrentImports: SLOTS,
	rowsPerSecond,
	queuedMinMs: 0,
	importMinMs: 0,
	// The bench polls every 0.2 s to see slot idling at that resolution; Marketo's 100 calls per
	// 20 s would throttle that (at the node's default 10 s interval it would not).
	rateLimit: false,
	dailyQuota: false,
});

// ---------------------------------------------------------------------------- calibration

export interface Calibration {
	rows: number;
	files: number;
	ms: number;
	rowsPerSecond: number;
}

/**
 * The emulator's own throughput on this machine: CSV files of the benchmark's leads posted
 * straight to it (no node) with import timing off, so each upload is parsed with papaparse
 * and every row validated and upserted within the request.
 */
export async function calibrateEmulator(leads: IDataObject[]): Promise<Calibration> {
	const emulator = await startEmulator(emulatorOptions(0));
	try {
		const table = buildImportTable(leads.slice(0, CALIBRATION_ROWS));
		const files = splitIntoFiles(table.columns, table.rows, table.itemIndexes, DELIMITERS.csv, DEFAULT_MAX_FILE_BYTES);
		if (files instanceof Error) throw files;
		const tokenUrl = `${emulator.url}/identity/oauth/token?grant_type=client_credentials&client_id=${encodeURIComponent(CLIENT_ID)}&client_secret=${encodeURIComponent(CLIENT_SECRET)}`;
		const token = ((await (await fetch(tokenUrl)).json()) as { access_token: string }).access_token;
		const headers = { Authorization: `Bearer ${token}` };
		let ms = 0;
		for (const file of files) {
			const form = new FormData();
			form.append('format', 'csv');
			form.append('lookupField', 'email');
			form.append('file', new Blob([file.content], { type: 'text/csv' }), 'leads.csv');
			const start = performance.now();
			const created = (await (
				await fetch(`${emulator.url}/bulk/v1/leads.json`, { method: 'POST', headers, body: form })
			).json()) as { success: boolean; result?: Array<{ batchId: number }>; errors?: unknown };
			if (!created.success || !created.result) throw new Error(`calibration upload failed: ${JSON.stringify(created)}`);
			const batchId = created.result[0].batchId;
			for (;;) {
				const status = (await (
					await fetch(`${emulator.url}/bulk/v1/leads/batch/${batchId}.json`, { headers })
				).json()) as { result: Array<{ status: string; numOfLeadsProcessed: number }> };
				if (status.result[0].status === 'Complete') break;
				if (status.result[0].status === 'Failed') throw new Error('calibration batch failed');
			}
			ms += performance.now() - start;
		}
		return { rows: table.rows.length, files: files.length, ms, rowsPerSecond: (table.rows.length / ms) * 1000 };
	} finally {
		await emulator.close();
	}
}

// ---------------------------------------------------------------------------- import runs

export interface ImportRun {
	maxInQueue: number;
	/** runWorkflow, start to end (includes the harness's items source node). */
	workflowMs: number;
	/** The Marketo node's own execution time as n8n-core recorded it. */
	nodeMs: number;
	batches: number;
	rows: number;
	imported: number;
	apiCalls: { create: number; status: number; reports: number; other: number; total: number; identity: number };
	/** Paths of the `other` calls. */
	otherPaths: string[];
	/** Calls answered with an HTTP error or a Marketo error code (each would mean a retry). */
	refusals: number;
	/** Mean time between two status calls of the same batch. */
	pollPeriodMs: number;
	peakRssBytes: number;
	/** When the peak was sampled, ms after the workflow started. */
	peakAtMs: number;
	peakHeapBytes: number;
	/**
	 * RSS when the Import node first yielded (its describe2 call, before any row work): after
	 * the harness's items source had produced its items.
	 */
	rssAtNodeStartBytes: number;
	/** RSS just before the workflow started: modules, and the 1,000,000 input leads. */
	baselineRssBytes: number;
	/** Heap the emulator still held after the run (lead store, job data), freed by closing it. */
	emulatorHeapBytes: number;
	/** Emulator clock: node start → first upload arrives. */
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
	/** Rows per file, in order. */
	fileRows: number[];
	/** Last import finish → node end. */
	tailMs: number;
	maxQueuedWaitMs: number;
}

function importStep(maxInQueue: number) {
	return {
		name: 'Import',
		parameters: {
			resource: 'lead',
			operation: 'import',
			format: 'csv',
			lookupField: 'email',
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
function slotTimeline(emulator: MarketoEmulator) {
	const jobs = emulator.jobs().filter((job) => job.startedAt !== undefined && job.finishedAt !== undefined);
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

/** Mean gap between two status calls for the same batch: the poll loop's real period. */
function meanPollPeriod(requests: ReturnType<MarketoEmulator['requests']>): number {
	const last = new Map<string, number>();
	let gaps = 0;
	let sum = 0;
	for (const r of requests) {
		if (!/\/batch\/\d+\.json$/.test(r.path)) continue;
		const previous = last.get(r.path);
		if (previous !== undefined) {
			sum += r.at - previous;
			gaps++;
		}
		last.set(r.path, r.at);
	}
	return gaps > 0 ? sum / gaps : NaN;
}

export async function runImport(leads: IDataObject[], maxInQueue: number, rowsPerSecond: number): Promise<ImportRun> {
	collectGarbage();
	let emulator: MarketoEmulator | undefined = await startEmulator(emulatorOptions(rowsPerSecond));
	try {
		const credentials = credentialsFor(emulator);
		const baselineRssBytes = process.memoryUsage().rss;
		const sampler = memorySampler();
		const start = performance.now();
		const startEpoch = Date.now();
		let result: Awaited<ReturnType<typeof runWorkflow>> | undefined = await runWorkflow({
			items: leads,
			credentials,
			steps: [importStep(maxInQueue)],
		});
		const workflowMs = performance.now() - start;
		const peak = sampler.stop();
		if (result.error) throw result.error;

		const taskData = result.run.data.resultData.runData.Import?.[0];
		if (!taskData) throw new Error('the Import node did not run');
		const output: INodeExecutionData[] = result.output('Import');
		const totals = output[0]?.json.totals as IDataObject | undefined;
		const imported = Number(totals?.imported ?? 0) + Number(totals?.importedWithWarning ?? 0);
		result = undefined;

		const requests = emulator.requests();
		const apiCalls = { create: 0, status: 0, reports: 0, other: 0, total: 0, identity: 0 };
		const otherPaths = new Set<string>();
		const refusals = requests.filter((r) => r.status !== 200 || r.code !== undefined).length;
		for (const r of requests) {
			if (r.path.startsWith('/identity')) {
				apiCalls.identity++;
				continue;
			}
			if (!/^\/(rest|bulk)\//.test(r.path)) continue;
			apiCalls.total++;
			if (r.method === 'POST' && r.path === '/bulk/v1/leads.json') apiCalls.create++;
			else if (/\/batch\/\d+\.json$/.test(r.path)) apiCalls.status++;
			else if (/\/(failures|warnings)\.json$/.test(r.path)) apiCalls.reports++;
			else {
				apiCalls.other++;
				otherPaths.add(`${r.method} ${r.path}`);
			}
		}
		const firstUpload = requests.find((r) => r.method === 'POST' && r.path === '/bulk/v1/leads.json');
		const timeline = slotTimeline(emulator);
		const nodeStart = taskData.startTime;
		const nodeEnd = taskData.startTime + taskData.executionTime;
		// What the emulator (lead store, parsed rows, uploaded files) holds at the end of the run.
		collectGarbage();
		const withEmulator = process.memoryUsage().heapUsed;
		await emulator.close();
		emulator = undefined;
		collectGarbage();
		const emulatorHeapBytes = withEmulator - process.memoryUsage().heapUsed;

		return {
			maxInQueue,
			workflowMs,
			nodeMs: taskData.executionTime,
			batches: timeline.jobs.length,
			rows: timeline.jobs.reduce((sum, job) => sum + job.dataRows, 0),
			imported,
			apiCalls,
			otherPaths: [...otherPaths],
			refusals,
			pollPeriodMs: meanPollPeriod(requests),
			peakRssBytes: peak.peakRss,
			peakAtMs: peak.peakAtMs,
			peakHeapBytes: peak.peakHeap,
			rssAtNodeStartBytes: peak.rssAt(taskData.startTime - startEpoch),
			baselineRssBytes,
			emulatorHeapBytes,
			firstUploadMs: firstUpload ? firstUpload.at - nodeStart : NaN,
			importSpanMs: timeline.last - timeline.first,
			busyMs: timeline.busyMs,
			staggerMs: timeline.staggerMs,
			refillIdleSlotMs: timeline.refillIdleSlotMs,
			endImbalanceMs: timeline.endImbalanceMs,
			meanHandoverMs: timeline.meanHandoverMs,
			fileRows: timeline.jobs.map((job) => job.dataRows),
			tailMs: nodeEnd - timeline.last,
			maxQueuedWaitMs: timeline.maxQueuedWaitMs,
		};
	} finally {
		await emulator?.close();
	}
}

// ---------------------------------------------------------------------------- worker entry

export type WorkerJob =
	| { kind: 'calibrate' }
	| { kind: 'import'; leadCount: number; maxInQueue: number; rowsPerSecond: number };

async function worker(job: WorkerJob): Promise<Calibration | ImportRun> {
	if (job.kind === 'calibrate') return await calibrateEmulator(makeImportLeads(CALIBRATION_ROWS));
	return await runImport(makeImportLeads(job.leadCount), job.maxInQueue, job.rowsPerSecond);
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
