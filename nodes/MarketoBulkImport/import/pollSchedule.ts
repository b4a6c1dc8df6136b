/**
 * Decides when to ask Marketo about the batches in flight, so that a finish is noticed soon
 * after it happens while each batch costs only a few status calls out of the daily quota.
 *
 * Model: Marketo imports in arrival order, `slots` (2) at a time, at some rate of rows per
 * second per slot. The schedule learns that rate from what status answers say (rows done so
 * far while Importing, and when batches turn out to be finished), predicts when each batch
 * starts (when a slot frees, in FIFO order) and finishes, and asks:
 *  - once at about PROGRESS_CHECK of a batch's predicted import (a batch it has not yet seen
 *    Importing): its progress measures the rate it is really imported at;
 *  - once just after its predicted finish (a small margin late rather than early: an early
 *    ask costs another call and at least a floor interval);
 *  - more only when those predictions were wrong.
 * Before any rate is known it asks at the floor interval, doubling the wait (up to maxMs)
 * while the answers do not change. Only the `slots` oldest batches in flight are ever asked
 * about: a later one cannot start before one of them finishes, so asking it would tell little.
 *
 * Guarantees (tested): never asks about a batch sooner than floorMs after its last answer (or
 * its submission); never leaves one of the `slots` oldest batches unasked for more than maxMs,
 * so every finish is noticed. With a steady rate and progress that grows with time, each finish
 * is noticed within the floor plus 3 % of the batch's import time (the aimed margin), inside
 * the floor + 10 % the tests hold it to. When the rate rises by a factor k between batches, the
 * first batches at the new rate can be noticed up to (0.6 k - 1) of their import time late
 * (0.2 at 2×): the progress check comes after their finish; the rate is then raised, and
 * later batches are back within floor + 10 %. A fall in the rate is caught by the progress check.
 *
 * Pure: no n8n, no timers; the caller passes the time of each event.
 */

export type ObservedStatus = 'Queued' | 'Importing' | 'Complete' | 'Failed';

export interface BatchObservation {
	/** When the answer arrived (ms, the caller's clock). */
	at: number;
	status: ObservedStatus;
	/** Rows Marketo has gone through so far: numOfRowsProcessed + numOfRowsFailed. */
	processed: number;
	/** Rows in the file; only needed when `submitted` was not told. */
	rows?: number;
}

export interface PollScheduleOptions {
	/** The user's Poll Interval: a batch is never asked about sooner than this after its last answer. */
	floorMs: number;
	/** Never wait longer than this before asking again about a batch that may be importing (default 5 min). */
	maxMs?: number;
	/** Imports Marketo runs at once (default 2). */
	slots?: number;
}

export interface PollDecision {
	/** Batches to ask about now, oldest first. Report each answer with `observed`, then call `next` again. */
	askNow: number[];
	/** When to call `next` again if nothing else happens; Infinity when no batch is in flight. */
	wakeAt: number;
}

export const DEFAULT_MAX_POLL_MS = 5 * 60_000;

/** What a status answer says, for `observed`: Marketo's "so far" counters leave failed rows out of the processed ones. */
export function observationOf(
	status: {
		status: ObservedStatus;
		numOfRowsProcessed: number;
		numOfRowsFailed: number;
	},
	at: number,
): BatchObservation {
	return {
		at,
		status: status.status,
		processed: status.numOfRowsProcessed + status.numOfRowsFailed,
	};
}

/** Where in a batch's predicted import the progress check falls. */
const PROGRESS_CHECK = 0.6;
/** How late, as a share of the predicted remaining time, the finish check aims. */
const LATE_MARGIN = 0.03;
/** Once every batch is submitted: from how early in a batch's predicted import (share of it) it is asked about at the floor. */
const CLOSING_LEAD = 0.1;

interface Batch {
	key: number;
	rows: number;
	/** Time of the last answer (the create call's, at first). */
	lastAt: number;
	status: ObservedStatus;
	processed: number;
	/** Answers in a row that said nothing new (same status, same progress). */
	unchanged: number;
	/** Last time it was known to be Queued. */
	queuedAt: number;
	/** The start predicted when it was first seen Importing. */
	startedAt?: number;
	/** Rows per ms this batch was measured at. */
	ownRate?: number;
	/** Once it has left our watch: when it most likely finished. */
	finishedAt?: number;
}

interface Prediction {
	start: number;
	finish: number;
}

export class PollSchedule {
	private readonly floorMs: number;

	private readonly maxMs: number;

	private readonly slots: number;

	/**
	 * Our batches in submission order, from the oldest in flight on: later ones may have
	 * finished already (they still tell when their slot freed).
	 */
	private queue: Batch[] = [];

	/** When each slot frees for the oldest batch in flight, from the batches before it. */
	private readonly slotFreeAt: number[];

	/** Rows and ms measured, decayed so that about the last batch's worth of rows counts. */
	private sampledRows = 0;

	private sampledMs = 0;

	/** No batch will join the queue any more: the last finish ends the run. */
	private closing = false;

