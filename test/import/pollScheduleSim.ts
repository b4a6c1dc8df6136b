/**
 * A deterministic stand-in for Marketo's import queue and for the pipeline that feeds it,
 * on a fake clock, to measure a PollSchedule: how many status calls it makes and how late it
 * notices each finish.
 *
 * The queue follows the emulator's job model (test/emulator/imports.ts): one FIFO queue,
 * `slots` imports at once, a job starts when a slot is free and it has been queued at least
 * queuedMinMs, its import time is fixed when it starts (rows ÷ rows/s at that moment), and its
 * "so far" counter grows with the time spent. Beyond the emulator it can report progress in
 * steps, spend a while before counting any row, fail a job at its start, and hold jobs of other
 * integrations in the same queue.
 */
import type { ObservedStatus, PollSchedule } from '../../nodes/MarketoBulkImport/import/pollSchedule';

export interface QueueModel {
	slots: number;
	/** Rows per second per slot for a job starting at `at` (its import time is fixed then). */
	rowsPerSecond: (at: number, key: number) => number;
	queuedMinMs?: number;
	/** Time at the start of an import before any row is counted (included in its import time). */
	startupMs?: number;
	/** The counter moves in steps of this share of the rows (0: row by row). */
	progressStep?: number;
	/** Jobs that fail at their start. */
	failing?: (key: number) => boolean;
	/** Other integrations' jobs: rows and the time they join the queue. */
	foreign?: Array<{ rows: number; at: number }>;
}

interface Job {
	key: number;
	rows: number;
	foreign: boolean;
	createdAt: number;
	status: ObservedStatus;
	startedAt?: number;
	durationMs?: number;
	finishedAt?: number;
}

export class SimulatedQueue {
	readonly jobs: Job[] = [];

	private readonly arrivals: Array<{ rows: number; at: number }>;

	constructor(private readonly model: QueueModel) {
		this.arrivals = [...(model.foreign ?? [])].sort((a, b) => a.at - b.at);
	}

	submit(key: number, rows: number, at: number): void {
		this.advance(at);
		this.jobs.push({
			key,
			rows,
			foreign: false,
			createdAt: at,
			status: 'Queued',
		});
		this.advance(at);
	}

	status(key: number, at: number): { status: ObservedStatus; processed: number } {
		this.advance(at);
		const job = this.job(key);
		if (job.status !== 'Importing')
			return {
				status: job.status,
				processed: job.status === 'Complete' ? job.rows : 0,
			};
		const startup = Math.min(this.model.startupMs ?? 0, job.durationMs as number);
		const counting = (job.durationMs as number) - startup;
		const elapsed = at - (job.startedAt as number) - startup;
		let fraction = counting > 0 ? Math.max(0, Math.min(1, elapsed / counting)) : 1;
		const step = this.model.progressStep ?? 0;
		if (step > 0) fraction = Math.floor(fraction / step) * step;
		return { status: 'Importing', processed: Math.floor(job.rows * fraction) };
	}

	job(key: number): Job {
		const job = this.jobs.find((candidate) => candidate.key === key);
		if (!job) throw new Error(`no job ${key}`);
		return job;
	}

	/** Starts and finishes jobs up to `now`, event by event, in time order. */
	advance(now: number): void {
		let lastEvent = Number.NEGATIVE_INFINITY;
		for (;;) {
			const importing = this.jobs.filter((job) => job.status === 'Importing');
			let finishing: Job | undefined;
			for (const job of importing) {
				const end = (job.startedAt as number) + (job.durationMs as number);
				if (!finishing || end < (finishing.startedAt as number) + (finishing.durationMs as number)) finishing = job;
			}
			const finishAt = finishing ? (finishing.startedAt as number) + (finishing.durationMs as number) : Infinity;
			const head = this.jobs.find((job) => job.status === 'Queued');
			const startAt =
				head && importing.length < this.model.slots
					? Math.max(head.createdAt + (this.model.queuedMinMs ?? 0), lastEvent)
					: Infinity;
			const arrivalAt = this.arrivals.length > 0 ? this.arrivals[0].at : Infinity;
			const at = Math.min(finishAt, startAt, arrivalAt);
			if (at > now) return;
			if (arrivalAt <= Math.min(finishAt, startAt)) {
				const arrival = this.arrivals.shift() as { rows: number; at: number };
				this.jobs.push({
					key: -this.jobs.length - 1,
					rows: arrival.rows,
					foreign: true,
					createdAt: arrival.at,
					status: 'Queued',
				});
			} else if (finishing && finishAt <= startAt) {
				finishing.status = 'Complete';
				finishing.finishedAt = finishAt;
			} else if (head) {
				head.startedAt = at;
				if (this.model.failing?.(head.key) && !head.foreign) {
					head.status = 'Failed';
					head.finishedAt = at;
					head.durationMs = 0;
				} else {
					head.status = 'Importing';
					const rate = this.model.rowsPerSecond(at, head.key);
					head.durationMs = Math.max(1, Math.ceil((head.rows / rate) * 1000));
				}
			}
			lastEvent = at;
		}
	}
}

export interface PipelineRun {
	/** Rows of each of our files, in order. */
	files: number[];
	maxInQueue: number;
	slots: number;
	floorMs: number;
	maxMs: number;
	/** Time to upload a file and get the create answer. */
	uploadMs: number;
	/** Time a status call takes. */
	callMs: number;
}

