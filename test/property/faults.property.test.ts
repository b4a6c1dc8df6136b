/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * Fault-schedule property test of Import (issue 8). Random sequences of Marketo's error
 * codes, HTTP 5xx and connection resets hit every endpoint the import uses (token, upload,
 * status, failures and warnings downloads), either instead of the request ('before':
 * Marketo did nothing) or after it was processed ('after': an upload created its batch,
 * but the answer was lost). Small files (2–5 batches), some rows Marketo fails or warns,
 * short retry and poll settings, sometimes a short timeout; Continue On Fail on and off.
 * For every schedule:
 *   - nothing is resent after an answer that leaves open whether Marketo took the file,
 *     and no row lands in two accepted batches unless the node reported it as interrupted;
 *   - the accounting identity holds, and per batch and in total the output agrees with the
 *     emulator's counters; every input item is in exactly one accepted batch, or listed
 *     as not submitted, or as interrupted;
 *   - with Wait for Completion, the run ends within the timeout (plus 1.5 s).
 *
 * FC_SEED replays a run; FC_RUNS sets the number of cases (npm run test:fuzz); FC_SURVEY=1
 * lists every kind of failure instead of stopping at the first.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import type { CreateCall, FaultSpec, MarketoEmulator } from '../emulator';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { runWorkflow, type RunResult } from '../harness/workflowRunner';
import { clearTokenCache } from '../../nodes/MarketoBulkImport/transport';
import {
	assertOptions,
	batchItems,
	errorItems,
	errorText,
	Findings,
	mentionedItems,
	OUTCOMES,
	pairedIndexes,
	printSurvey,
	propertyRunSettings,
	sumOutcomes,
	type Totals,
} from './support';

// ── Fault schedules ───────────────────────────────────────────────────────────────────

type Endpoint = 'identity' | 'create' | 'status' | 'failures' | 'warnings';

const PATHS: Record<Endpoint, Pick<FaultSpec, 'path' | 'method'>> = {
	identity: { path: '/identity/oauth/token' },
	create: { path: '/bulk/v1/leads.json', method: 'POST' },
	status: { path: /^\/bulk\/v1\/leads\/batch\/\d+\.json$/ },
	failures: { path: /^\/bulk\/v1\/leads\/batch\/\d+\/failures\.json$/ },
	warnings: { path: /^\/bulk\/v1\/leads\/batch\/\d+\/warnings\.json$/ },
};

/** Answers that leave open whether Marketo processed the request. */
const AMBIGUOUS_CODES = ['604', '611', '713'];
const AFTER_MAKES_SENSE = ['500', '502', '503', 'reset', ...AMBIGUOUS_CODES];
const READ_RESPONSES = ['601', '602', '604', '606', '608', '611', '615', '713', '500', '502', '503', 'reset'];
const RESPONSES: Record<Endpoint, string[]> = {
	// The identity service speaks OAuth, not Marketo's error envelope.
	identity: ['500', '502', '503', 'reset'],
	create: [...READ_RESPONSES, '1016'],
	status: READ_RESPONSES,
	failures: READ_RESPONSES,
	warnings: READ_RESPONSES,
};

interface FaultStep {
	endpoint: Endpoint;
	/** Matching requests let through first. */
	skip: number;
	response: string;
	when: 'before' | 'after';
	count: number;
}

const faultStepArb: fc.Arbitrary<FaultStep> = fc
	.oneof(
		{ weight: 1, arbitrary: fc.constant<Endpoint>('identity') },
		{ weight: 3, arbitrary: fc.constant<Endpoint>('create') },
		{ weight: 2, arbitrary: fc.constantFrom<Endpoint>('status', 'failures', 'warnings') },
	)
	.chain((endpoint) =>
		fc.record({
			endpoint: fc.constant(endpoint),
			skip: fc.nat(3),
			response: fc.constantFrom(...RESPONSES[endpoint]),
			after: fc.boolean(),
			count: fc.integer({ min: 1, max: 3 }),
		}),
	)
	.map(({ after, ...step }) => ({ ...step, when: after && AFTER_MAKES_SENSE.includes(step.response) ? 'after' : 'before' }));

