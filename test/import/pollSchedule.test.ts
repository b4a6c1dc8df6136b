/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import fc from 'fast-check';

import { observationOf, PollSchedule } from '../../nodes/MarketoBulkImport/import/pollSchedule';
import type { PipelineRun, QueueModel, RunResult } from './pollScheduleSim';
import { MILLION_LEAD_FILES, runPipeline, SimulatedQueue } from './pollScheduleSim';

/**
 * The schedule alone, step by step, then in a simulated pipeline against a FIFO queue with
 * two slots (the emulator's job model) on a fake clock: calls per batch and how late each
 * finish is noticed. POLL_SIM_REPORT=1 prints the scenario table.
 */

describe('PollSchedule, step by step', () => {
	it('asks one floor after submission, doubles the wait while the answer stays the same, and goes back to the floor when it changes', () => {
		const schedule = new PollSchedule({ floorMs: 1000, maxMs: 60_000 });
		schedule.submitted(1, 100_000, 0);
		expect(schedule.next(0)).toEqual({ askNow: [], wakeAt: 1000 });
		expect(schedule.next(1000).askNow).toEqual([1]);
		schedule.observed(1, { at: 1000, status: 'Queued', processed: 0 });
		expect(schedule.next(1000)).toEqual({ askNow: [], wakeAt: 3000 });
		schedule.observed(1, { at: 3000, status: 'Queued', processed: 0 });
		expect(schedule.next(3000).wakeAt).toBe(7000);
		schedule.observed(1, { at: 7000, status: 'Importing', processed: 500 });
		expect(schedule.next(7000).wakeAt).toBe(8000);
		expect(schedule.importRate()).toBeUndefined();
	});

	it('measures the rate from two readings and asks just after the predicted finish, not before', () => {
		const schedule = new PollSchedule({ floorMs: 200, maxMs: 60_000 });
		schedule.submitted(1, 100_000, 0);
		schedule.observed(1, { at: 1000, status: 'Importing', processed: 10_000 });
		schedule.observed(1, { at: 2000, status: 'Importing', processed: 20_000 });
		expect(schedule.importRate()).toBeCloseTo(10_000, -1);
		// 80,000 rows left at 10 rows/ms: finished at 10,000; asked 3 % of the 8 s later.
		const { askNow, wakeAt } = schedule.next(2000);
		expect(askNow).toEqual([]);
		expect(wakeAt).toBeGreaterThan(10_000);
		expect(wakeAt).toBeLessThanOrEqual(10_000 + 0.03 * 8000 + 2);
		expect(schedule.next(wakeAt).askNow).toEqual([1]);
	});

	it('once every batch is submitted, asks from 10 % before the predicted finish, then at the floor until it is done', () => {
		const schedule = new PollSchedule({ floorMs: 200, maxMs: 60_000 });
		schedule.submitted(1, 100_000, 0);
		schedule.observed(1, { at: 1000, status: 'Importing', processed: 10_000 });
		schedule.observed(1, { at: 2000, status: 'Importing', processed: 20_000 });
		schedule.lastSubmitted();
		// Predicted: started at 0, finished at 10,000 (10 rows/ms): asked at 9,000.
		const { askNow, wakeAt } = schedule.next(2000);
		expect(askNow).toEqual([]);
		expect(wakeAt).toBe(9000);
		// Slower than predicted: still importing at 9,000, so the finish is now about 10,240, and
		// asked about at about the floor until it is done.
		schedule.observed(1, { at: 9000, status: 'Importing', processed: 88_000 });
		const second = schedule.next(9000).wakeAt;
		expect(second).toBeGreaterThanOrEqual(9200);
		expect(second).toBeLessThan(9300);
		schedule.observed(1, { at: second, status: 'Importing', processed: 89_900 });
		const third = schedule.next(second).wakeAt;
		expect(third - second).toBeGreaterThanOrEqual(200);
		expect(third - second).toBeLessThan(300);
		expect(schedule.next(third).askNow).toEqual([1]);
	});

	it('errs toward asking early when few rows went by between two readings (the counter is whole rows)', () => {
		// 211 rows/s, read 14 ms apart: 2 then 5 rows. Taken at face value (3 rows in 14 ms) the
		// rate would put the finish check after the true finish at 37,331 ms.
		const schedule = new PollSchedule({ floorMs: 14 });
		schedule.submitted(1, 7877, 0);
		schedule.observed(1, { at: 14, status: 'Importing', processed: 2 });
		schedule.observed(1, { at: 28, status: 'Importing', processed: 5 });
		expect(schedule.next(28).wakeAt).toBeLessThan(37_331);
	});

	it('asks only about the oldest batches, as many as Marketo imports at once, oldest first', () => {
		const schedule = new PollSchedule({ floorMs: 1000, slots: 2 });
		for (const key of [1, 2, 3, 4]) schedule.submitted(key, 1000, 0);
		expect(schedule.next(1000).askNow).toEqual([1, 2]);
		schedule.observed(1, { at: 1000, status: 'Complete', processed: 1000 });
		schedule.observed(2, { at: 1000, status: 'Queued', processed: 0 });
		// 2 was just asked (the floor holds it back); 3 is now one of the two oldest.
		expect(schedule.next(1000).askNow).toEqual([3]);
		expect(schedule.next(5000).askNow).toEqual([2, 3]);
	});

	it('asks about a queued batch first at 60 % of its predicted import, its start being the finish of the batch before it', () => {
		const schedule = new PollSchedule({ floorMs: 200, slots: 1 });
		schedule.submitted(1, 100_000, 0);
		schedule.submitted(2, 100_000, 0);
		schedule.observed(1, { at: 1000, status: 'Importing', processed: 10_000 });
		schedule.observed(1, { at: 2000, status: 'Importing', processed: 20_000 });
		const finishCheck = schedule.next(2000).wakeAt;
		schedule.observed(1, {
			at: finishCheck,
			status: 'Complete',
			processed: 100_000,
		});
		// Batch 1 finished at about 10,000; batch 2 then imports for about 10,000 ms.
		const { askNow, wakeAt } = schedule.next(finishCheck);
		expect(askNow).toEqual([]);
		expect(wakeAt).toBeGreaterThanOrEqual(15_990);
		expect(wakeAt).toBeLessThanOrEqual(16_010);
	});

	it('learns from a batch found finished sooner than predicted: the rate goes up', () => {
		const schedule = new PollSchedule({ floorMs: 200, slots: 1 });
		for (const key of [1, 2, 3]) schedule.submitted(key, 100_000, 0);
		schedule.observed(1, { at: 1000, status: 'Importing', processed: 10_000 });
		schedule.observed(1, { at: 2000, status: 'Importing', processed: 20_000 });
		schedule.observed(1, {
			at: 10_300,
			status: 'Complete',
			processed: 100_000,
		});
		const before = schedule.importRate() as number;
		// Batch 2 imported twice as fast: finished at 15,000, found so at its progress check.
		const progressCheck = schedule.next(10_300).wakeAt;
		schedule.observed(2, {
			at: progressCheck,
			status: 'Complete',
			processed: 100_000,
		});
		expect(schedule.importRate()).toBeGreaterThan(before * 1.3);
	});

	it('never asks sooner than the floor, even when the batch is predicted to finish sooner', () => {
		const schedule = new PollSchedule({ floorMs: 5000 });
		schedule.submitted(1, 10_000, 0);
		schedule.observed(1, { at: 5000, status: 'Importing', processed: 5000 });
		schedule.observed(1, { at: 10_000, status: 'Importing', processed: 9900 });
		expect(schedule.next(10_000).wakeAt).toBe(15_000);
		expect(schedule.next(14_999).askNow).toEqual([]);
	});

	it('never waits longer than maxMs to ask again, even when the batch is predicted to take longer', () => {
		const schedule = new PollSchedule({ floorMs: 1000, maxMs: 30_000 });
		schedule.submitted(1, 10_000_000, 0);
		schedule.observed(1, { at: 1000, status: 'Importing', processed: 1000 });
		schedule.observed(1, { at: 2000, status: 'Importing', processed: 2000 });
		expect(schedule.next(2000).wakeAt).toBe(32_000);
		// Nothing changes, ever: the back-off stops at maxMs too.
		for (let at = 32_000; at < 400_000; at += 30_000) {
			schedule.observed(1, { at, status: 'Importing', processed: 2000 });
			expect(schedule.next(at).wakeAt).toBe(at + 30_000);
		}
	});

	it('stops watching a batch once it is Complete, Failed or said finished; nothing in flight means no wake-up', () => {
		const schedule = new PollSchedule({ floorMs: 100 });
		for (const key of [1, 2, 3]) schedule.submitted(key, 1000, 0);
		schedule.observed(1, { at: 100, status: 'Failed', processed: 0 });
		schedule.observed(2, { at: 100, status: 'Complete', processed: 1000 });
		expect(schedule.next(1000).askNow).toEqual([3]);
		schedule.finished(3, 1000);
		expect(schedule.next(2000)).toEqual({
			askNow: [],
			wakeAt: Number.POSITIVE_INFINITY,
		});
		schedule.observed(3, { at: 2000, status: 'Importing', processed: 10 });
		expect(schedule.next(5000).askNow).toEqual([]);
	});

	it('reads a status answer as rows gone through, failed ones included', () => {
		expect(observationOf({ status: 'Importing', numOfRowsProcessed: 70, numOfRowsFailed: 5 }, 1234)).toEqual({
			at: 1234,
			status: 'Importing',
			processed: 75,
		});
	});

	it('refuses a floor that is not a number of 0 ms or more', () => {
		expect(() => new PollSchedule({ floorMs: -1 })).toThrow(RangeError);
		expect(() => new PollSchedule({ floorMs: Number.NaN })).toThrow(RangeError);
	});
});

