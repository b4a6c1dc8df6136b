/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Measures the Import node itself, from inside the process that runs it: wraps the node's
 * `execute` so that, when n8n calls it (the input items already in memory), the heap is
 * collected and the process's memory read (the "before"), then the peak resident memory is
 * sampled from a thread of its own (so a busy event loop cannot hide a peak), the heap from
 * the event loop, and the event loop's delay with `monitorEventLoopDelay`, until `execute`
 * returns.
 */
import { readFileSync } from 'fs';
import type { IntervalHistogram } from 'perf_hooks';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from 'perf_hooks';
import { Worker } from 'worker_threads';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { MarketoBulkImport } from '../nodes/MarketoBulkImport/MarketoBulkImport.node';
import { LOOP_DELAY_RESOLUTION_MS, RSS_SAMPLE_MS } from './constants';

const HEAP_SAMPLE_MS = 10;
/** A gap between two heap samples longer than this is kept as a stall (with when it happened). */
const STALL_MS = 50;
const KEPT = 6;

/** Something that held the event loop: when (ms after the node started) and for how long. */
export interface Stall {
	atMs: number;
	ms: number;
	/**
	 * Of those ms, how long the main thread ran, and how long it was ready to run but waited for
	 * a CPU (other processes had both cores): from Linux's /proc schedstat; undefined elsewhere.
	 */
	ranMs?: number;
	waitedMs?: number;
}

/** The main thread's CPU time and run-queue wait so far (Linux), in ms. */
function schedule(): { ran: number; waited: number } | undefined {
	try {
		const [ran, waited] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
		return { ran: ran / 1e6, waited: waited / 1e6 };
	} catch {
		return undefined;
	}
}

export interface GcPause extends Stall {
	kind: string;
}