function inject(emulator: MarketoEmulator, steps: readonly FaultStep[]): void {
	for (const step of steps) {
		if (step.skip > 0) emulator.injectFault({ ...PATHS[step.endpoint], response: 'pass', count: step.skip });
		emulator.injectFault({ ...PATHS[step.endpoint], response: step.response, count: step.count, when: step.when });
	}
}

// ── Items ─────────────────────────────────────────────────────────────────────────────

type RowFate = 'ok' | 'failed' | 'warned';

/** Long names keep rows about 520 bytes, so a tiny Max File Size gives a few rows per file. */
function leadItems(fates: readonly RowFate[]): IDataObject[] {
	return fates.map((fate, i) => ({
		// No lookup value: Marketo fails the row.
		email: fate === 'failed' ? '' : `lead${String(i).padStart(2, '0')}@example.com`,
		firstName: `First${i}-`.padEnd(240, 'f'),
		lastName: `Last${i}-`.padEnd(240, 'l'),
		// Not an email address: Marketo imports the row with a warning.
		customEmail: fate === 'warned' ? `bad${i}-at-example` : `c${i}@example.org`,
	}));
}

/** The input item a row came from, by its first name. */
function itemOfRow(header: readonly string[], row: readonly string[]): number {
	const match = /^First(\d+)-/.exec(row[header.indexOf('firstName')] ?? '');
	return match ? Number(match[1]) : -1;
}

const itemsOf = (call: { header: string[]; rows: string[][] }) => call.rows.map((row) => itemOfRow(call.header, row));

/** The node cannot know whether Marketo took this upload. */
function ambiguous(call: CreateCall): boolean {
	return call.status === 0 || call.status >= 500 || AMBIGUOUS_CODES.includes(call.code ?? '');
}

/** Marketo created the batch and the node was told its id. */
const known = (call: CreateCall) => call.batchId !== undefined && !call.answerLost;

// ── The property ──────────────────────────────────────────────────────────────────────

const caseArb = fc
	.record({
		fates: fc.array(fc.constantFrom<RowFate>('ok', 'ok', 'ok', 'failed', 'warned'), { minLength: 4, maxLength: 12 }),
		rowsPerFile: fc.integer({ min: 2, max: 4 }),
		faults: fc.array(faultStepArb, { maxLength: 6 }),
		continueOnFail: fc.boolean(),
		waitForCompletion: fc.constantFrom(true, true, true, true, false),
		timeoutMinutes: fc.constantFrom(1, 1, 0.005, 0.01),
		importMinMs: fc.constantFrom(30, 30, 200),
		maxInQueue: fc.integer({ min: 1, max: 4 }),
		outputRows: fc.boolean(),
		format: fc.constantFrom('csv', 'tsv', 'ssv'),
	})
	.map((c) => {
		// 2–5 files.
		const n = c.fates.length;
		const rowsPerFile = Math.min(Math.max(c.rowsPerFile, Math.ceil(n / 5)), Math.floor(n / 2));
		return { ...c, rowsPerFile };
	});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

const SLACK_MS = 1500;
const MAX_MESSAGE = 550;

/** Rows per file: header and rows of at most `rowsPerFile` of the longest row. */
function maxFileSizeMb(items: IDataObject[], rowsPerFile: number): number {
	const header = Object.keys(items[0]).join(',').length;
	const longest = Math.max(...items.map((item) => Object.values(item).join(',').length));
	return (header + rowsPerFile * (longest + 2) + 1) / (1024 * 1024);
}