interface Scenario {
	name: string;
	model: QueueModel;
	run: PipelineRun;
}

const FAST: PipelineRun = {
	files: Array<number>(9).fill(120_000),
	maxInQueue: 4,
	slots: 2,
	floorMs: 200,
	maxMs: 5 * 60_000,
	uploadMs: 200,
	callMs: 5,
};
const fastRate = (rowsPerSecond: number): QueueModel => ({
	slots: 2,
	rowsPerSecond: () => rowsPerSecond,
});
const rateFrom = (before: number, changeAt: number, after: number): QueueModel => ({
	slots: 2,
	rowsPerSecond: (at) => (at < changeAt ? before : after),
});

function simulate(scenario: Scenario, poller: 'adaptive' | 'fixed'): RunResult {
	const { run, model } = scenario;
	const schedule =
		poller === 'fixed'
			? 'fixed'
			: new PollSchedule({
					floorMs: run.floorMs,
					maxMs: run.maxMs,
					slots: run.slots,
				});
	return runPipeline(new SimulatedQueue(model), run, schedule);
}

/** How late the finish was noticed, from when it could first be asked about (finished and one of the oldest). */
const lateness = (batch: RunResult['batches'][number]) => batch.noticedAt - Math.max(batch.finishedAt, batch.headAt);
/**
 * The harness's own delays on an ask the schedule wants: up to two rounds of status calls, and
 * the uploads it makes first (at most maxInQueue in a row; one refill once the queue is full).
 */
