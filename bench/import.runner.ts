/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- a benchmark script, not node code: it forks its own worker file */
/**
 * End-to-end import benchmark, parent side: runs each measurement of bench/import.bench.ts in a
 * fresh process (same node flags, so ts-node and --expose-gc carry over) and turns the results
 * into table rows. Type-only imports of the worker here: the parent never loads n8n-core.
 */
import { fork } from 'child_process';
import { writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import {
	FILE_BYTES,
	GROWTH_COUNTS,
	LEAD_COUNT,
	MAX_IN_QUEUE,
	POLL_INTERVAL_SECONDS,
	ROWS_PER_SECOND,
	SLOTS,
	TARGETS,
} from './constants';
import type { BenchRow } from './csv.bench';
import { adaptivePollWired } from './wiring';
import type { Calibration, ImportRun, WorkerJob } from './import.bench';

function inWorker<T>(job: WorkerJob): Promise<T> {
	return new Promise((resolve, reject) => {
		const child = fork(join(__dirname, 'import.bench.ts'), [JSON.stringify(job)], {
			execArgv: process.execArgv,
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		let result: T | undefined;
		child.on('message', (message) => {
			result = message as T;
		});
		child.on('error', reject);
		child.on('exit', (code) => {
			if (code === 0 && result !== undefined) resolve(result);
			else reject(new Error(`benchmark worker ${JSON.stringify(job)} exited with code ${code}`));
		});
	});
}

function round(value: number, digits = 1): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

const MIB = 1024 * 1024;
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
const countName = (n: number) =>
	n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : thousands(n);

/** The node's own added memory: peak RSS during the node − RSS as it started (after a collection). */
export const addedRss = (run: ImportRun) => run.node.peakRss - run.node.before.rss;
export const addedHeapAndExternal = (run: ImportRun) =>
	run.node.peakHeapAndExternal - (run.node.before.heapUsed + run.node.before.external);
/** (create + status + report downloads) ÷ batches. */
export const callsPerBatch = (run: ImportRun) =>
	(run.apiCalls.create + run.apiCalls.status + run.apiCalls.reports) / Math.max(1, run.batches);
export const complete = (run: ImportRun) => run.error === undefined && run.imported === run.inputRows && run.rows === run.inputRows;

export interface ImportBenchResult {
	rows: BenchRow[];
	calibration: Calibration;
	pipelined: ImportRun;
	fixed: ImportRun;
	sequential: ImportRun;
	growth: ImportRun[];
	file: ImportRun;
	adaptiveWired: boolean;
	leadCount: number;
	rowsPerSecond: number;
	slots: number;
	pollIntervalSeconds: number;
	theoreticalMs: (rows: number) => number;
}

export interface ImportBenchOptions {
	/** Divides every size (leads, file bytes) for a quick trial run. */
	scale?: number;
	log?: (message: string) => void;
}

export async function runImportBench(options: ImportBenchOptions = {}): Promise<ImportBenchResult> {
	const log = options.log ?? (() => undefined);
	const scale = options.scale ?? 1;
	const leadCount = Math.round(LEAD_COUNT / scale);
	const rowsPerSecond = ROWS_PER_SECOND;
	const theoreticalMs = (rows: number) => (rows / (SLOTS * rowsPerSecond)) * 1000;
	const adaptiveWired = adaptivePollWired();
	const items = (count: number, maxInQueue: number, poll: 'adaptive' | 'fixed'): WorkerJob => ({
		kind: 'import',
		leadCount: count,
		maxInQueue,
		rowsPerSecond,
		poll,
	});
	const timed = async <T>(what: string, job: WorkerJob): Promise<T> => {
		log(`import: ${what}`);
		const started = performance.now();
		const result = await inWorker<T>(job);
		log(`import: ${what}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
		return result;
	};

	const calibration = await timed<Calibration>('the emulator on its own', { kind: 'calibrate' });
	const pipelined = await timed<ImportRun>(
		`${thousands(leadCount)} leads, pipelined (maxInQueue ${MAX_IN_QUEUE}, ${adaptiveWired ? 'adaptive' : 'fixed'} poll)`,
		items(leadCount, MAX_IN_QUEUE, 'adaptive'),
	);
	const fixed = adaptiveWired
		? await timed<ImportRun>(`${thousands(leadCount)} leads, pipelined, fixed ${POLL_INTERVAL_SECONDS} s poll`, items(leadCount, MAX_IN_QUEUE, 'fixed'))
		: pipelined;
	const sequential = await timed<ImportRun>(`${thousands(leadCount)} leads, sequential (maxInQueue 1)`, items(leadCount, 1, 'adaptive'));
	const growth: ImportRun[] = [];
	for (const count of GROWTH_COUNTS.map((n) => Math.round(n / scale))) {
		growth.push(
			count === leadCount ? pipelined : await timed<ImportRun>(`${thousands(count)} leads, pipelined (growth)`, items(count, MAX_IN_QUEUE, 'adaptive')),
		);
	}
	const fileBytes = Math.round(FILE_BYTES / scale);
	const file = await timed<ImportRun>(`a ${round(fileBytes / MIB, 0)} MiB CSV file as Binary File input`, {
		kind: 'file',
		bytes: fileBytes,
		maxInQueue: MAX_IN_QUEUE,
		rowsPerSecond,
	});

	// Every figure of every run, for a closer look than the table and notes give.
	const rawFile = join(tmpdir(), 'marketo-bulk-bench-results.json');
	writeFileSync(rawFile, JSON.stringify({ calibration, pipelined, fixed, sequential, growth, file }, null, 1));
	log(`import: every measurement in ${rawFile}`);

	const demand = SLOTS * rowsPerSecond;
	const name = `import ${countName(leadCount)} leads`;
	const minimum = theoreticalMs(leadCount);
	const wallRatio = pipelined.node.wallMs / minimum;
	const speedup = sequential.node.wallMs / pipelined.node.wallMs;
	const memory = addedRss(pipelined) / MIB;
	const adaptiveCalls = callsPerBatch(pipelined);
	const incomplete = [pipelined, fixed, sequential, ...growth, file].filter((run) => !complete(run));
	const rows: BenchRow[] = [
		{
			name: `emulator alone, own process: parse + upsert (${thousands(calibration.rows)} rows)`,
			metric: 'throughput',
			value: Math.round(calibration.rowsPerSecond),
			unit: 'rows/s',
			target: `≥ ${thousands(2 * demand)} (2× demand)`,
			pass: calibration.rowsPerSecond >= 2 * demand,
		},
		{
			name: `${name}: theoretical minimum (${SLOTS} slots × ${thousands(rowsPerSecond)} rows/s)`,
			metric: 'time',
			value: round(minimum / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: pipelined, maxInQueue ${MAX_IN_QUEUE}, adaptive poll (${pipelined.batches} batches)`,
			metric: 'node wall time',
			value: round(pipelined.node.wallMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: pipelined vs theoretical minimum`,
			metric: 'ratio',
			value: round(wallRatio, 3),
			unit: '×',
			target: `≤ ${TARGETS.wallRatio}×`,
			pass: wallRatio <= TARGETS.wallRatio,
		},
		{
			name: `${name}: of which node start → 1st upload arrives`,
			metric: 'time',
			value: round(pipelined.firstUploadMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: of which the emulator receiving and parsing the 1st upload`,
			metric: 'time',
			value: round(((pipelined.uploads[0]?.queuedMs ?? NaN) - (pipelined.uploads[0]?.arrivedMs ?? NaN)) / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: of which 1st import start → last finish`,
			metric: 'time',
			value: round(pipelined.importSpanMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: of which last finish → node output`,
			metric: 'time',
			value: round(pipelined.tailMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: node's main thread ready but waiting for a CPU (shared machine)`,
			metric: 'time',
			value: round((pipelined.node.mainThreadWaitedMs ?? NaN) / 1000, 1),
			unit: 's',
		},
		{
			name: `${name}: sequential, maxInQueue 1`,
			metric: 'node wall time',
			value: round(sequential.node.wallMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: pipelined vs sequential`,
			metric: 'speed ratio',
			value: round(speedup, 2),
			unit: '×',
			target: `≥ ${TARGETS.speedup}×`,
			pass: speedup >= TARGETS.speedup,
		},
		{
			name: `${name}: node's process as the node starts (modules, n8n-core, items)`,
			metric: 'RSS',
			value: Math.round(pipelined.node.before.rss / MIB),
			unit: 'MiB',
		},
		{
			name: `${name}: node's own added peak memory`,
			metric: 'peak RSS − start RSS',
			value: Math.round(memory),
			unit: 'MiB',
			target: `≤ ${TARGETS.nodeMemoryMiB} MiB`,
			pass: memory <= TARGETS.nodeMemoryMiB,
		},
		{
			name: `${name}: node's own added peak heap + buffers`,
			metric: 'heapUsed + external',
			value: Math.round(addedHeapAndExternal(pipelined) / MIB),
			unit: 'MiB',
		},
		{
			name: `${name}: emulator's process (separate, not counted above)`,
			metric: 'peak RSS',
			value: Math.round(pipelined.emulatorPeakRssBytes / MIB),
			unit: 'MiB',
		},
		{
			name: `${name}: event-loop delay while importing`,
			metric: 'max',
			value: round(pipelined.node.loopDelay.maxMs, 1),
			unit: 'ms',
			target: `≤ ${TARGETS.loopDelayMaxMs} ms`,
			pass: pipelined.node.loopDelay.maxMs <= TARGETS.loopDelayMaxMs,
		},
		{
			name: `${name}: event-loop delay while importing`,
			metric: 'p99',
			value: round(pipelined.node.loopDelay.p99Ms, 1),
			unit: 'ms',
		},
		{
			name:
				`${name}: API calls per batch, ${adaptiveWired ? 'adaptive' : 'fixed (adaptive not wired)'} poll ` +
				`(${pipelined.apiCalls.create}+${pipelined.apiCalls.status}+${pipelined.apiCalls.reports})/${pipelined.batches}`,
			metric: `floor ${POLL_INTERVAL_SECONDS} s`,
			value: round(adaptiveCalls, 1),
			unit: 'calls',
			// The issue asks for this while keeping the wall-time ratio: that is the ratio row's verdict.
			target: `≤ ${TARGETS.callsPerBatch} (ratio: row above)`,
			pass: adaptiveWired && adaptiveCalls <= TARGETS.callsPerBatch,
		},
		{
			name: `${name}: API calls per batch, fixed poll (${fixed.apiCalls.create}+${fixed.apiCalls.status}+${fixed.apiCalls.reports})/${fixed.batches}`,
			metric: `poll ${POLL_INTERVAL_SECONDS} s`,
			value: round(callsPerBatch(fixed), 1),
			unit: 'calls',
		},
		{
			name: `${name}: fixed poll, wall time vs theoretical minimum`,
			metric: 'ratio',
			value: round(fixed.node.wallMs / minimum, 3),
			unit: '×',
		},
	];
	for (const run of growth) {
		const growthName = `growth ${countName(run.inputRows)} leads`;
		rows.push(
			{
				name: `${growthName}: node wall time (${round(run.node.wallMs / 1000, 1)} s, ${round(run.node.wallMs / theoreticalMs(run.inputRows), 3)}× min)`,
				metric: 'per lead',
				value: round((run.node.wallMs * 1000) / run.inputRows, 1),
				unit: 'µs',
			},
			{
				name: `${growthName}: node's own added peak memory (${Math.round(addedRss(run) / MIB)} MiB)`,
				metric: 'per lead',
				value: Math.round(addedRss(run) / run.inputRows),
				unit: 'bytes',
			},
		);
	}
	const fileMemory = addedRss(file) / MIB;
	const fileName = `Binary File input, ${round((file.inputBytes || fileBytes) / 1e9, 2)} GB CSV (${thousands(file.inputRows)} rows)`;
	rows.push(
		{
			name: `${fileName}: node wall time${complete(file) ? '' : ' (did not import every row)'}`,
			metric: 'node wall time',
			value: round(file.node.wallMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${fileName}: node's own added peak memory`,
			metric: 'peak RSS − start RSS',
			value: Math.round(fileMemory),
			unit: 'MiB',
			target: `≤ ${TARGETS.fileMemoryMiB} MiB, every row imported`,
			pass: fileMemory <= TARGETS.fileMemoryMiB && complete(file),
		},
		{
			name: `${fileName}: event-loop delay`,
			metric: 'max',
			value: round(file.node.loopDelay.maxMs, 1),
			unit: 'ms',
		},
		{
			name: 'every import run: every row imported',
			metric: 'runs incomplete',
			value: incomplete.length,
			unit: '',
			target: '0',
			pass: incomplete.length === 0,
		},
	);
	return {
		rows,
		calibration,
		pipelined,
		fixed,
		sequential,
		growth,
		file,
		adaptiveWired,
		leadCount,
		rowsPerSecond,
		slots: SLOTS,
		pollIntervalSeconds: POLL_INTERVAL_SECONDS,
		theoreticalMs,
	};
}