	constructor(options: PollScheduleOptions) {
		if (!(options.floorMs >= 0)) throw new RangeError(`floorMs must be 0 or more, not ${options.floorMs}`);
		// At least 1 ms, so that backing off from it grows.
		this.floorMs = Math.max(1, options.floorMs);
		this.maxMs = Math.max(options.maxMs ?? DEFAULT_MAX_POLL_MS, this.floorMs);
		this.slots = Math.max(1, Math.floor(options.slots ?? 2));
		this.slotFreeAt = new Array<number>(this.slots).fill(Number.NEGATIVE_INFINITY);
	}

	/** Rows per second per slot learnt so far, if any. */
	importRate(): number | undefined {
		const rate = this.rate();
		return rate === undefined ? undefined : rate * 1000;
	}

	/** Marketo accepted the batch (its create answer arrived at `at`): it joins the end of the queue. */
	submitted(batchKey: number, rows: number, at: number): void {
		if (this.queue.some((batch) => batch.key === batchKey)) return;
		this.queue.push({
			key: batchKey,
			rows: Math.max(0, rows),
			lastAt: at,
			status: 'Queued',
			processed: 0,
			unchanged: 0,
			queuedAt: at,
		});
	}

	/**
	 * Every batch has been submitted. Nothing waits in the queue to take a freed slot any more, so
	 * the last finish, noticed late, is time lost at the end of the run, and a predicted finish can
	 * be off by the rate's error. Each batch is then asked about at the floor from a little before
	 * its predicted finish (CLOSING_LEAD of its import) until it is done: a few more calls for the
	 * last batches only.
	 */
	lastSubmitted(): void {
		this.closing = true;
	}

	/** A status answer about the batch. Complete or Failed ends its watch. */
	observed(batchKey: number, observation: BatchObservation): void {
		const batch = this.find(batchKey);
		if (!batch) return;
		const { status } = observation;
		// An answer never comes before the one it follows (a late-reported one counts as new).
		const at = Math.max(observation.at, batch.lastAt);
		if (observation.rows !== undefined) batch.rows = observation.rows;
		const processed = Math.max(0, observation.processed);
		const predicted = this.predict().get(batch);

		if (status === 'Complete') {
			this.release(batch, at, this.learnFromFinish(batch, at, predicted));
			return;
		}
		if (status === 'Failed') {
			// Marketo fails a batch when it starts it (or while importing): no rate to learn.
			this.release(batch, at, predicted?.start ?? batch.lastAt);
			return;
		}

		const changed = status !== batch.status || processed !== batch.processed;
		batch.unchanged = changed ? 0 : batch.unchanged + 1;
		if (status === 'Importing') {
			if (batch.status === 'Importing') {
				// Two progress readings of one import: the most direct measure of the rate.
				// The counter is whole rows: up to one more row may be done than it says. Counting
				// it errs toward asking early (a call) rather than late, when few rows went by.
				const rows = processed - batch.processed + 1;
				const ms = at - batch.lastAt;
				if (rows > 1 && ms > 0) {
					this.sample(rows, ms, batch.rows);
					batch.ownRate = rows / ms;
				}
			} else {
				this.learnFromFirstProgress(batch, at, processed, predicted);
			}
		} else {
			batch.queuedAt = at;
		}
		batch.status = status;
		batch.processed = processed;
		batch.lastAt = at;
	}

	/** The batch left our watch some other way (finished, or given up), learnt at `at`. */
	finished(batchKey: number, at: number): void {
		const batch = this.find(batchKey);
		if (batch) this.release(batch, at, this.predict().get(batch)?.finish);
	}

	next(now: number): PollDecision {
		const predictions = this.predict();
		const askNow: number[] = [];
		let wakeAt = Number.POSITIVE_INFINITY;
		for (const batch of this.inFlight().slice(0, this.slots)) {
			const due = this.dueAt(batch, predictions.get(batch));
			if (due <= now) askNow.push(batch.key);
			else wakeAt = Math.min(wakeAt, due);
		}
		if (askNow.length > 0) wakeAt = Math.min(wakeAt, now + this.floorMs);
		return { askNow, wakeAt };
	}

	private inFlight(): Batch[] {
		return this.queue.filter((batch) => batch.finishedAt === undefined);
	}

	private find(batchKey: number): Batch | undefined {
		return this.queue.find((batch) => batch.key === batchKey && batch.finishedAt === undefined);
	}

	/** Rows per ms per slot, once measured. */
	private rate(): number | undefined {
		return this.sampledMs > 0 && this.sampledRows > 0 ? this.sampledRows / this.sampledMs : undefined;
	}

	private sample(rows: number, ms: number, batchRows: number): void {
		// Older measures fade by half for every half batch of rows measured since: the rate
		// follows a change within about one batch, and one short reading cannot swing it.
		const fade = Math.pow(0.5, rows / Math.max(1, batchRows / 2));
		this.sampledRows = this.sampledRows * fade + rows;
		this.sampledMs = this.sampledMs * fade + ms;
	}