const harnessSlack = (run: PipelineRun, uploads = run.maxInQueue) =>
	2 * run.slots * run.callMs + uploads * run.uploadMs;
const statusPerBatch = (result: RunResult) => result.statusCalls / result.batches.length;

/** Each batch's finish noticed within floorMs + share of its import time + slackMs. */
function expectNoticedWithin(
	batches: RunResult['batches'],
	limit: { floorMs: number; share: number; slackMs: number },
) {
	for (const batch of batches) {
		const bound = limit.floorMs + limit.share * batch.importMs + limit.slackMs;
		// The whole record on failure: which batch, how late, against what.
		expect({
			batch: batch.key,
			late: lateness(batch),
			bound,
			withinBound: lateness(batch) <= bound,
		}).toMatchObject({ withinBound: true });
	}
}

const report: string[] = [];
afterAll(() => {
	if (process.env.POLL_SIM_REPORT) {
		process.stdout.write(
			`${['scenario | poll | status calls/batch | all calls/batch | end − last finish | max late (share of import)', ...report].join('\n')}\n`,
		);
	}
});
function record(scenario: Scenario, adaptive: RunResult, fixed: RunResult) {
	for (const [poll, result] of [
		['fixed', fixed],
		['adaptive', adaptive],
	] as const) {
		const worst = Math.max(...result.batches.map((batch) => lateness(batch) / batch.importMs));
		report.push(
			`${scenario.name} | ${poll} | ${statusPerBatch(result).toFixed(2)} | ${((result.statusCalls + result.creates) / result.batches.length).toFixed(2)} | ${(result.endAt - result.lastFinishAt).toFixed(0)} ms | ${(worst * 100).toFixed(1)} %`,
		);
	}
}