export interface BatchTrace {
	key: number;
	rows: number;
	submittedAt: number;
	/** When it became one of the `slots` oldest batches in flight. */
	headAt: number;
	startedAt: number;
	finishedAt: number;
	importMs: number;
	noticedAt: number;
	statusCalls: number;
}

export interface RunResult {
	batches: BatchTrace[];
	creates: number;
	statusCalls: number;
	/** When the last finish was noticed (the run's end) and when it happened. */
	endAt: number;
	lastFinishAt: number;
	/** Contract breaches seen by the harness (empty when the schedule kept its word). */
	breaches: string[];
}

/** How the poller decides: the adaptive schedule, or asking the oldest `slots` every floor interval. */
export type Poller = PollSchedule | 'fixed';

const MAX_STEPS = 200_000;

/**
 * Runs the pipeline the way pipeline.ts does (keep up to maxInQueue batches in the queue,
 * refill when a finish is noticed, ask only about the oldest `slots`), with `poller` deciding
 * when to ask, and checks the schedule's contract at every decision.
 */
export function runPipeline(queue: SimulatedQueue, run: PipelineRun, poller: Poller): RunResult {
	let now = 0;
	let creates = 0;
	let statusCalls = 0;
	let nextFile = 0;
	const breaches: string[] = [];
	const inFlight: number[] = [];
	const lastAnswerAt = new Map<number, number>();
	const traces = new Map<number, Partial<BatchTrace> & { key: number; rows: number }>();
	const markHeads = () => {
		for (const key of inFlight.slice(0, run.slots)) {
			const trace = traces.get(key);
			if (trace && trace.headAt === undefined) trace.headAt = now;
		}
	};

	for (let step = 0; ; step++) {
		if (step > MAX_STEPS) {
			breaches.push(`no end after ${MAX_STEPS} steps (t=${now})`);
			break;
		}
		while (inFlight.length < run.maxInQueue && nextFile < run.files.length) {
			const rows = run.files[nextFile];
			const key = ++nextFile;
			now += run.uploadMs;
			queue.submit(key, rows, now);
			creates++;
			inFlight.push(key);
			lastAnswerAt.set(key, now);
			traces.set(key, { key, rows, submittedAt: now, statusCalls: 0 });
			if (poller !== 'fixed') poller.submitted(key, rows, now);
			markHeads();
		}
		if (inFlight.length === 0 && nextFile >= run.files.length) break;

		const heads = inFlight.slice(0, run.slots);
		let askNow: number[];
		let wakeAt: number;
		if (poller === 'fixed') {
			const due = Math.max(...heads.map((key) => (lastAnswerAt.get(key) as number) + run.floorMs));
			askNow = due <= now ? heads : [];
			wakeAt = due <= now ? now + run.floorMs : due;
		} else {
			({ askNow, wakeAt } = poller.next(now));
			// The contract, checked at every decision.
			for (const key of askNow) {
				if (!heads.includes(key)) breaches.push(`asked about ${key}, not one of the oldest ${run.slots} (t=${now})`);
				const since = now - (lastAnswerAt.get(key) as number);
				if (since < run.floorMs)
					breaches.push(`asked about ${key} ${since} ms after its last answer (floor ${run.floorMs})`);
			}
			if (askNow.join() !== heads.filter((key) => askNow.includes(key)).join())
				breaches.push(`not oldest first: ${askNow.join()}`);
			for (const key of heads) {
				const since = now - (lastAnswerAt.get(key) as number);
				if (since > run.maxMs && !askNow.includes(key)) {
					breaches.push(`batch ${key} unasked for ${since} ms (max ${run.maxMs}, t=${now})`);
				}
				if (!askNow.includes(key) && wakeAt > (lastAnswerAt.get(key) as number) + run.maxMs) {
					breaches.push(`wakes at ${wakeAt}, after batch ${key}'s max wait (t=${now})`);
				}
			}
			if (askNow.length === 0 && !(wakeAt > now && Number.isFinite(wakeAt))) {
				breaches.push(`nothing to ask and wakeAt ${wakeAt} (t=${now})`);
				break;
			}
		}

		if (askNow.length === 0) {
			now = wakeAt;
			continue;
		}
		for (const key of askNow) {
			now += run.callMs;
			const answer = queue.status(key, now);
			statusCalls++;
			const trace = traces.get(key) as BatchTrace;
			trace.statusCalls++;
			lastAnswerAt.set(key, now);
			if (poller !== 'fixed') poller.observed(key, { at: now, ...answer });
			if (answer.status === 'Complete' || answer.status === 'Failed') {
				trace.noticedAt = now;
				inFlight.splice(inFlight.indexOf(key), 1);
			}
		}
		markHeads();
	}

	const batches = [...traces.values()].map((trace) => {
		const job = queue.job(trace.key);
		return {
			...trace,
			startedAt: job.startedAt,
			finishedAt: job.finishedAt,
			importMs: job.durationMs,
		} as BatchTrace;
	});
	return {
		batches,
		creates,
		statusCalls,
		endAt: Math.max(...batches.map((batch) => batch.noticedAt ?? Infinity)),
		lastFinishAt: Math.max(...batches.map((batch) => batch.finishedAt ?? Infinity)),
		breaches,
	};
}

/** The files of the 1,000,000-lead benchmark run (docs/benchmarks.md). */
export const MILLION_LEAD_FILES = [124_154, 122_747, 122_675, 122_769, 122_755, 122_768, 122_806, 122_677, 16_649];
