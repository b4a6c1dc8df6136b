/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * Import at any size: splitting, queue pipelining, waiting, faults, row tracing and the
 * accounting identity (every input item is in exactly one outcome).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import Papa from 'papaparse';

import type { MarketoEmulator } from '../emulator';
import { awkwardLeads, credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { runWorkflow } from '../harness/workflowRunner';

let emulator: MarketoEmulator;

afterEach(async () => {
	await emulator.close();
});

function importStep(options: IDataObject = {}, continueOnFail = false) {
	return {
		name: 'Import',
		continueOnFail,
		parameters: {
			resource: 'lead',
			operation: 'import',
			format: 'csv',
			lookupField: 'email',
			options: { ...FAST_NODE_OPTIONS, waitForCompletion: true, timeoutMinutes: 2, ...options },
		},
	};
}

interface Totals {
	items: number;
	imported: number;
	importedWithWarning: number;
	failed: number;
	notSubmitted: number;
	outcomeUnknown: number;
	pending: number;
}

/** The accounting identity: the outcomes add up to the number of input items. */
function expectTotalsAddUp(items: INodeExecutionData[], inputCount: number): Totals {
	const withTotals = items.find((item) => item.json.totals !== undefined);
	expect(withTotals).toBeDefined();
	const totals = withTotals?.json.totals as unknown as Totals;
	expect(totals.items).toBe(inputCount);
	expect(totals.imported + totals.importedWithWarning + totals.failed + totals.notSubmitted + totals.pending + totals.outcomeUnknown).toBe(
		inputCount,
	);
	return totals;
}

/** Every row uploaded to the emulator, across all jobs, as the emails it carried. */
function uploadedEmails(): string[] {
	return emulator.jobs().flatMap((job) => {
		const parsed = Papa.parse<string[]>(job.file.toString('utf8'), { skipEmptyLines: true });
		const header = parsed.data[0];
		const emailColumn = header.indexOf('email');
		return parsed.data.slice(1).map((row) => row[emailColumn]);
	});
}

describe('splitting', () => {
	it('splits 25 MB of input into at least 3 files, each under the limit, every row exactly once, in order', async () => {
		emulator = await startEmulator();
		// Nine 250-character fields (Marketo's string fields hold 255): about 2.3 kB per row.
		const text = (i: number, field: string) => `${field} ${i} `.padEnd(250, 'x');
		const fields = ['firstName', 'lastName', 'company', 'title', 'city', 'state', 'country', 'postalCode', 'customText'];
		const items = Array.from({ length: 11_000 }, (_, i) => ({
			email: `lead${i}@example.com`,
			...Object.fromEntries(fields.map((field) => [field, text(i, field)])),
		}));
		expect(items.reduce((sum, item) => sum + JSON.stringify(item).length, 0)).toBeGreaterThan(25_000_000);
		const credentials = credentialsFor(emulator);
		const { error, output } = await runWorkflow({ items, credentials, steps: [importStep()] });
		expect(error).toBeUndefined();

		const jobs = emulator.jobs();
		expect(jobs.length).toBeGreaterThanOrEqual(3);
		for (const job of jobs) {
			expect(job.file.length).toBeLessThanOrEqual(Math.floor(10 * 1024 * 1024 * 0.95));
			expect(job.file.toString('utf8').startsWith(`email,${fields.join(',')}\r\n`)).toBe(true);
		}
		expect(uploadedEmails()).toEqual(items.map((item) => item.email));
		expect(jobs.map((job) => job.filename)).toEqual(jobs.map((_, i) => `leads-${String(i + 1).padStart(3, '0')}.csv`));

		const batches = output('Import');
		expect(batches).toHaveLength(jobs.length);
		expect(batches.every((b) => b.json.status === 'Complete')).toBe(true);
		const paired = batches.flatMap((b) => (b.pairedItem as Array<{ item: number }>).map((p) => p.item));
		expect(paired).toEqual(items.map((_, i) => i));
		expect(expectTotalsAddUp(batches, items.length).imported).toBe(items.length);
		expect(emulator.leads()).toHaveLength(items.length);
	}, 60_000);

	it('keeps at most "Max Batches in Queue" batches queued or importing at once', async () => {
		emulator = await startEmulator({ importMinMs: 60 });
		const items = awkwardLeads(400);
		const credentials = credentialsFor(emulator);
		const { error } = await runWorkflow({ items, credentials, steps: [importStep({ maxFileSizeMb: 0.002, maxInQueue: 3 })] });
		expect(error).toBeUndefined();
		const jobs = emulator.jobs();
		expect(jobs.length).toBeGreaterThan(6);
		// At any creation time, at most 2 of our earlier jobs are still unfinished (3 including the new one).
		for (const job of jobs) {
			const unfinished = jobs.filter((other) => other.createdAt < job.createdAt && (other.finishedAt ?? Infinity) > job.createdAt);
			expect(unfinished.length).toBeLessThanOrEqual(2);
		}
		expect(uploadedEmails()).toEqual(items.map((item) => item.email));
	});
});

describe('faults', () => {
	it('1016 on the 3rd submission: backs off, resubmits, loses nothing', async () => {
		emulator = await startEmulator();
		const items = awkwardLeads(300);
		const credentials = credentialsFor(emulator);
		// Faults are consumed in order: two uploads pass, the next two get 1016.
		emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: 'pass', count: 2 });
		emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '1016', count: 2 });
		const { error, output } = await runWorkflow({ items, credentials, steps: [importStep({ maxFileSizeMb: 0.005 })] });
		expect(error).toBeUndefined();
		const codes = emulator.requests().filter((r) => r.method === 'POST' && r.path === '/bulk/v1/leads.json').map((r) => r.code ?? 'ok');
		expect(codes.slice(0, 5)).toEqual(['ok', 'ok', '1016', '1016', 'ok']);
		expect(uploadedEmails()).toEqual(items.map((item) => item.email));
		expect(expectTotalsAddUp(output('Import'), items.length).imported).toBe(items.length);
	});

	it('602 in the middle of polling: renews once and keeps polling', async () => {
		emulator = await startEmulator({ importMinMs: 300 });
		const credentials = credentialsFor(emulator);
		setTimeout(() => emulator.expireTokens(), 120);
		const { error, output } = await runWorkflow({ items: awkwardLeads(10), credentials, steps: [importStep()] });
		expect(error).toBeUndefined();
		expect(output('Import')[0].json.status).toBe('Complete');
		expect(emulator.requests().filter((r) => r.code === '602')).toHaveLength(1);
		expect(emulator.tokenIssues()).toBe(2);
	});

	it.each(['606', '615'])('%s bursts on status and upload: backs off and retries', async (code) => {
		emulator = await startEmulator();
		emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: code, count: 3 });
		emulator.injectFault({ path: /\/bulk\/v1\/leads\/batch\/\d+\.json/, response: code, count: 3 });
		const credentials = credentialsFor(emulator);
		const items = awkwardLeads(20);
		const { error, output } = await runWorkflow({ items, credentials, steps: [importStep()] });
		expect(error).toBeUndefined();
		expect(emulator.requests().filter((r) => r.code === code)).toHaveLength(6);
		expect(emulator.jobs()).toHaveLength(1);
		expect(expectTotalsAddUp(output('Import'), items.length).imported).toBe(items.length);
		// Six back-offs in milliseconds, but a loaded CI machine took over 5 s: not a timing check.
	}, 30_000);

	it('transient errors (611, 502, connection reset) on reads are retried', async () => {
		emulator = await startEmulator();
		emulator.injectFault({ path: /\/bulk\/v1\/leads\/batch\/\d+\.json/, response: '611', count: 1 });
		emulator.injectFault({ path: /\/bulk\/v1\/leads\/batch\/\d+\.json/, response: '502', count: 1 });
		emulator.injectFault({ path: /\/bulk\/v1\/leads\/batch\/\d+\.json/, response: 'reset', count: 1 });
		const credentials = credentialsFor(emulator);
		const { error, output } = await runWorkflow({ items: awkwardLeads(5), credentials, steps: [importStep()] });
		expect(error).toBeUndefined();
		expect(output('Import')[0].json.status).toBe('Complete');
	});

	it('a dropped connection during an upload: no resend, a clear error with the accepted batch ids and the items not submitted', async () => {
		emulator = await startEmulator();
		const items = awkwardLeads(300);
		const credentials = credentialsFor(emulator);
		emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: 'pass', count: 2 });
		emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: 'reset', count: 1 });
		const { error } = await runWorkflow({ items, credentials, steps: [importStep({ maxFileSizeMb: 0.005 })] });
		const jobs = emulator.jobs();
		expect(jobs).toHaveLength(2);
		expect(error?.message).toMatch(/File 3( of \d+)?: the connection to Marketo broke during an upload \(connection reset\)/);
		expect(error?.message).toContain(`Already accepted by Marketo: batches ${jobs[0].batchId}–${jobs[1].batchId}.`);
		const sent = uploadedEmails();
		const interrupted = error?.message.match(/In the interrupted upload \(check in Marketo before resending\): items (\d+)–(\d+)\./);
		expect(Number(interrupted?.[1])).toBe(sent.length);
		expect(error?.message).toContain(`Not submitted: items ${Number(interrupted?.[2]) + 1}–${items.length - 1}`);
		// Nothing duplicated: every uploaded row is unique and in order.
		expect(sent).toEqual(items.slice(0, sent.length).map((item) => item.email));

		const continued = await runWorkflow({
			items,
			credentials,
			steps: [importStep({ maxFileSizeMb: 0.005 }, true)],
		});
		expect(continued.error).toBeUndefined();
	});

	it('a connection refused on upload is retried (the file certainly never reached Marketo)', async () => {
		emulator = await startEmulator();
		const credentials = credentialsFor(emulator);
		// The token is fetched first; then Marketo goes away for a moment.
		await runWorkflow({ items: [{ batchId: 1 }], credentials, steps: [{ name: 'S', continueOnFail: true, parameters: { resource: 'lead', operation: 'getStatus', batchId: 1, options: FAST_NODE_OPTIONS } }] });
		const url = new URL(emulator.url);
		await emulator.close();
		setTimeout(() => {
			void startEmulator({ port: Number(url.port) }).then((restarted) => {
				emulator = restarted;
			});
		}, 30);
		const { error } = await runWorkflow({ items: awkwardLeads(3), credentials, steps: [importStep({ retryWaitSeconds: 0.1 })] });
		expect(error).toBeUndefined();
		expect(emulator.jobs()).toHaveLength(1);
	});

	it('a job that ends Failed is reported with Marketo\'s message and the items it covered', async () => {
		emulator = await startEmulator();
		emulator.failNextJob('Import failed: corrupted file');
		const credentials = credentialsFor(emulator);
		const items = awkwardLeads(7);
		const { error, output } = await runWorkflow({ items, credentials, steps: [importStep()] });
		expect(error).toBeUndefined();
		const [batch] = output('Import');
		expect(batch.json).toMatchObject({ status: 'Failed', message: expect.stringContaining('corrupted file') });
		expect(batch.pairedItem).toHaveLength(7);
		expect(expectTotalsAddUp(output('Import'), 7).failed).toBe(7);
	});
});

