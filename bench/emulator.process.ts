/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * The Marketo emulator in a process of its own, for the benchmark: its parsing, validation and
 * lead store neither block the node's event loop nor count in the node's memory. Started by
 * bench/emulatorClient.ts with the emulator options as argv[2]; answers over IPC with compact
 * facts (job timings, the request log), never the uploaded files.
 */
import type { EmulatorOptions, MarketoEmulator } from '../test/emulator';
import { startMarketoEmulator } from '../test/emulator';

export interface CompactJob {
	batchId: number;
	status: string;
	dataRows: number;
	processed: number;
	failed: number;
	warnings: number;
	createdAt: number;
	startedAt?: number;
	finishedAt?: number;
}

export interface CompactRequest {
	method: string;
	path: string;
	status: number;
	code?: string;
	at: number;
	bodyBytes: number;
}

export interface EmulatorReport {
	jobs: CompactJob[];
	requests: CompactRequest[];
	/**
	 * When this process's event loop was held for more than BUSY_MS (Date.now() from, to): parsing
	 * an upload, importing rows, collecting garbage. A request arriving meanwhile waits.
	 */
	busy: Array<[number, number]>;
	/** This process's peak RSS (sampled every 100 ms) and heap at the time of the report. */
	peakRssBytes: number;
	heapUsedBytes: number;
}

export type EmulatorMessage = { type: 'ready'; url: string } | { type: 'report'; report: EmulatorReport };

const TICK_MS = 5;
const BUSY_MS = 25;

function report(emulator: MarketoEmulator, peakRssBytes: number, busy: Array<[number, number]>): EmulatorReport {
	return {
		jobs: emulator.jobs().map((job) => ({
			batchId: job.batchId,
			status: job.status,
			dataRows: job.dataRows,
			processed: job.counters.processed,
			failed: job.counters.failed,
			warnings: job.counters.warnings,
			createdAt: job.createdAt,
			startedAt: job.startedAt,
			finishedAt: job.finishedAt,
		})),
		requests: emulator.requests().map(({ method, path, status, code, at, bodyBytes }) => ({
			method,
			path,
			status,
			code,
			at,
			bodyBytes,
		})),
		busy,
		peakRssBytes,
		heapUsedBytes: process.memoryUsage().heapUsed,
	};
}

async function main(): Promise<void> {
	const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
	const emulator = await startMarketoEmulator(options);
	let peakRss = process.memoryUsage.rss();
	const sampler = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage.rss());
	}, 100);
	const busy: Array<[number, number]> = [];
	let lastTick = Date.now();
	const ticker = setInterval(() => {
		const now = Date.now();
		if (now - lastTick > BUSY_MS) busy.push([lastTick, now]);
		lastTick = now;
	}, TICK_MS);
	process.on('message', (message: { type: string }) => {
		if (message.type === 'report') {
			process.send?.({ type: 'report', report: report(emulator, peakRss, busy) } satisfies EmulatorMessage);
		} else if (message.type === 'close') {
			clearInterval(sampler);
			clearInterval(ticker);
			emulator.close().then(
				() => process.exit(0),
				() => process.exit(1),
			);
		}
	});
	// The parent went away: nothing left to serve.
	process.on('disconnect', () => process.exit(0));
	process.send?.({ type: 'ready', url: emulator.url } satisfies EmulatorMessage);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
