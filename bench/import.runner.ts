/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- a benchmark script, not node code: it forks its own worker file */
/**
 * End-to-end import benchmark, parent side: runs each measurement of bench/import.bench.ts in a
 * fresh process (same node flags, so ts-node and --expose-gc carry over) and turns the results
 * into table rows. Type-only imports here: the parent never loads n8n-core.
 */
import { fork } from 'child_process';
import { join } from 'path';

import { LEAD_COUNT, POLL_INTERVAL_SECONDS, ROWS_PER_SECOND, SLOTS } from './constants';
import type { BenchRow } from './csv.bench';
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

export interface ImportBenchResult {
	rows: BenchRow[];
	calibration: Calibration;
	pipelined: ImportRun;
	sequential: ImportRun;
	leadCount: number;
	rowsPerSecond: number;
	slots: number;
	pollIntervalSeconds: number;
	theoreticalMs: number;
}

export async function runImportBench(
	options: { leadCount?: number; rowsPerSecond?: number; log?: (message: string) => void } = {},
): Promise<ImportBenchResult> {
	const log = options.log ?? (() => undefined);
	const leadCount = options.leadCount ?? LEAD_COUNT;
	const rowsPerSecond = options.rowsPerSecond ?? ROWS_PER_SECOND;

	log('import: measuring the emulator on its own');
	const calibration = await inWorker<Calibration>({ kind: 'calibrate' });
	log(`import: ${thousands(leadCount)} leads, pipelined (maxInQueue 4)`);
	const pipelined = await inWorker<ImportRun>({ kind: 'import', leadCount, maxInQueue: 4, rowsPerSecond });
	log(`import: ${thousands(leadCount)} leads, sequential (maxInQueue 1)`);
	const sequential = await inWorker<ImportRun>({ kind: 'import', leadCount, maxInQueue: 1, rowsPerSecond });
	for (const run of [pipelined, sequential]) {
		if (run.rows !== leadCount || run.imported !== leadCount) {
			throw new Error(`import of ${leadCount} leads uploaded ${run.rows} rows and imported ${run.imported}`);
		}
	}

	const theoreticalMs = (leadCount / (SLOTS * rowsPerSecond)) * 1000;
	const demand = SLOTS * rowsPerSecond;
	const wallRatio = pipelined.nodeMs / theoreticalMs;
	const spanRatio = pipelined.importSpanMs / theoreticalMs;
	const speedup = sequential.nodeMs / pipelined.nodeMs;
	const n = leadCount >= 1_000_000 && leadCount % 1_000_000 === 0 ? `${leadCount / 1_000_000}M` : thousands(leadCount);
	const name = `import ${n} leads`;
	const rows: BenchRow[] = [
		{
			name: `emulator alone: parse + upsert (${thousands(calibration.rows)} rows)`,
			metric: 'throughput',
			value: Math.round(calibration.rowsPerSecond),
			unit: 'rows/s',
			target: `≥ ${thousands(2 * demand)} (2× demand)`,
			pass: calibration.rowsPerSecond >= 2 * demand,
		},
		{
			name: `${name}: theoretical minimum (${SLOTS} slots × ${thousands(rowsPerSecond)} rows/s)`,
			metric: 'time',
			value: round(theoreticalMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: pipelined, maxInQueue 4 (${pipelined.batches} batches)`,
			metric: 'node wall time',
			value: round(pipelined.nodeMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: pipelined vs theoretical minimum`,
			metric: 'ratio',
			value: round(wallRatio, 3),
			unit: '×',
			target: '≤ 1.10×',
			pass: wallRatio <= 1.1,
		},
		{
			name: `${name}: of which items → files, before 1st upload`,
			metric: 'time',
			value: round(pipelined.firstUploadMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: 1st import start → last finish vs minimum`,
			metric: 'ratio',
			value: round(spanRatio, 3),
			unit: '×',
		},
		{
			name: `${name}: sequential, maxInQueue 1`,
			metric: 'node wall time',
			value: round(sequential.nodeMs / 1000, 2),
			unit: 's',
		},
		{
			name: `${name}: pipelined vs sequential`,
			metric: 'speed ratio',
			value: round(speedup, 2),
			unit: '×',
			target: '≥ 1.8×',
			pass: speedup >= 1.8,
		},
		{
			name: `${name}: API calls per batch, pipelined (${pipelined.apiCalls.total}/${pipelined.batches})`,
			metric: `poll ${POLL_INTERVAL_SECONDS} s`,
			value: round(pipelined.apiCalls.total / pipelined.batches, 1),
			unit: 'calls',
		},
		{
			name: `${name}: API calls per batch, sequential (${sequential.apiCalls.total}/${sequential.batches})`,
			metric: `poll ${POLL_INTERVAL_SECONDS} s`,
			value: round(sequential.apiCalls.total / sequential.batches, 1),
			unit: 'calls',
		},
		{
			name: `${name}: peak RSS, pipelined (whole process)`,
			metric: 'peak RSS',
			value: Math.round(pipelined.peakRssBytes / MIB),
			unit: 'MiB',
		},
	];
	return {
		rows,
		calibration,
		pipelined,
		sequential,
		leadCount,
		rowsPerSecond,
		slots: SLOTS,
		pollIntervalSeconds: POLL_INTERVAL_SECONDS,
		theoreticalMs,
	};
}