	/**
	 * First seen Importing, with `processed` rows done since its predicted start. Faster than
	 * the rate says means a faster import (or an earlier start: the next reading corrects it).
	 * Slower is ambiguous: a slower import, or a later start than predicted (another
	 * integration's batch ran first, Marketo counted nothing for a while): the rate is kept and
	 * an early finish check will measure it.
	 */
	private learnFromFirstProgress(batch: Batch, at: number, processed: number, predicted: Prediction | undefined): void {
		const rate = this.rate();
		if (rate === undefined || predicted === undefined) return;
		const start = Math.min(Math.max(predicted.start, batch.queuedAt), at);
		batch.startedAt = start;
		if (processed <= 0 || at - start < this.floorMs) return;
		const measured = processed / (at - start);
		if (measured <= rate) return;
		this.sample(processed, at - start, batch.rows);
		batch.ownRate = measured;
	}

	/**
	 * Found Complete: returns when it most likely finished. Sooner than predicted means a faster
	 * import than the rate says; with no reading of when, the middle of the time it may have
	 * finished in is the guess, and the rate is raised to match (a rate too high costs an early
	 * call, which measures it; too low would make every later finish noticed late). Before any
	 * rate is known nothing is learnt: a batch that was quick to finish only says the rate is
	 * at least so much, and a rate from that would be too low.
	 */
	private learnFromFinish(batch: Batch, at: number, predicted: Prediction | undefined): number | undefined {
		if (predicted === undefined) return undefined;
		if (predicted.finish <= at) return Math.max(predicted.finish, batch.lastAt);
		const since = batch.status === 'Importing' ? batch.lastAt : Math.min(Math.max(predicted.start, batch.lastAt), at);
		const finish = (since + at) / 2;
		const rest = batch.rows - batch.processed;
		const rate = this.rate() as number;
		if (rest > 0 && finish > since && rest / (finish - since) > rate) this.sample(rest, finish - since, batch.rows);
		return finish;
	}

	private release(batch: Batch, at: number, estimate: number | undefined): void {
		// It finished between its last answer and this one.
		batch.finishedAt = Math.min(at, Math.max(batch.lastAt, estimate ?? (batch.lastAt + at) / 2));
		// Batches before the oldest in flight only matter for when they freed their slot.
		while (this.queue.length > 0 && this.queue[0].finishedAt !== undefined) {
			const done = this.queue.shift() as Batch;
			this.slotFreeAt[earliest(this.slotFreeAt)] = done.finishedAt as number;
		}
	}

	/**
	 * Start and finish of every batch in flight, with the current rate. Marketo's queue is FIFO:
	 * each batch, in order, takes the slot that frees first and holds it until its finish (an
	 * importing one as its progress says, a queued one for its rows at the rate).
	 */
	private predict(): Map<Batch, Prediction> {
		const predictions = new Map<Batch, Prediction>();
		const rate = this.rate();
		if (rate === undefined) return predictions;
		const slotFreeAt = [...this.slotFreeAt];
		for (const batch of this.queue) {
			const slot = earliest(slotFreeAt);
			if (batch.finishedAt !== undefined) {
				slotFreeAt[slot] = batch.finishedAt;
				continue;
			}
			let start: number;
			let finish: number;
			if (batch.status === 'Importing') {
				const batchRate = batch.ownRate ?? rate;
				start = batch.startedAt ?? Math.max(batch.queuedAt, batch.lastAt - batch.processed / batchRate);
				finish = batch.lastAt + Math.max(0, batch.rows - batch.processed) / batchRate;
			} else {
				start = Math.max(slotFreeAt[slot], batch.queuedAt);
				finish = start + batch.rows / rate;
			}
			predictions.set(batch, { start, finish });
			slotFreeAt[slot] = finish;
		}
		return predictions;
	}

	private dueAt(batch: Batch, predicted: Prediction | undefined): number {
		// Waiting longer each time the answer does not change (the floor, doubled each time).
		const backoff = batch.lastAt + this.floorMs * Math.pow(2, Math.min(batch.unchanged, 30));
		let target = backoff;
		if (predicted !== undefined) {
			const { start, finish } = predicted;
			const importMs = finish - start;
			const checkProgress = batch.status !== 'Importing' && importMs * (1 - PROGRESS_CHECK) >= this.floorMs;
			if (checkProgress) target = start + importMs * PROGRESS_CHECK;
			else if (this.closing) target = finish - CLOSING_LEAD * importMs;
			else target = finish + LATE_MARGIN * Math.max(0, finish - Math.max(batch.lastAt, start)) + 1;
			target = Math.max(target, backoff);
		}
		const due = Math.min(target, batch.lastAt + this.maxMs);
		return Math.ceil(Math.max(due, batch.lastAt + this.floorMs));
	}
}

function earliest(times: number[]): number {
	let first = 0;
	for (let i = 1; i < times.length; i++) if (times[i] < times[first]) first = i;
	return first;
}
