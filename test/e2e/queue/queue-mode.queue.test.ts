/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, no-console */
/**
 * Queue mode, proven (issue 9, points 1-4): `npm run test:e2e:queue` (scripts/e2e/queue/run.sh
 * starts Redis and Postgres, then runs this file).
 *
 * Per n8n line: one main process and two workers (`--concurrency=1`, so two simultaneous runs
 * must go to different workers), each with the packed package installed in its own user
 * folder; the Marketo emulator runs in this process.
 *
 *  1. Two activated workflows are triggered through their production webhooks at the same
 *     moment; each imports 30,000 generated leads in ~8 files with Max Batches in Queue 6
 *     (12 wanted places in Marketo's queue of 10, so the emulator must answer 1016). Both
 *     succeed, on different workers; the emulator holds every lead once, value for value; its
 *     create log shows the 1016 back-off and no upload sent twice.
 *  2. A third run (20,000 leads in ~20 files, 2 in queue, Poll Interval 60 s) is stopped through
 *     the REST API (owner session, POST /rest/executions/{id}/stop) after its second accepted
 *     upload, so the stop lands in a long wait: no upload and no call about its batches reaches
 *     the emulator later than 2 s after the stop, the execution is canceled, the node lets go at
 *     once and says it was cancelled, and the worker's info log names every accepted batch
 *     (without secrets).
 */
import { startMarketoEmulator, type CreateCall, type Lead, type MarketoEmulator } from '../../emulator';
import { N8N_LINES, getPackageTarball, lineLabel, type JsonObject, type LogEntry, type N8nLine } from '../harness';
import { QueueCluster, queueServicesFromEnv, type ExecutionDetails } from './queueCluster';
import { IMPORT_NODE, LEAD_COLUMNS, generatedLeads, importWorkflow, type GeneratedLead } from './workflows';

const CLIENT_ID = 'queue-e2e-client';
// A secret with characters that need encoding in a form body. Throw-away, emulator only.
const CLIENT_SECRET = 'queue-e2e-secret+/=&%?#';
const CREDENTIAL = { id: 'mktoQueueCred0001', name: 'Marketo (queue e2e emulator)' };
const TOKEN_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:int/;
const SYSTEM_FIELDS = new Set(['id', 'createdAt', 'updatedAt', 'leadPartitionId', 'partitionName', 'listIds']);

/** Stop: no upload (or status call) may reach Marketo later than this after the stop. */
const STOP_GRACE_MS = 2_000;
/** n8n 1.x: the worker holds a stopped execution until the node returns and the run is saved. */
const WORKER_RELEASE_MS = 10_000;

const RUNS = {
	a: { id: 'mktoQueueRunA0001', path: 'queue-e2e-run-a', prefix: 'queue.a.', leads: 30_000 },
	b: { id: 'mktoQueueRunB0001', path: 'queue-e2e-run-b', prefix: 'queue.b.', leads: 30_000 },
	stop: { id: 'mktoQueueStop0001', path: 'queue-e2e-stop', prefix: 'queue.stop.', leads: 20_000 },
};
type RunKey = keyof typeof RUNS;

const WORKFLOWS = {
	a: importWorkflow({
		...RUNS.a,
		webhookPath: RUNS.a.path,
		name: 'Queue e2e: run A, 30,000 leads',
		maxFileSizeMb: 0.28,
		maxInQueue: 6,
		pollIntervalSeconds: 1.5,
		credential: CREDENTIAL,
	}),
	b: importWorkflow({
		...RUNS.b,
		webhookPath: RUNS.b.path,
		name: 'Queue e2e: run B, 30,000 leads',
		maxFileSizeMb: 0.28,
		maxInQueue: 6,
		pollIntervalSeconds: 1.5,
		credential: CREDENTIAL,
	}),
	stop: importWorkflow({
		...RUNS.stop,
		webhookPath: RUNS.stop.path,
		name: 'Queue e2e: run to stop, 20,000 leads',
		maxFileSizeMb: 0.07,
		maxInQueue: 2,
		// Long: the stop lands in the wait for a free place, which must end at once (n8n itself
		// aborts the node's next HTTP call, so only a long wait shows whether the node listens).
		pollIntervalSeconds: 60,
		credential: CREDENTIAL,
	}),
};

/**
 * The node's info line per accepted upload. "of M" is optional: with files built one ahead of
 * the uploads, the number of files is not known while they are sent.
 */