const GC_KINDS: Record<number, string> = {
	[perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
	[perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
	[perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
	[perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/** Keeps the `KEPT` longest. */
function keep<T extends Stall>(list: T[], item: T): void {
	list.push(item);
	list.sort((a, b) => b.ms - a.ms);
	if (list.length > KEPT) list.length = KEPT;
}

export interface MemoryReading {
	rss: number;
	heapUsed: number;
	/** Memory outside V8's heap held by JS objects: Buffers (the upload files) among them. */
	external: number;
}

export interface NodeMeasurement {
	/** Date.now() when the node started (after the collection) and ended. */
	startEpochMs: number;
	/**
	 * The node's start on the monotonic clock, in µs: the clock of V8's CPU profiles, so that a
	 * stall's `atMs` can be found in a `--cpu-prof` profile (bench/stallProfile.ts).
	 */
	startMonotonicUs: number;
	endEpochMs: number;
	wallMs: number;
	/** After a full collection, as the node starts: modules, n8n-core, the input items. */
	before: MemoryReading;
	peakRss: number;
	/** When the peak RSS was sampled, ms after the node started. */
	peakRssAtMs: number;
	rssSamples: number;
	peakHeapUsed: number;
	peakExternal: number;
	/** Peak of heapUsed + external, sampled together. */
	peakHeapAndExternal: number;
	loopDelay: { maxMs: number; p99Ms: number; p50Ms: number; meanMs: number };
	/** The longest gaps between two 10 ms ticks of the event loop, longest first. */
	stalls: Stall[];
	/** The longest garbage-collection pauses on the main thread, and their total. */
	gcPauses: GcPause[];
	gcTotalMs: number;
	/** CPU time the process used while the node ran (all threads: the sampler's is tiny). */
	cpuMs: number;
	/** The main thread's own CPU time, and its time ready to run but waiting for a CPU (Linux). */
	mainThreadRanMs?: number;
	mainThreadWaitedMs?: number;
}

/** Samples process RSS every RSS_SAMPLE_MS in a worker thread (RSS is the whole process's). */
const SAMPLER_SOURCE = `
const { parentPort } = require('worker_threads');
let timer; let peak = 0; let peakAt = 0; let start = 0; let samples = 0;
const sample = () => {
	const rss = process.memoryUsage.rss();
	samples++;
	if (rss > peak) { peak = rss; peakAt = Date.now() - start; }
};
parentPort.on('message', (message) => {
	if (message === 'start') {
		peak = 0; peakAt = 0; samples = 0; start = Date.now();
		sample();
		timer = setInterval(sample, ${RSS_SAMPLE_MS});
		parentPort.postMessage({ started: true });
	} else if (message === 'stop') {
		clearInterval(timer);
		sample();
		parentPort.postMessage({ peak, peakAt, samples });
	}
});
`;

function collectGarbage(): void {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
	gc();
	gc();
}

function reading(): MemoryReading {
	const usage = process.memoryUsage();
	return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external };
}

class Probe {
	private readonly sampler = new Worker(SAMPLER_SOURCE, { eval: true });

	private histogram: IntervalHistogram | undefined;

	private heapTimer: ReturnType<typeof setInterval> | undefined;

	private peakHeapUsed = 0;

	private peakExternal = 0;

	private peakHeapAndExternal = 0;

	private before: MemoryReading | undefined;

	private startEpochMs = 0;

	private startPerf = 0;

	private startMonotonicUs = 0;

	private stalls: Stall[] = [];

	private gcPauses: GcPause[] = [];

	private gcTotalMs = 0;

	private lastTick = 0;

	private lastSchedule: { ran: number; waited: number } | undefined;

	private startSchedule: { ran: number; waited: number } | undefined;

	private cpuStart: NodeJS.CpuUsage | undefined;

	private readonly gcObserver = new PerformanceObserver((list) => {
		for (const entry of list.getEntries()) {
			this.gcTotalMs += entry.duration;
			const kind = (entry.detail as { kind?: number } | undefined)?.kind ?? -1;
			keep(this.gcPauses, { atMs: entry.startTime - this.startPerf, ms: entry.duration, kind: GC_KINDS[kind] ?? String(kind) });
		}
	});

	constructor() {
		this.sampler.unref();
	}

	private ask<T>(message: string): Promise<T> {
		return new Promise((resolve) => {
			this.sampler.once('message', (answer: T) => resolve(answer));
			this.sampler.postMessage(message);
		});
	}

	async start(): Promise<void> {
		collectGarbage();
		this.before = reading();
		this.peakHeapUsed = this.before.heapUsed;
		this.peakExternal = this.before.external;
		this.peakHeapAndExternal = this.before.heapUsed + this.before.external;
		await this.ask('start');
		this.stalls = [];
		this.gcPauses = [];
		this.gcTotalMs = 0;
		this.lastTick = performance.now();
		this.lastSchedule = schedule();
		this.heapTimer = setInterval(() => {
			const now = performance.now();
			const scheduled = schedule();
			if (now - this.lastTick > STALL_MS) {
				const before = this.lastSchedule;
				keep(this.stalls, {
					atMs: this.lastTick - this.startPerf,
					ms: now - this.lastTick,
					...(scheduled && before ? { ranMs: scheduled.ran - before.ran, waitedMs: scheduled.waited - before.waited } : {}),
				});
			}
			this.lastTick = now;
			this.lastSchedule = scheduled;
			const { heapUsed, external } = process.memoryUsage();
			this.peakHeapUsed = Math.max(this.peakHeapUsed, heapUsed);
			this.peakExternal = Math.max(this.peakExternal, external);
			this.peakHeapAndExternal = Math.max(this.peakHeapAndExternal, heapUsed + external);
		}, HEAP_SAMPLE_MS);
		this.histogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
		this.histogram.enable();
		this.gcObserver.observe({ entryTypes: ['gc'] });
		this.cpuStart = process.cpuUsage();
		this.startSchedule = schedule();
		this.startEpochMs = Date.now();
		this.startPerf = performance.now();
		this.startMonotonicUs = Number(process.hrtime.bigint() / BigInt(1000));
	}

	async stop(): Promise<NodeMeasurement> {
		const wallMs = performance.now() - this.startPerf;
		const endEpochMs = Date.now();
		const histogram = this.histogram as IntervalHistogram;
		histogram.disable();
		clearInterval(this.heapTimer);
		const cpu = process.cpuUsage(this.cpuStart);
		const scheduled = schedule();
		const from = this.startSchedule;
		// Entries still queued are delivered before disconnecting.
		await new Promise((resolve) => setImmediate(resolve));
		this.gcObserver.disconnect();
		const rss = await this.ask<{ peak: number; peakAt: number; samples: number }>('stop');
		const ms = (ns: number) => ns / 1e6;
		return {
			startEpochMs: this.startEpochMs,
			startMonotonicUs: this.startMonotonicUs,
			endEpochMs,
			wallMs,
			before: this.before as MemoryReading,
			peakRss: rss.peak,
			peakRssAtMs: rss.peakAt,
			rssSamples: rss.samples,
			peakHeapUsed: this.peakHeapUsed,
			peakExternal: this.peakExternal,
			peakHeapAndExternal: this.peakHeapAndExternal,
			loopDelay: {
				maxMs: ms(histogram.max),
				p99Ms: ms(histogram.percentile(99)),
				p50Ms: ms(histogram.percentile(50)),
				meanMs: ms(histogram.mean),
			},
			stalls: this.stalls,
			gcPauses: this.gcPauses,
			gcTotalMs: this.gcTotalMs,
			cpuMs: (cpu.user + cpu.system) / 1000,
			...(scheduled && from ? { mainThreadRanMs: scheduled.ran - from.ran, mainThreadWaitedMs: scheduled.waited - from.waited } : {}),
		};
	}

	async close(): Promise<void> {
		await this.sampler.terminate();
	}
}

/**
 * Wraps MarketoBulkImport's execute (the harness's instance uses the prototype's) so that every
 * run of the Import node is measured. Returns the measurements, one per run, as they complete.
 */
export function instrumentImportNode(): { measurements: NodeMeasurement[]; close: () => Promise<void> } {
	const probe = new Probe();
	const measurements: NodeMeasurement[] = [];
	const prototype = MarketoBulkImport.prototype as unknown as {
		execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;
	};
	const execute = prototype.execute;
	prototype.execute = async function measuredExecute(this: IExecuteFunctions) {
		await probe.start();
		try {
			return await execute.call(this);
		} finally {
			measurements.push(await probe.stop());
		}
	};
	return {
		measurements,
		close: async () => {
			prototype.execute = execute;
			await probe.close();
		},
	};
}