describe('PollSchedule in a simulated pipeline (2 slots, FIFO, max 4 batches in the queue)', () => {
	const steady: Scenario[] = [
		{
			name: '9 × 120,000 rows, 10,000 rows/s, floor 0.2 s',
			model: fastRate(10_000),
			run: FAST,
		},
		{
			name: 'the 1M-lead benchmark files, 10,000 rows/s, floor 0.2 s',
			model: fastRate(10_000),
			run: { ...FAST, files: MILLION_LEAD_FILES },
		},
		{
			name: '9 × 120,000 rows, 1,000 rows/s, floor 10 s (Marketo-like)',
			model: { slots: 2, rowsPerSecond: () => 1000, queuedMinMs: 1000 },
			run: { ...FAST, floorMs: 10_000, uploadMs: 2000, callMs: 300 },
		},
		{
			name: '9 × 120,000 rows, 10,000 rows/s, other integrations\u2019 batches in the queue',
			model: {
				...fastRate(10_000),
				foreign: [
					{ rows: 50_000, at: 3000 },
					{ rows: 200_000, at: 5000 },
				],
			},
			run: FAST,
		},
	];

	/** Floor + share of each import, and what the harness adds once the queue is full (calls, one refill upload). */
	const within = (run: PipelineRun, share: number, floorMs = run.floorMs) => ({
		floorMs,
		share,
		slackMs: harnessSlack(run, 1),
	});

	it.each(steady.map((scenario) => [scenario.name, scenario] as const))(
		'%s: 2–3 status calls a batch, each finish noticed within floor + 10 %% of its import',
		(_, scenario) => {
			const adaptive = simulate(scenario, 'adaptive');
			const fixed = simulate(scenario, 'fixed');
			record(scenario, adaptive, fixed);
			expect(adaptive.breaches).toEqual([]);
			expect(adaptive.batches.every((batch) => batch.noticedAt !== undefined)).toBe(true);
			expect(statusPerBatch(adaptive)).toBeLessThanOrEqual(3);
			expect(statusPerBatch(fixed)).toBeGreaterThan(10);
			expectNoticedWithin(adaptive.batches, within(scenario.run, 0.1));
			// The end of the run: the last finish is noticed within the floor and the aimed 3 % margin,
			// no later than asking every floor interval would.
			const last = adaptive.batches.find(
				(batch) => batch.finishedAt === adaptive.lastFinishAt,
			) as RunResult['batches'][number];
			expectNoticedWithin([last], within(scenario.run, 0.03));
			expect(adaptive.endAt).toBeLessThanOrEqual(fixed.endAt + scenario.run.floorMs);
		},
	);

	it('the rate halves midway: caught by the progress check, every finish still noticed within floor + 10 %', () => {
		const scenario = {
			name: 'rate 10,000 → 5,000 rows/s at 25 s',
			model: rateFrom(10_000, 25_000, 5000),
			run: FAST,
		};
		const adaptive = simulate(scenario, 'adaptive');
		record(scenario, adaptive, simulate(scenario, 'fixed'));
		expect(adaptive.breaches).toEqual([]);
		expect(statusPerBatch(adaptive)).toBeLessThanOrEqual(3);
		expectNoticedWithin(adaptive.batches, within(FAST, 0.1));
	});

	it('the rate rises 1.3× midway: the progress check measures it; every finish within floor + 10 %, and from the third batch at the new rate within the aimed 3 %', () => {
		const run = { ...FAST, files: Array<number>(14).fill(120_000) };
		const scenario = {
			name: 'rate 6,000 → 7,800 rows/s at 25 s',
			model: rateFrom(6000, 25_000, 7800),
			run,
		};
		const adaptive = simulate(scenario, 'adaptive');
		record(scenario, adaptive, simulate(scenario, 'fixed'));
		expect(adaptive.breaches).toEqual([]);
		expect(statusPerBatch(adaptive)).toBeLessThanOrEqual(3);
		expectNoticedWithin(adaptive.batches, within(run, 0.1));
		const settled = adaptive.batches.filter((batch) => batch.startedAt >= 25_000).slice(2);
		expect(settled.length).toBeGreaterThan(4);
		// The finish check comes long after the progress check: the floor plays no part.
		expectNoticedWithin(settled, within(run, 0.03, 0));
	});

	it.each([
		[2, 0.2],
		[3, 0.8],
	])(
		'the rate rises %d× midway: the first batches at the new rate are noticed up to (0.6 k − 1) = %d of their import late, the later ones within floor + 10 %%',
		(factor, share) => {
			const run = { ...FAST, files: Array<number>(14).fill(120_000) };
			const scenario = {
				name: `rate 5,000 → ${(5000 * factor).toLocaleString('en-US')} rows/s at 25 s`,
				model: rateFrom(5000, 25_000, 5000 * factor),
				run,
			};
			const adaptive = simulate(scenario, 'adaptive');
			record(scenario, adaptive, simulate(scenario, 'fixed'));
			expect(adaptive.breaches).toEqual([]);
			expect(statusPerBatch(adaptive)).toBeLessThanOrEqual(3);
			const firstAtNewRate = adaptive.batches.filter((batch) => batch.startedAt >= 25_000).slice(0, 2);
			expect(firstAtNewRate).toHaveLength(2);
			expectNoticedWithin(firstAtNewRate, within(run, share + 0.01));
			expectNoticedWithin(
				adaptive.batches.filter((batch) => !firstAtNewRate.includes(batch)),
				within(run, 0.1),
			);
		},
	);
});

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FC_RUNS ?? 300);