const ACCEPTED_LINE = /^Marketo Bulk Import: file (\d+)(?: of (\d+))? accepted as batch (\d+) \((\d+) rows\)$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The create calls whose file holds a run's leads (emails start with its prefix). */
function createsOf(emulator: MarketoEmulator, key: RunKey): CreateCall[] {
	const emailColumn = (c: CreateCall) => c.header.indexOf('email');
	return emulator.creates().filter((c) => {
		const col = emailColumn(c);
		return col >= 0 && c.rows.length > 0 && String(c.rows[0][col]).startsWith(RUNS[key].prefix);
	});
}

function emailsOf(call: CreateCall): string[] {
	const col = call.header.indexOf('email');
	return call.rows.map((r) => r[col]);
}

/** Leads stored vs generated, value for value: the first differences (empty when they match). */
function leadDifferences(stored: Lead[], generated: GeneratedLead[]): string[] {
	const byEmail = new Map(stored.map((l) => [String(l.email ?? '').toLowerCase(), l]));
	const diffs: string[] = [];
	for (const lead of generated) {
		const email = String(lead.email);
		const s = byEmail.get(email.toLowerCase());
		if (!s) {
			diffs.push(`${email}: not in Marketo`);
		} else {
			for (const c of LEAD_COLUMNS) {
				const want = lead[c] === '' || lead[c] === null || lead[c] === undefined ? undefined : lead[c];
				if (s[c] !== want) diffs.push(`${email}.${c}: Marketo has ${JSON.stringify(s[c])}, generated ${JSON.stringify(want)}`);
			}
			const extra = Object.keys(s).filter((k) => !SYSTEM_FIELDS.has(k) && !LEAD_COLUMNS.includes(k));
			if (extra.length) diffs.push(`${email}: unexpected fields ${extra.join(', ')}`);
		}
		if (diffs.length >= 8) break;
	}
	return diffs;
}

/** The most batches of a run that were Queued or Importing in Marketo at the same moment. */
function maxInQueueAtOnce(emulator: MarketoEmulator, batchIds: number[]): number {
	const jobs = emulator.jobs().filter((j) => batchIds.includes(j.batchId));
	const events = jobs.flatMap((j) => [
		{ t: j.createdAt, d: 1 },
		{ t: j.finishedAt ?? Number.POSITIVE_INFINITY, d: -1 },
	]);
	events.sort((x, y) => x.t - y.t || x.d - y.d);
	let now = 0;
	let max = 0;
	for (const e of events) {
		now += e.d;
		max = Math.max(max, now);
	}
	return max;
}

function importItems(execution: ExecutionDetails): JsonObject[] {
	const runs = execution.data.resultData.runData[IMPORT_NODE] ?? [];
	const last = runs[runs.length - 1];
	return (last?.data?.main?.[0] ?? []).map((i) => i.json);
}

function describeFailure(execution: ExecutionDetails): string {
	const { error, lastNodeExecuted } = execution.data.resultData;
	return `status ${execution.status}, last node ${lastNodeExecuted ?? '-'}, error ${JSON.stringify(error ?? null).slice(0, 1500)}`;
}