function checkRun(findings: Findings, c: Case, items: IDataObject[], result: RunResult, emulator: MarketoEmulator, elapsedMs: number): void {
	const n = items.length;
	const creates = emulator.creates();
	const jobs = emulator.jobs();
	const requests = emulator.requests();

	// Never resent: an upload whose answer left its fate open is not sent again, in whole or in part.
	for (const call of creates.filter(ambiguous)) {
		const sent = new Set(itemsOf(call));
		for (const later of creates.filter((other) => other.seq > call.seq)) {
			const again = itemsOf(later).filter((i) => sent.has(i));
			findings.check(
				again.length === 0,
				`items ${again.join(', ')} were uploaded again (call ${later.seq}) after upload ${call.seq} got ${call.status === 0 ? 'a reset' : `HTTP ${call.status}${call.code ? ` ${call.code}` : ''}`} (fault ${call.fault?.when ?? 'none'})`,
			);
		}
	}

	const output = result.error === undefined ? result.output('Import') : [];
	const errorJson = errorItems(output)[0];
	const interrupted = new Set<number>((errorJson?.interruptedUploadItems as number[] | undefined) ?? []);
	const thrownNames = result.error === undefined ? new Set<number>() : mentionedItems(errorText(result.error));
	const reportedInterrupted = (i: number) => (result.error !== undefined ? thrownNames.has(i) : interrupted.has(i));

	// No row in two accepted batches, unless the node said that upload was interrupted.
	const acceptedCount = new Map<number, number>();
	for (const call of creates.filter((x) => x.batchId !== undefined)) {
		for (const i of itemsOf(call)) acceptedCount.set(i, (acceptedCount.get(i) ?? 0) + 1);
	}
	for (const [i, count] of acceptedCount) {
		findings.check(count < 2 || reportedInterrupted(i), `item ${i} is in ${count} accepted batches and was not reported as interrupted`);
	}
	// The items of an ambiguous upload are reported as such (thrown: named in the error).
	if (result.error !== undefined) {
		for (const call of creates.filter(ambiguous)) {
			const missing = itemsOf(call).filter((i) => !thrownNames.has(i));
			findings.check(missing.length === 0, `upload ${call.seq} ended without a clear answer, but the error does not name its items ${missing.join(', ')}: ${result.error.message}`);
		}
	}

	// Time: the deadline holds, back-off waits included.
	if (c.waitForCompletion) {
		const limit = c.timeoutMinutes * 60_000 + SLACK_MS;
		findings.check(elapsedMs <= limit, `the run took ${elapsedMs} ms, more than the ${c.timeoutMinutes * 60_000} ms timeout + ${SLACK_MS} ms`);
	} else {
		// (Marketo's own 604 says "Request timed out": that is not the node's timeout.)
		const text = (result.error ? errorText(result.error) : String(errorJson?.error ?? '')).replace(/request timed out/gi, '');
		findings.check(!/time ?out|timed out/i.test(text), `Wait for Completion is off, yet the run stopped on its timeout: ${text}`);
	}

	const knownIds = creates.filter(known).map((call) => call.batchId as number);
	if (result.error !== undefined) {
		// Continue On Fail off: the error says which batches Marketo has.
		const text = errorText(result.error);
		findings.check(result.error.message.length <= MAX_MESSAGE, `message is ${result.error.message.length} characters long: ${result.error.message.slice(0, 120)}…`);
		// Batch ids may be written as ranges: "batches 1001–1003 and 1005".
		const named = new Set<number>();
		for (const [, from, to] of text.matchAll(/(\d+)(?:–(\d+))?/g)) {
			for (let id = Number(from); id <= Number(to ?? from) && id - Number(from) < 10_000; id++) named.add(id);
		}
		const unnamed = knownIds.filter((id) => !named.has(id));
		findings.check(unnamed.length === 0, `the error does not name accepted batch(es) ${unnamed.join(', ')}: ${result.error.message}`);
		return;
	}

	// The output: one item per accepted batch, totals that add up and agree with Marketo.
	output.forEach((item, k) => findings.check(pairedIndexes(item).length > 0, `output item ${k} has no pairedItem`));
	findings.check(c.continueOnFail || errorJson === undefined, 'Continue On Fail is off, yet an error item was output instead of an error');
	const batches = batchItems(output);
	findings.check(
		JSON.stringify(batches.map((b) => b.json.batchId).sort()) === JSON.stringify([...knownIds].sort()),
		`output batches [${batches.map((b) => b.json.batchId).join(', ')}], accepted batches the node was told of [${knownIds.join(', ')}]`,
	);
	if (errorJson !== undefined) {
		findings.check(typeof errorJson.error === 'string' && errorJson.error !== '', 'the error item has no message');
		findings.check(
			JSON.stringify([...((errorJson.acceptedBatchIds as number[] | undefined) ?? [])].sort()) === JSON.stringify([...knownIds].sort()),
			`error item: acceptedBatchIds ${JSON.stringify(errorJson.acceptedBatchIds)}, accepted [${knownIds.join(', ')}]`,
		);
		findings.check(Array.isArray(errorJson.notSubmittedItems), 'error item: no notSubmittedItems list');
		findings.check(errorJson.totals !== undefined, 'error item: no totals');
	}
	const sums = { imported: 0, importedWithWarning: 0, failed: 0, outcomeUnknown: 0, pending: 0 };
	const placed: number[] = [];
	for (const { item, json } of batches) {
		const job = jobs.find((j) => j.batchId === json.batchId);
		if (job === undefined) continue;
		const tag = `batch ${json.batchId} (${json.status})`;
		const jobItems = itemsOf(emulator.jobRows(job.batchId) ?? { header: [], rows: [] });
		const paired = pairedIndexes(item);
		placed.push(...paired);
		findings.check(JSON.stringify([...paired].sort((a, b) => a - b)) === JSON.stringify([...jobItems].sort((a, b) => a - b)), `${tag}: paired with items ${paired.join(', ')}, its file holds items ${jobItems.join(', ')}`);
		findings.check(json.file?.rows === job.dataRows, `${tag}: file.rows ${json.file?.rows}, Marketo received ${job.dataRows}`);
		const rows = json.rows;
		if (rows === undefined || typeof rows !== 'object') {
			findings.check(false, `${tag}: no per-batch "rows" outcome counts`);
			continue;
		}
		for (const key of Object.keys(sums) as Array<keyof typeof sums>) sums[key] += Number(rows[key]);
		const sum = rows.imported + rows.importedWithWarning + rows.failed + rows.outcomeUnknown + rows.pending;
		findings.check(sum === json.file?.rows, `${tag}: rows ${JSON.stringify(rows)} add up to ${sum}, the file has ${json.file?.rows}`);
		if (json.status === 'Complete') {
			findings.check(job.status === 'Complete', `${tag}: Marketo says ${job.status}`);
			findings.check(
				json.numOfRowsFailed === job.counters.failed && json.numOfRowsWithWarning === job.counters.warnings && json.numOfLeadsProcessed === job.counters.processed,
				`${tag}: Marketo's fields ${JSON.stringify({ p: json.numOfLeadsProcessed, f: json.numOfRowsFailed, w: json.numOfRowsWithWarning })} differ from its counters ${JSON.stringify(job.counters)}`,
			);
			findings.check(rows.failed === job.counters.failed, `${tag}: rows.failed ${rows.failed}, Marketo's numOfRowsFailed ${job.counters.failed}`);
			findings.check(rows.importedWithWarning === job.counters.warnings, `${tag}: rows.importedWithWarning ${rows.importedWithWarning}, Marketo's numOfRowsWithWarning ${job.counters.warnings}`);
			findings.check(
				rows.imported + rows.outcomeUnknown === job.counters.processed - job.counters.warnings && rows.pending === 0,
				`${tag}: ${job.counters.processed - job.counters.warnings} rows imported cleanly by Marketo's counters, the node says ${JSON.stringify(rows)}`,
			);
			const served = (['failures', 'warnings'] as const).every(
				(kind) =>
					(kind === 'failures' ? job.counters.failed : job.counters.warnings) === 0 ||
					requests.some((r) => r.path === `/bulk/v1/leads/batch/${job.batchId}/${kind}.json` && r.status === 200 && r.code === undefined),
			);
			findings.check(!served || rows.outcomeUnknown === 0, `${tag}: both reports were read, yet ${rows.outcomeUnknown} rows are of unknown outcome`);
			// A report Marketo has but the node never got: which rows failed or warned is unknown, so none is "imported".
			findings.check(served || rows.imported === 0, `${tag}: a report of its ${job.counters.failed} failed / ${job.counters.warnings} warned rows was never read, yet ${rows.imported} rows count as imported (not outcomeUnknown)`);
		} else if (json.status === 'Queued' || json.status === 'Importing') {
			findings.check(rows.pending === json.file?.rows, `${tag}: unfinished, so all ${json.file?.rows} rows are pending, the node says ${JSON.stringify(rows)}`);
			findings.check(!c.waitForCompletion || json.timedOut === true || errorJson !== undefined, `${tag}: unfinished without a timeout or an error`);
		}
	}

	const withTotals = output.filter((item) => item.json.totals !== undefined);
	if (knownIds.length > 0 || creates.length > 0) findings.check(withTotals.length > 0, 'files were uploaded, yet no output item has totals');
	const totals = withTotals[0]?.json.totals as unknown as Totals | undefined;
	if (totals === undefined) return;
	findings.check(withTotals.every((item) => JSON.stringify(item.json.totals) === JSON.stringify(totals)), 'output items disagree on the totals');
	findings.check(totals.items === n && sumOutcomes(totals) === n, `totals ${JSON.stringify(totals)} do not add up to the ${n} items`);
	const notSubmitted = (errorJson?.notSubmittedItems as number[] | undefined) ?? [];
	for (const key of ['imported', 'importedWithWarning', 'failed', 'pending'] as const) {
		findings.check(totals[key] === sums[key], `totals.${key} ${totals[key]}, the batches say ${sums[key]}`);
	}
	findings.check(
		totals.outcomeUnknown === sums.outcomeUnknown + interrupted.size,
		`totals.outcomeUnknown ${totals.outcomeUnknown}, batches ${sums.outcomeUnknown} + interrupted uploads ${interrupted.size}`,
	);
	findings.check(totals.notSubmitted === notSubmitted.length, `totals.notSubmitted ${totals.notSubmitted}, notSubmittedItems ${notSubmitted.length}`);
	// Every item in exactly one place: an accepted batch, not submitted, or interrupted.
	const places = [...placed, ...notSubmitted, ...interrupted].sort((a, b) => a - b);
	findings.check(
		JSON.stringify(places) === JSON.stringify(items.map((_, i) => i)),
		`items by place (batches ${JSON.stringify(placed)}, not submitted ${JSON.stringify(notSubmitted)}, interrupted ${JSON.stringify([...interrupted])}) are not each input item exactly once`,
	);
	for (const call of creates.filter(ambiguous)) {
		const missing = itemsOf(call).filter((i) => !interrupted.has(i));
		findings.check(missing.length === 0, `upload ${call.seq} ended without a clear answer, but items ${missing.join(', ')} are not listed as interrupted`);
	}
	const counted = OUTCOMES.filter((o) => totals[o] === undefined);
	findings.check(counted.length === 0, `totals lack ${counted.join(', ')}`);
}

