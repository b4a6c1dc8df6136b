/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * Stop in the editor (or an execution timeout) cancels the execution: every wait of the node
 * ends at once, no upload starts after it, and the cancel is said as a cancel.
 */
import type { MarketoEmulator } from '../emulator';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { loggedMessages, runWorkflow } from '../harness/workflowRunner';

let emulator: MarketoEmulator;

afterEach(async () => {
	await emulator?.close();
});

const creates = () => emulator.requests().filter((r) => r.method === 'POST' && r.path === '/bulk/v1/leads.json');
const leads = (count: number) =>
	Array.from({ length: count }, (_, i) => ({ email: `lead${i}@example.com`, company: 'x'.repeat(200) }));

function importStep(options: Record<string, unknown>) {
	return {
		name: 'Import',
		parameters: {
			resource: 'lead',
			operation: 'import',
			format: 'csv',
			lookupField: 'email',
			options: { ...FAST_NODE_OPTIONS, unknownColumns: 'send', ...options },
		},
	};
}

/** Runs the import, cancels it `afterMs` in, and says how long the node took to return after the cancel. */
async function runAndCancel(options: Record<string, unknown>, afterMs: number, count = 20) {
	let cancelledAt = 0;
	loggedMessages.length = 0;
	const result = await runWorkflow({
		items: leads(count),
		credentials: credentialsFor(emulator),
		steps: [importStep(options)],
		onStarted: (cancel) => {
			setTimeout(() => {
				cancelledAt = Date.now();
				cancel();
			}, afterMs);
		},
	});
	return { ...result, cancelledAt, returnedAfterMs: Date.now() - cancelledAt };
}

it('a cancel during the 1016 queue-full wait ends the wait at once, and no upload follows', async () => {
	emulator = await startEmulator();
	emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '1016', count: 100 });
	const { cancelledAt, returnedAfterMs, error } = await runAndCancel({ queueWaitSeconds: 30, waitForCompletion: true }, 300);
	expect(returnedAfterMs).toBeLessThan(1000);
	expect(creates().filter((r) => r.at > cancelledAt)).toHaveLength(0);
	expect(String(error?.message ?? '')).not.toMatch(/network|could not reach/i);
});

it('a cancel while polling a long interval returns at once; the batches already accepted are not lost from the log', async () => {
	emulator = await startEmulator({ queuedMinMs: 60_000 });
	const { returnedAfterMs, cancelledAt } = await runAndCancel({ waitForCompletion: true, pollIntervalSeconds: 30 }, 400);
	expect(returnedAfterMs).toBeLessThan(1000);
	expect(creates().length).toBeGreaterThan(0);
	expect(creates().filter((r) => r.at > cancelledAt)).toHaveLength(0);
});

it('a cancel between uploads stops the submission: no new upload after it', async () => {
	emulator = await startEmulator({ latencyMs: 150 });
	const { cancelledAt, returnedAfterMs, error, run } = await runAndCancel(
		{ waitForCompletion: false, maxFileSizeMb: 0.001, maxInQueue: 10 },
		400,
		60,
	);
	expect(run.status).toBe('error');
	// Said as a cancel, with an exact account: the accepted batches by id, the cut-off upload as unknown.
	// (The cancel usually lands while an upload is in flight; between two uploads nothing is unknown.)
	expect(error?.message).toMatch(
		/^(File \d+: the upload was cancelled while it was being sent, so it is unknown whether Marketo accepted the file|The execution was cancelled before every file was sent)\. Already accepted by Marketo: (batch 1001|batches 1001–\d+)\. Not submitted: items \d+–59 \(\d+ of 60 rows\)\.( In the interrupted upload \(check in Marketo before resending\): items \d+–\d+\.)?$/,
	);
	expect(error?.message).not.toMatch(/network|could not reach/i);
	expect(returnedAfterMs).toBeLessThan(1000);
	const sent = creates();
	expect(sent.length).toBeGreaterThan(0);
	expect(sent.length).toBeLessThan(15);
	expect(sent.filter((r) => r.at > cancelledAt + 5)).toHaveLength(0);
	// Each accepted file was logged as it was accepted, so the log shows what Marketo holds.
	const accepted = loggedMessages.filter((entry) => entry.level === 'info').map((entry) => entry.message);
	expect(accepted.length).toBeGreaterThan(0);
	expect(accepted).toEqual(
		emulator.jobs().slice(0, accepted.length).map((job, n) => `Marketo Bulk Import: file ${n + 1} accepted as batch ${job.batchId} (4 rows)`),
	);
});

// The cancel lands between two status calls (no latency), or cuts the first one in flight
// (every call takes 3 s): either way it is said as a cancel, never as a network failure.
it.each([
	['between two status calls', 0],
	['while a status call is under way', 3000],
])('Get Status with Wait Until Finished lets go at once on a cancel %s, and says the batch goes on in Marketo', async (_when, latencyMs) => {
	emulator = await startEmulator({ queuedMinMs: 60_000 });
	const accepted = await runWorkflow({
		items: leads(2),
		credentials: credentialsFor(emulator),
		steps: [importStep({ waitForCompletion: false })],
	});
	const batchId = accepted.output('Import')[0].json.batchId as number;
	emulator.configure({ latencyMs });
	let cancelledAt = 0;
	const { error } = await runWorkflow({
		items: [{ batchId }],
		credentials: credentialsFor(emulator),
		steps: [
			{
				name: 'Status',
				parameters: {
					resource: 'lead',
					operation: 'getStatus',
					batchId: '={{ $json.batchId }}',
					options: { waitUntilFinished: true, pollIntervalSeconds: 30, timeoutMinutes: 10 },
				},
			},
		],
		onStarted: (cancel) => {
			setTimeout(() => {
				cancelledAt = Date.now();
				cancel();
			}, 300);
		},
	});
	expect(Date.now() - cancelledAt).toBeLessThan(1000);
	expect(error?.message).toBe(`The execution was cancelled while waiting for batch ${batchId}; Marketo goes on importing it`);
});

it('a cancel while n8n evaluates the mapped fields of many items ends the evaluation at once: nothing is uploaded', async () => {
	emulator = await startEmulator();
	let cancelledAt = 0;
	const result = await runWorkflow({
		items: leads(30_000),
		credentials: credentialsFor(emulator),
		steps: [
			{
				name: 'Import',
				parameters: {
					...importStep({}).parameters,
					// Not a plain read of a field: n8n evaluates it for every item (about 0.1 ms each).
					columns: { mappingMode: 'defineBelow', value: { email: "={{ $json.email + '' }}" }, schema: [], matchingColumns: [] },
				},
			},
		],
		onStarted: (cancel) => {
			setTimeout(() => {
				cancelledAt = Date.now();
				cancel();
			}, 300);
		},
	});
	expect(Date.now() - cancelledAt).toBeLessThan(1000);
	expect(result.error?.message).toMatch(/cancelled/i);
	expect(result.error?.message).not.toMatch(/network|could not reach/i);
	expect(creates()).toHaveLength(0);
}, 30_000);