describe.each(N8N_LINES.map((line) => [lineLabel(line), line] as [string, N8nLine]))(
	'Marketo Bulk Import in n8n queue mode (main + 2 workers, Redis, Postgres): %s',
	(_label, line) => {
		let emulator: MarketoEmulator;
		let cluster: QueueCluster;
		const executionIds: Partial<Record<RunKey, string>> = {};
		const notes: string[] = [];

		/** Adds every n8n process's log tail to an assertion's failure. */
		const withLogs = async (what: string, check: () => void | Promise<void>) => {
			try {
				await check();
			} catch (e) {
				(e as Error).message = `${what}: ${(e as Error).message}\n\n${cluster?.tails(30) ?? ''}`;
				throw e;
			}
		};

		beforeAll(async () => {
			const services = queueServicesFromEnv();
			const t0 = Date.now();
			emulator = await startMarketoEmulator({
				host: '127.0.0.1',
				clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopeEmail: 'queue-e2e@example.com' }],
				// Batches take some seconds (~4,100 rows at 700 rows/s: ~6 s), so that each 30,000-lead
				// run keeps 5-6 batches in Marketo's queue for ~12 s: the two runs overlap there even
				// when one starts uploading a few seconds after the other (n8n 1.x prepares for ~30 s).
				queuedMinMs: 500,
				importMinMs: 1_500,
				rowsPerSecond: 700,
				batchIdStart: 7001,
			});
			cluster = await QueueCluster.start({
				line,
				tarball: getPackageTarball(),
				services,
				workers: 2,
				workerConcurrency: 1,
				credentials: [
					{
						...CREDENTIAL,
						type: 'marketoApi',
						data: { restEndpoint: `${emulator.url}/rest`, identityEndpoint: '', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
					},
				],
				workflows: [WORKFLOWS.a, WORKFLOWS.b, WORKFLOWS.stop],
			});
			notes.push(`start-up ${((Date.now() - t0) / 1000).toFixed(1)} s (${JSON.stringify(cluster.timings)})`);
		}, 10 * 60_000);

		afterAll(async () => {
			console.log(`[queue e2e ${lineLabel(line)}] ${notes.join('; ')}`);
			await cluster?.stop();
			await emulator?.close();
		}, 2 * 60_000);

		it('runs two webhook-triggered imports at once on the two workers: every lead once, 1016 waited out, nothing sent twice', async () => {
			const t0 = Date.now();
			const [hookA, hookB] = await Promise.all([cluster.callWebhook(RUNS.a.path), cluster.callWebhook(RUNS.b.path)]);
			expect([hookA.status, hookB.status]).toEqual([200, 200]);
			executionIds.a = await cluster.waitForExecutionOf(RUNS.a.id);
			executionIds.b = await cluster.waitForExecutionOf(RUNS.b.id);
			const [a, b] = await Promise.all([
				cluster.waitForEnd(executionIds.a, 8 * 60_000),
				cluster.waitForEnd(executionIds.b, 8 * 60_000),
			]);
			notes.push(`runs A+B ${((Date.now() - t0) / 1000).toFixed(1)} s`);

			await withLogs('both executions succeed', () => {
				expect({ a: a.status, b: b.status }).toEqual({ a: 'success', b: 'success' });
				expect(a.data.resultData.error).toBeUndefined();
				expect(b.data.resultData.error).toBeUndefined();
			}).catch((e: Error) => {
				e.message = `A: ${describeFailure(a)}\nB: ${describeFailure(b)}\n${e.message}`;
				throw e;
			});

			// On workers, one each (concurrency 1): so both workers loaded the package.
			const workerA = cluster.workerOf(a.id);
			const workerB = cluster.workerOf(b.id);
			notes.push(`execution ${a.id} (A) ran on ${workerA}, ${b.id} (B) on ${workerB}`);
			await withLogs('each run is on a worker, not the same one', () => {
				expect(workerA).toMatch(/^worker-\d$/);
				expect(workerB).toMatch(/^worker-\d$/);
				expect(workerA).not.toBe(workerB);
				expect(cluster.main?.text).not.toMatch(new RegExp(`Worker started execution (${a.id}|${b.id}) `));
			});

			const allCreates = emulator.creates();
			const refused1016 = allCreates.filter((c) => c.code === '1016');
			for (const key of ['a', 'b'] as const) {
				const generated = generatedLeads(RUNS[key].prefix, RUNS[key].leads);
				const creates = createsOf(emulator, key);
				const accepted = creates.filter((c) => c.batchId !== undefined);
				const acceptedIds = accepted.map((c) => c.batchId as number);
				const sec = (at: number | undefined) => (at === undefined ? '-' : `${((at - t0) / 1000).toFixed(1)} s`);
				notes.push(
					`run ${key.toUpperCase()}: ${accepted.length} batches, ${creates.length - accepted.length} refused uploads, ` +
						`uploads from ${sec(creates[0]?.at)} to ${sec(creates[creates.length - 1]?.at)} after the webhook calls`,
				);

				// About 2.4 MB in 0.28 MB files: 9 packed full, plus up to 6 smaller ramp files at the
				// start and one for an even split (README, "How files are split"; CI saw 12). Each
				// accepted once; every lead in exactly one accepted upload.
				expect(accepted.length).toBeGreaterThanOrEqual(6);
				expect(accepted.length).toBeLessThanOrEqual(16);
				expect(creates.filter((c) => c.answerLost)).toEqual([]);
				const sent = accepted.flatMap(emailsOf);
				expect(sent).toHaveLength(RUNS[key].leads);
				expect(new Set(sent).size).toBe(RUNS[key].leads);
				// A refused upload is sent again with the same rows; an accepted one never.
				for (const refused of creates.filter((c) => c.batchId === undefined)) {
					expect(refused.code).toMatch(/^(1016|606|615)$/);
				}

				// The node's output: one item per batch, all Complete, the counts of the whole run.
				const items = importItems(key === 'a' ? a : b);
				expect(items.map((i) => i.batchId)).toEqual(acceptedIds);
				expect(items.every((i) => i.status === 'Complete')).toBe(true);
				expect(items[0]).toMatchObject({
					totals: { items: RUNS[key].leads, imported: RUNS[key].leads, failed: 0, notSubmitted: 0, pending: 0, outcomeUnknown: 0 },
				});

				// Never more than Max Batches in Queue (6) of its own in Marketo's queue.
				expect(maxInQueueAtOnce(emulator, acceptedIds)).toBeLessThanOrEqual(6);

				// Marketo holds every lead once, value for value.
				const stored = emulator.leads().filter((l) => String(l.email).startsWith(RUNS[key].prefix));
				expect(stored).toHaveLength(RUNS[key].leads);
				expect(leadDifferences(stored, generated)).toEqual([]);
			}

			// Together they wanted 12 places in Marketo's queue of 10: Marketo said 1016, and the node
			// waited (Queue Full Wait 1 s) before trying the same file again.
			if (refused1016.length === 0) {
				throw new Error(
					`Marketo never answered 1016, so the back-off was not exercised: the two runs did not overlap enough ` +
						`(${notes.filter((n) => n.startsWith('run ')).join('; ')}).`,
				);
			}
			for (const refused of refused1016) {
				const retry = allCreates.find((c) => c.seq > refused.seq && c.rows.length > 0 && emailsOf(c)[0] === emailsOf(refused)[0]);
				expect(retry).toBeDefined();
				expect((retry as CreateCall).at - refused.at).toBeGreaterThanOrEqual(900);
			}
			notes.push(`1016 answered ${refused1016.length} times`);
		});

		it('stops a third run through the REST API while it uploads: nothing reaches Marketo 2 s after the stop, canceled, accepted batches logged', async () => {
			const hook = await cluster.callWebhook(RUNS.stop.path);
			expect(hook.status).toBe(200);
			const id = await cluster.waitForExecutionOf(RUNS.stop.id);
			executionIds.stop = id;

			// Stop once two of its uploads were accepted (it has ~20 files, 2 in queue at a time).
			const acceptedSoFar = () => createsOf(emulator, 'stop').filter((c) => c.batchId !== undefined);
			const deadline = Date.now() + 3 * 60_000;
			while (acceptedSoFar().length < 2) {
				if (Date.now() > deadline) throw new Error(`The run to stop did not get 2 uploads accepted in 3 minutes\n${cluster.tails(30)}`);
				await sleep(50);
			}
			const stopSentAt = Date.now();
			const stopped = await cluster.stopExecution(id);
			const stopAnsweredAt = Date.now();
			await withLogs(`POST /rest/executions/${id}/stop`, () => expect({ status: stopped.status, body: stopped.text.slice(0, 500) }).toMatchObject({ status: 200 }));

			// The execution ends as canceled, and for at least 6 s after the stop nothing more arrives.
			const ended = await cluster.waitForEnd(id, 60_000);
			await sleep(Math.max(0, stopAnsweredAt + 6_000 - Date.now()));
			notes.push(`stop answered in ${stopAnsweredAt - stopSentAt} ms`);

			const creates = createsOf(emulator, 'stop');
			const accepted = creates.filter((c) => c.batchId !== undefined);
			const acceptedIds = accepted.map((c) => c.batchId as number);
			const late = creates.filter((c) => c.at > stopAnsweredAt + STOP_GRACE_MS);
			const batchPaths = new RegExp(`/batch/(${acceptedIds.join('|')})(/|\\.json)`);
			const lateCalls = emulator
				.requests()
				.filter((r) => r.at > stopAnsweredAt + STOP_GRACE_MS && batchPaths.test(r.path));
			notes.push(
				`stopped run: ${accepted.length} batches accepted (${acceptedIds.join(', ')}), last upload ${
					creates.length ? creates[creates.length - 1].at - stopAnsweredAt : '-'
				} ms after the stop, ${late.length} uploads and ${lateCalls.length} batch calls later than ${STOP_GRACE_MS} ms`,
			);
			await withLogs('no upload reaches Marketo later than 2 s after the stop', () => {
				expect(
					late.map((c) => ({ seq: c.seq, msAfterStop: c.at - stopAnsweredAt, batchId: c.batchId, rows: c.rows.length, code: c.code })),
				).toEqual([]);
				expect(lateCalls.map((r) => `${r.method} ${r.path} ${r.at - stopAnsweredAt} ms after the stop`)).toEqual([]);
			});
			await withLogs('the execution is canceled', () => {
				expect(ended.status).toBe('canceled');
			});
			expect(accepted.length).toBeGreaterThanOrEqual(2);
			expect(accepted.length).toBeLessThan(15);

			// The node let go at once. Its stop lands in a 60 s wait (Poll Interval), so a node that
			// ignored the cancel signal would hold on for up to a minute: n8n only aborts its next call.
			//  - 2.x logs the node's error on the worker as it is thrown: it must say "cancel" (not a
			//    network failure), name the accepted batches, and come within 2 s of the stop.
			//  - 1.x logs no node errors on workers and keeps the stop's data, not the worker's, but its
			//    worker holds the execution until the node returns and n8n has saved the run: its
			//    "Worker finished execution" line must come within 10 s of the stop.
			const msAfterStop = (l: LogEntry | undefined) =>
				Date.parse(String((l?.metadata as { timestamp?: string } | undefined)?.timestamp)) - stopAnsweredAt;
			const released = () =>
				cluster.executionLogs(id).logs.some((l) => String(l.message).startsWith(`Worker finished execution ${id} `));
			const major = Number(line.version.split('.')[0]);
			while (major < 2 && !released() && Date.now() < stopAnsweredAt + WORKER_RELEASE_MS + 2_000) await sleep(250);
			const { worker, logs } = cluster.executionLogs(id);
			await withLogs('the run ran on a worker', () => expect(worker).toMatch(/^worker-\d$/));
			const cancelLine = logs.find((l) => l.level === 'error' && /cancel/i.test(String(l.message)));
			const finishedLine = logs.find((l) => String(l.message).startsWith(`Worker finished execution ${id} `));
			notes.push(
				`the node reported ${JSON.stringify(cancelLine?.message ?? null)} ${msAfterStop(cancelLine)} ms after the stop; ` +
					`the worker finished the execution ${msAfterStop(finishedLine)} ms after the stop`,
			);
			if (major >= 2) {
				await withLogs(`${worker}: the node reports the cancel, naming the accepted batches, within ${STOP_GRACE_MS} ms of the stop`, () => {
					expect(cancelLine?.message).toEqual(expect.stringMatching(/cancel/i));
					expect(String(cancelLine?.message)).not.toMatch(/network|could not reach/i);
					for (const batchId of acceptedIds) expect(String(cancelLine?.message)).toContain(String(batchId));
					expect(msAfterStop(cancelLine)).toBeLessThanOrEqual(STOP_GRACE_MS);
				});
			} else {
				await withLogs(`${worker}: the execution is released within 10 s of the stop`, () => {
					expect(finishedLine).toBeDefined();
					expect(msAfterStop(finishedLine)).toBeLessThanOrEqual(WORKER_RELEASE_MS);
				});
			}

			// What Marketo accepted is in the worker's info log, batch by batch.
			const logged = logs
				.map((l) => (typeof l.message === 'string' ? ACCEPTED_LINE.exec(l.message) : null))
				.filter((m): m is RegExpExecArray => m !== null)
				.map((m) => ({ file: Number(m[1]), batchId: Number(m[3]), rows: Number(m[4]) }));
			await withLogs(`${worker} logs every accepted batch of execution ${id} at info level`, () => {
				expect(logged.map((l) => l.batchId)).toEqual(acceptedIds);
				expect(logged.map((l) => l.rows)).toEqual(accepted.map((c) => c.rows.length));
				expect(logged.map((l) => l.file)).toEqual(accepted.map((_, i) => i + 1));
			});

			// No process logged the client secret or an access token.
			for (const p of [cluster.main, ...cluster.workers]) {
				expect(p?.text).not.toContain(CLIENT_SECRET);
				expect(p?.text).not.toMatch(TOKEN_RE);
			}
		});
	},
);