describe('tracing failed and warned rows to input items', () => {
	it('matches rows by value, including duplicates and a shuffled report', async () => {
		emulator = await startEmulator({ shuffleFailureRows: true });
		const items: IDataObject[] = awkwardLeads(50);
		// Duplicate failing rows: identical values, both must be reported and paired with different items.
		for (const i of [5, 6, 30]) items[i] = { ...items[i], email: '', firstName: 'Same', lastName: 'Row', company: 'X', leadScore: 1, title: 'T' };
		items[12].leadScore = 'not a number';
		items[40].customEmail = 'bad-email';
		const credentials = credentialsFor(emulator);
		// Sent as is, so that Marketo (not the node's own type check) refuses the bad lead score.
		const { error, output } = await runWorkflow({ items, credentials, steps: [importStep({ outputRows: true, unknownColumns: 'send' })] });
		expect(error).toBeUndefined();

		const out = output('Import');
		const failed = output('Import', 1).filter((item) => item.json.outcome === 'failed');
		const warned = output('Import', 1).filter((item) => item.json.outcome === 'warning');
		expect(failed.map((item) => item.pairedItem)).toEqual(
			expect.arrayContaining([{ item: 5 }, { item: 6 }, { item: 30 }, { item: 12 }]),
		);
		expect(failed).toHaveLength(4);
		expect(failed.find((item) => (item.pairedItem as { item: number }).item === 12)?.json.importFailureReason).toBe(
			'Invalid data type in field Lead Score',
		);
		expect(warned.map((item) => item.pairedItem)).toEqual([{ item: 40 }]);
		expect(warned[0].json.importWarningReason).toBe('Invalid email address');

		const totals = expectTotalsAddUp(out, items.length);
		expect(totals).toMatchObject({ failed: 4, importedWithWarning: 1, imported: 45, notSubmitted: 0, pending: 0 });
	});

	it('handles a report that drops an empty lookup column', async () => {
		emulator = await startEmulator({ teknklQuirk: true });
		const items: IDataObject[] = [
			{ firstName: 'Benji', lastName: 'Nordstrom', phone: '212-555-2323', email: '' },
			{ firstName: 'Ann', lastName: 'Lee', phone: '1', email: 'ann@example.com' },
		];
		const credentials = credentialsFor(emulator);
		const { output } = await runWorkflow({ items, credentials, steps: [importStep({ outputRows: true })] });
		const failed = output('Import', 1).filter((item) => item.json.outcome === 'failed');
		expect(failed).toHaveLength(1);
		expect(failed[0].pairedItem).toEqual({ item: 0 });
		expect(failed[0].json.importFailureReason).toBe("Value for lookup field 'email' not found");
	});

	it('without waiting, items are pending and the totals still add up', async () => {
		emulator = await startEmulator();
		const credentials = credentialsFor(emulator);
		const { output } = await runWorkflow({ items: awkwardLeads(9), credentials, steps: [importStep({ waitForCompletion: false })] });
		expect(expectTotalsAddUp(output('Import'), 9).pending).toBe(9);
	});

	it('on timeout, outputs what is known with the batch ids', async () => {
		emulator = await startEmulator({ importMinMs: 5_000 });
		const credentials = credentialsFor(emulator);
		const { error, output } = await runWorkflow({ items: awkwardLeads(9), credentials, steps: [importStep({ timeoutMinutes: 0.005 })] });
		expect(error).toBeUndefined();
		const [batch] = output('Import');
		expect(batch.json).toMatchObject({ timedOut: true, batchId: expect.any(Number) });
		expect(expectTotalsAddUp(output('Import'), 9).pending).toBe(9);
	});
});