/** Batch and error items of the output, without the long row values. */
function summarize(result: RunResult): string {
	if (result.error !== undefined) return '(error thrown)';
	const output = result.output('Import');
	const batches = batchItems(output).map(({ item, json }) => {
		const { batchId, status, file, rows, totals, timedOut } = json;
		return { batchId, status, file, rows, totals, timedOut, pairedItem: pairedIndexes(item) };
	});
	const errors = errorItems(output).map(({ error, acceptedBatchIds, notSubmittedItems, interruptedUploadItems, totals }) => ({ error, acceptedBatchIds, notSubmittedItems, interruptedUploadItems, totals }));
	return JSON.stringify({ batches, errors, rowItems: output.length - batches.length - errors.length });
}

const settings = propertyRunSettings(100, 50_000);
let emulator: MarketoEmulator;
/** What the runs went through; printed with FC_STATS=1. */
const stats = { runs: 0, thrown: 0, errorItem: 0, clean: 0, ambiguousUploads: 0, lostAnswers: 0, timedOut: 0, totalMs: 0, slowest: 0 };

beforeAll(async () => {
	// No rate limit: the many short runs would otherwise share Marketo's 20-second window.
	emulator = await startEmulator({ rateLimit: false });
});

afterAll(async () => {
	await emulator?.close();
	if (process.env.FC_STATS || process.env.FC_SURVEY) process.stdout.write(`fault runs: ${JSON.stringify(stats)}\n`);
	// fast-check stops drawing cases at the time limit: say so rather than pass quietly on fewer.
	if (!Findings.seenAny && stats.runs < settings.numRuns) process.stderr.write(`Only ${stats.runs} of ${settings.numRuns} fault schedules ran within ${settings.timeLimitMs} ms\n`);
	printSurvey();
});

