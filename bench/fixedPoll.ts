/**
 * The comparison the calls-per-batch row needs: the same pipeline with a fixed poll (how the node
 * polled before the adaptive schedule) instead of import/pollSchedule.ts's PollSchedule. Installed
 * in a benchmark worker only, by replacing the module's export before the pipeline first uses it.
 */
import * as pollScheduleModule from '../nodes/MarketoBulkImport/import/pollSchedule';
import type { BatchObservation, PollDecision, PollScheduleOptions } from '../nodes/MarketoBulkImport/import/pollSchedule';

/**
 * Every Poll Interval, ask about the `slots` oldest batches in flight (Marketo's queue is FIFO, so
 * only they can have finished), whatever their progress says.
 */
export class FixedPollSchedule {
	private readonly floorMs: number;

	private readonly slots: number;

	/** Batches in flight, oldest first, with the time of their last answer. */
	private readonly inFlight: Array<{ key: number; lastAt: number }> = [];

	constructor(options: PollScheduleOptions) {
		this.floorMs = Math.max(1, options.floorMs);
		this.slots = Math.max(1, Math.floor(options.slots ?? 2));
	}

	importRate(): number | undefined {
		return undefined;
	}

	submitted(batchKey: number, _rows: number, at: number): void {
		if (!this.inFlight.some((batch) => batch.key === batchKey)) this.inFlight.push({ key: batchKey, lastAt: at });
	}

	/** A fixed poll has no closing phase: it asks every Poll Interval to the end. */
	lastSubmitted(): void {}

	observed(batchKey: number, observation: BatchObservation): void {
		const index = this.inFlight.findIndex((batch) => batch.key === batchKey);
		if (index < 0) return;
		if (observation.status === 'Complete' || observation.status === 'Failed') this.inFlight.splice(index, 1);
		else this.inFlight[index].lastAt = observation.at;
	}

	finished(batchKey: number): void {
		const index = this.inFlight.findIndex((batch) => batch.key === batchKey);
		if (index >= 0) this.inFlight.splice(index, 1);
	}

	next(now: number): PollDecision {
		const askNow: number[] = [];
		let wakeAt = Number.POSITIVE_INFINITY;
		for (const batch of this.inFlight.slice(0, this.slots)) {
			const due = batch.lastAt + this.floorMs;
			if (due <= now) askNow.push(batch.key);
			else wakeAt = Math.min(wakeAt, due);
		}
		if (askNow.length > 0) wakeAt = Math.min(wakeAt, now + this.floorMs);
		return { askNow, wakeAt };
	}
}

/** Makes the pipeline construct FixedPollSchedule (it reads the module's export at each run). */
export function installFixedPoll(): void {
	// Compiled to CommonJS, the pipeline reads `PollSchedule` from this same exports object.
	const exports = pollScheduleModule as { PollSchedule: unknown };
	exports.PollSchedule = FixedPollSchedule;
	if (exports.PollSchedule !== FixedPollSchedule) throw new Error('could not replace PollSchedule for the fixed-poll run');
}
