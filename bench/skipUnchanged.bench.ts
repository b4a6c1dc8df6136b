/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- a benchmark script, not node code: it forks itself */
/**
 * Skip Unchanged Rows at scale: 1,000,000 leads imported once (every row sent and remembered),
 * then the same leads again (nothing sent). Runs the real node in n8n-core's engine against the
 * emulator (in this process), with n8n's processed-data store played in memory by the same rules
 * as n8n's (test/harness/processedDataStore.ts). Measures the second run: time, the process's
 * added memory (peak RSS sampled every 5 ms − RSS before, after a collection), rows sent, and the
 * stored history: entries and the size of the JSON value n8n writes to processed_data.
 *
 * `npm run bench:skip` (BENCH_SKIP_LEADS=100000 for a quick trial). Prints JSON; bench/index.ts
 * adds the rows to docs/benchmarks.md when run with the others.
 */
import './env';

import { fork } from 'child_process';

import type { BenchRow } from './csv.bench';
import { makeImportLeads } from './leads';

const MIB = 1024 * 1024;

export interface SkipBenchResult {
	leads: number;
	firstRunSeconds: number;
	secondRunSeconds: number;
	secondRunAddedRssMiB: number;
	/** Peak heap + buffers − at the start (RSS may not have shrunk after the first run). */
	secondRunAddedHeapMiB: number;
	secondRunRowsSent: number;
	skippedUnchanged: number;
	historyEntries: number;
	historyBytes: number;
	/** Time to write and read that value as n8n does (JSON), the part of the database round trip we can measure here. */
	historyJsonMs: number;
}

export async function runSkipUnchangedBench(leadCount: number): Promise<SkipBenchResult> {
	// Loaded here, after ./env has pointed n8n-core at a throw-away folder.
	const { startMarketoEmulator } = await import('../test/emulator');
	const { FAST, credentialsFor } = await import('../test/harness/fixtures');
	const { processedData } = await import('../test/harness/processedDataStore');
	const { runWorkflow } = await import('../test/harness/workflowRunner');

	const emulator = await startMarketoEmulator({ ...FAST, queuedMinMs: 20, importMinMs: 30, rowsPerSecond: 0 });
	const leads = makeImportLeads(leadCount);
	const step = {
		name: 'Import',
		parameters: {
			resource: 'lead',
			operation: 'import',
			format: 'csv',
			lookupField: 'email',
			options: { waitForCompletion: true, skipUnchanged: true, pollIntervalSeconds: 0.05, timeoutMinutes: 60, retryWaitSeconds: 0.01 },
		},
	};
	const run = async () =>
		await runWorkflow({ items: leads, itemsAsIs: true, credentials: credentialsFor(emulator), steps: [step], mode: 'trigger', workflowId: 'wf-bench-skip' });
	try {
		let started = Date.now();
		const first = await run();
		if (first.error) throw first.error;
		const firstRunSeconds = (Date.now() - started) / 1000;
		const jobsAfterFirst = emulator.jobs().length;

		global.gc?.();
		const heapOf = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.external;
		const start = process.memoryUsage();
		let peak = start.rss;
		let peakHeap = heapOf(start);
		const sampler = setInterval(() => {
			const usage = process.memoryUsage();
			peak = Math.max(peak, usage.rss);
			peakHeap = Math.max(peakHeap, heapOf(usage));
		}, 5);
		started = Date.now();
		const second = await run();
		const secondRunSeconds = (Date.now() - started) / 1000;
		clearInterval(sampler);
		if (second.error) throw second.error;
		const skipped = second.output('Import').find((item) => item.json.outcome === 'skippedUnchanged');
		const rowsSent = emulator
			.jobs()
			.slice(jobsAfterFirst)
			.reduce((rows, job) => rows + job.dataRows, 0);

		const entries = processedData.entries('wf-bench-skip', 'marketo-1');
		const jsonStarted = Date.now();
		const value = JSON.stringify({ mode: 'entries', data: entries });
		JSON.parse(value);
		const historyJsonMs = Date.now() - jsonStarted;
		return {
			leads: leadCount,
			firstRunSeconds,
			secondRunSeconds,
			secondRunAddedRssMiB: Math.round(((peak - start.rss) / MIB) * 10) / 10,
			secondRunAddedHeapMiB: Math.round(((peakHeap - heapOf(start)) / MIB) * 10) / 10,
			secondRunRowsSent: rowsSent,
			skippedUnchanged: Number(skipped?.json.rows ?? 0),
			historyEntries: entries.length,
			historyBytes: Buffer.byteLength(value),
			historyJsonMs,
		};
	} finally {
		await emulator.close();
	}
}

/** Table rows for docs/benchmarks.md. */
export function skipUnchangedRows(result: SkipBenchResult): BenchRow[] {
	const name = `Skip Unchanged Rows, second run of ${result.leads.toLocaleString('en-US')} unchanged leads`;
	return [
		{ name, metric: 'time', value: result.secondRunSeconds, unit: 's' },
		{ name, metric: 'added memory (peak RSS)', value: result.secondRunAddedRssMiB, unit: 'MiB' },
		{ name, metric: 'added memory (peak heap + buffers)', value: result.secondRunAddedHeapMiB, unit: 'MiB' },
		{ name, metric: 'rows sent', value: result.secondRunRowsSent, unit: 'rows', target: '0', pass: result.secondRunRowsSent === 0 },
		{ name, metric: 'stored history', value: Math.round((result.historyBytes / MIB) * 10) / 10, unit: `MiB (${result.historyEntries.toLocaleString('en-US')} entries)` },
	];
}

/** Runs the benchmark in a fresh process (same node flags), as bench/index.ts does with the imports. */
export async function skipUnchangedInWorker(leads: number): Promise<SkipBenchResult> {
	return await new Promise((resolve, reject) => {
		const child = fork(__filename, [], {
			execArgv: process.execArgv,
			env: { ...process.env, BENCH_SKIP_LEADS: String(leads) },
			stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
		});
		let result: SkipBenchResult | undefined;
		child.on('message', (message) => {
			result = message as SkipBenchResult;
		});
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`Skip Unchanged Rows benchmark exited with code ${code}`))));
	});
}

if (require.main === module) {
	const count = Number(process.env.BENCH_SKIP_LEADS ?? 1_000_000);
	runSkipUnchangedBench(count)
		.then((result) => {
			console.log(JSON.stringify(result, null, 2));
			process.send?.(result);
			process.exit(0);
		})
		.catch((error: unknown) => {
			console.error(error);
			process.exit(1);
		});
}