describe(`Import under fault schedules (seed ${settings.seed}, ${settings.numRuns} runs; replay with FC_SEED=${settings.seed})`, () => {
	it(
		'never resends an ambiguous upload, counts every item once in agreement with Marketo, and keeps its deadline',
		async () => {
			await fc.assert(
				fc.asyncProperty(caseArb, async (c) => {
					emulator.reset();
					clearTokenCache();
					emulator.configure({ importMinMs: c.importMinMs });
					inject(emulator, c.faults);
					const items = leadItems(c.fates);
					const started = Date.now();
					const result = await runWorkflow({
						items,
						credentials: credentialsFor(emulator),
						steps: [
							{
								name: 'Import',
								continueOnFail: c.continueOnFail,
								parameters: {
									resource: 'lead',
									operation: 'import',
									format: c.format,
									lookupField: 'email',
									options: {
										...FAST_NODE_OPTIONS,
										waitForCompletion: c.waitForCompletion,
										timeoutMinutes: c.timeoutMinutes,
										maxInQueue: c.maxInQueue,
										maxFileSizeMb: maxFileSizeMb(items, c.rowsPerFile),
										outputRows: c.outputRows,
									},
								},
							},
						],
					});
					const elapsedMs = Date.now() - started;
					const output = result.error === undefined ? result.output('Import') : [];
					stats.runs++;
					stats.totalMs += elapsedMs;
					stats.slowest = Math.max(stats.slowest, elapsedMs);
					if (result.error !== undefined) stats.thrown++;
					else if (errorItems(output).length > 0) stats.errorItem++;
					else stats.clean++;
					stats.ambiguousUploads += emulator.creates().filter(ambiguous).length;
					stats.lostAnswers += emulator.creates().filter((call) => call.answerLost).length;
					if (batchItems(output).some((b) => b.json.timedOut === true)) stats.timedOut++;
					if (process.env.FC_STATS && elapsedMs > 2000) process.stdout.write(`slow run ${elapsedMs} ms: ${JSON.stringify(c.faults)} wait ${c.waitForCompletion} timeout ${c.timeoutMinutes}\n`);
					const findings = new Findings();
					checkRun(findings, c, items, result, emulator, elapsedMs);
					const calls = emulator
						.creates()
						.map((call) => `#${call.seq} items [${itemsOf(call).join(',')}] → ${call.status === 0 ? 'reset' : `HTTP ${call.status}${call.code ? ` ${call.code}` : ''}`}${call.batchId ? ` batch ${call.batchId}` : ''}${call.answerLost ? ' (answer lost)' : ''}`)
						.join('; ');
					findings.throwIfAny(
						`faults: ${c.faults.map((f) => `${f.endpoint}: ${f.skip > 0 ? `pass ${f.skip}, then ` : ''}${f.response} ×${f.count} ${f.when}`).join('; ') || 'none'}\n` +
							`uploads: ${calls || 'none'}\nelapsed ${elapsedMs} ms; error: ${result.error?.message ?? 'none'}\noutput: ${summarize(result)}`,
					);
				}),
				assertOptions(settings),
			);
		},
		settings.jestTimeoutMs,
	);
});