describe(`PollSchedule, properties (seed ${seed}; replay with FC_SEED=${seed})`, () => {
	const pipeline = {
		files: fc.array(fc.integer({ min: 1, max: 200_000 }), {
			minLength: 1,
			maxLength: 12,
		}),
		floorMs: fc.integer({ min: 10, max: 30_000 }),
		maxInQueue: fc.integer({ min: 1, max: 10 }),
		slots: fc.integer({ min: 1, max: 3 }),
		uploadMs: fc.integer({ min: 0, max: 2000 }),
		callMs: fc.integer({ min: 0, max: 500 }),
	};

	it('whatever Marketo does: never sooner than the floor, never longer than maxMs, only the oldest batches, every finish noticed', () => {
		fc.assert(
			fc.property(
				fc.record({
					...pipeline,
					maxExtraMs: fc.integer({ min: 1000, max: 600_000 }),
					rowsPerSecond: fc.integer({ min: 200, max: 50_000 }),
					laterRowsPerSecond: fc.integer({ min: 200, max: 50_000 }),
					changeAt: fc.integer({ min: 0, max: 600_000 }),
					jitter: fc.double({ min: 0, max: 0.6, noNaN: true }),
					queuedMinMs: fc.integer({ min: 0, max: 5000 }),
					startupMs: fc.integer({ min: 0, max: 5000 }),
					progressStep: fc.constantFrom(0, 0.05, 0.25, 1),
					failEvery: fc.integer({ min: 0, max: 5 }),
					foreign: fc.array(
						fc.record({
							rows: fc.integer({ min: 1, max: 300_000 }),
							at: fc.integer({ min: 0, max: 600_000 }),
						}),
						{ maxLength: 6 },
					),
				}),
				(c) => {
					const run: PipelineRun = { ...c, maxMs: c.floorMs + c.maxExtraMs };
					const queue = new SimulatedQueue({
						slots: c.slots,
						// Each batch its own speed around the rate of the moment.
						rowsPerSecond: (at, key) =>
							(at < c.changeAt ? c.rowsPerSecond : c.laterRowsPerSecond) * (1 + c.jitter * Math.sin(key * 12.9898)),
						queuedMinMs: c.queuedMinMs,
						startupMs: c.startupMs,
						progressStep: c.progressStep,
						failing: (key) => c.failEvery > 0 && key % c.failEvery === 0,
						foreign: c.foreign,
					});
					const result = runPipeline(
						queue,
						run,
						new PollSchedule({
							floorMs: run.floorMs,
							maxMs: run.maxMs,
							slots: run.slots,
						}),
					);
					expect(result.breaches).toEqual([]);
					for (const batch of result.batches) {
						expect(batch.noticedAt).toBeDefined();
						expect(lateness(batch)).toBeLessThanOrEqual(run.maxMs + harnessSlack(run));
					}
				},
			),
			{ seed, numRuns },
		);
	});

	it('with a steady rate and steady progress: every finish noticed within floor + 10 % of its import', () => {
		fc.assert(
			fc.property(
				fc.record({
					...pipeline,
					rowsPerSecond: fc.integer({ min: 200, max: 50_000 }),
				}),
				(c) => {
					const run: PipelineRun = { ...c, maxMs: 5 * 60_000 };
					const queue = new SimulatedQueue({
						slots: c.slots,
						rowsPerSecond: () => c.rowsPerSecond,
					});
					const result = runPipeline(
						queue,
						run,
						new PollSchedule({
							floorMs: run.floorMs,
							maxMs: run.maxMs,
							slots: run.slots,
						}),
					);
					expect(result.breaches).toEqual([]);
					expectNoticedWithin(result.batches, {
						floorMs: run.floorMs,
						share: 0.1,
						slackMs: harnessSlack(run),
					});
				},
			),
			{ seed, numRuns },
		);
	});
});
