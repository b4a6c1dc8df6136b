/**
 * Built for schedules: Skip Unchanged Rows and Dry Run, in n8n-core's engine against the
 * emulator, with n8n's processed-data store played in memory (shared by runs of one workflow ID).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { sandboxOptions } from '../emulator';
import { awkwardLeads, credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { processedData } from '../harness/processedDataStore';
import type { RunOptions } from '../harness/workflowRunner';
import { runWorkflow } from '../harness/workflowRunner';
import { parseDelimited } from '../../nodes/MarketoBulkImport/csv';
import { sumTotals } from '../../nodes/MarketoBulkImport/import/outcomes';
import type { ImportTotals } from '../../nodes/MarketoBulkImport/import/outcomes';

let emulator: MarketoEmulator;
let workflowSeq = 0;
let workflowId = '';

beforeEach(async () => {
	const sandbox = sandboxOptions();
	delete sandbox.clients; // keep the test client of the fixtures
	emulator = await startEmulator(sandbox);
	workflowId = `wf-schedules-${++workflowSeq}`;
});

afterEach(async () => {
	await emulator.close();
});

const skipOptions = (extra: IDataObject = {}) => ({
	...FAST_NODE_OPTIONS,
	waitForCompletion: true,
	timeoutMinutes: 2,
	skipUnchanged: true,
	...extra,
});

const leadImport = (options: IDataObject) => ({
	name: 'Import',
	parameters: { resource: 'lead', operation: 'import', format: 'csv', lookupField: 'email', options },
});

async function run(items: IDataObject[], step: RunOptions['steps'][number], extra: Partial<RunOptions> = {}) {
	return await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [step], mode: 'trigger', workflowId, ...extra });
}

/** The rows of the uploads from job `from` on, as records by column. */
function uploadedRows(from = 0): Array<Record<string, string>> {
	return emulator
		.jobs()
		.slice(from)
		.flatMap((job) => {
			const [header, ...rows] = parseDelimited(job.file.toString('utf8'), job.delimiter === '\t' ? '\t' : job.delimiter === ';' ? ';' : ',');
			return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i]])));
		});
}

function totalsOf(items: INodeExecutionData[]): ImportTotals {
	const withTotals = items.filter((item) => item.json.totals !== undefined);
	expect(withTotals.length).toBeGreaterThan(0);
	const totals = withTotals[0].json.totals as unknown as ImportTotals;
	// The identity: every row in exactly one outcome.
	expect(sumTotals(totals)).toBe(totals.items);
	return totals;
}

const skippedItem = (items: INodeExecutionData[]) => items.find((item) => item.json.outcome === 'skippedUnchanged');

describe('Skip Unchanged Rows (leads)', () => {
	it('the same 10,000 leads twice, the second time with 100 changed and 50 new: the second run uploads exactly those 150', async () => {
		const leads = awkwardLeads(10_000);
		const first = await run(leads, leadImport(skipOptions()));
		expect(first.error).toBeUndefined();
		expect(totalsOf(first.output('Import'))).toMatchObject({ items: 10_000, imported: 10_000, skippedUnchanged: 0 });
		expect(uploadedRows()).toHaveLength(10_000);

		const second = leads.map((lead) => ({ ...lead }));
		const changed = new Set<string>();
		for (let i = 0; i < 100; i++) {
			const lead = second[i * 97];
			lead.title = `Changed ${i}`;
			changed.add(lead.email as string);
		}
		const added = awkwardLeads(50, 20_000);
		for (const lead of added) changed.add(lead.email as string);
		const jobsBefore = emulator.jobs().length;
		const result = await run([...second, ...added], leadImport(skipOptions()));
		expect(result.error).toBeUndefined();

		const sent = uploadedRows(jobsBefore);
		expect(sent).toHaveLength(150);
		expect(new Set(sent.map((row) => row.email))).toEqual(changed);
		// What was sent is the new content.
		expect(sent.find((row) => row.email === second[97].email)?.title).toBe('Changed 1');
		const output = result.output('Import');
		expect(totalsOf(output)).toMatchObject({ items: 10_050, imported: 150, skippedUnchanged: 9_900, notSubmitted: 0 });
		const skipped = skippedItem(output);
		expect(skipped?.json).toMatchObject({ outcome: 'skippedUnchanged', rows: 9_900 });
		// Paired with every input item that was skipped, and only those.
		expect(skipped?.pairedItem).toHaveLength(9_900);
		expect((skipped?.pairedItem as Array<{ item: number }>).some(({ item }) => item === 97)).toBe(false);
		// Everything output is paired.
		expect(output.every((item) => item.pairedItem !== undefined)).toBe(true);
		// One fingerprint per lead is remembered.
		expect(processedData.entries(workflowId, 'marketo-1')).toHaveLength(10_050);
	}, 120_000);

	it('a row that failed is sent again next time; a value changed back is sent again', async () => {
		const leads = awkwardLeads(20);
		leads[3].email = ''; // Marketo fails a lead without its lookup value
		const first = await run(leads, leadImport(skipOptions()));
		expect(totalsOf(first.output('Import'))).toMatchObject({ imported: 19, failed: 1 });

		// Run 2: the failed row is fixed, lead 5 changes.
		const fixed = leads.map((lead) => ({ ...lead }));
		fixed[3].email = 'fixed3@example.com';
		fixed[5].title = 'B';
		let jobsBefore = emulator.jobs().length;
		await run(fixed, leadImport(skipOptions()));
		expect(uploadedRows(jobsBefore).map((row) => row.email).sort()).toEqual(['fixed3@example.com', fixed[5].email].sort());

		// Run 3: lead 5 goes back to what Marketo held after run 1: Marketo holds B now, so it is sent.
		const back = fixed.map((lead) => ({ ...lead }));
		back[5].title = leads[5].title;
		jobsBefore = emulator.jobs().length;
		const third = await run(back, leadImport(skipOptions()));
		expect(uploadedRows(jobsBefore).map((row) => row.email)).toEqual([fixed[5].email]);
		expect(totalsOf(third.output('Import'))).toMatchObject({ items: 20, imported: 1, skippedUnchanged: 19 });
	}, 60_000);

	it('a failed row whose input does not change is sent again', async () => {
		const leads = awkwardLeads(10);
		leads[2].email = '';
		await run(leads, leadImport(skipOptions()));
		const jobsBefore = emulator.jobs().length;
		const again = await run(leads, leadImport(skipOptions()));
		expect(uploadedRows(jobsBefore)).toHaveLength(1);
		expect(totalsOf(again.output('Import'))).toMatchObject({ failed: 1, skippedUnchanged: 9 });
	}, 60_000);

	it('a run that timed out before its batches finished remembers nothing of them', async () => {
		await emulator.close();
		emulator = await startEmulator({ importMinMs: 5_000 });
		const leads = awkwardLeads(30);
		const first = await run(leads, leadImport(skipOptions({ timeoutMinutes: 0.005 })));
		expect(first.error).toBeUndefined();
		expect(totalsOf(first.output('Import'))).toMatchObject({ pending: 30 });
		expect(processedData.entries(workflowId, 'marketo-1')).toHaveLength(0);

		await emulator.close();
		emulator = await startEmulator();
		const second = await run(leads, leadImport(skipOptions()));
		expect(uploadedRows()).toHaveLength(30);
		expect(totalsOf(second.output('Import'))).toMatchObject({ imported: 30, skippedUnchanged: 0 });
	}, 60_000);

	it('Clear Remembered Rows makes the next run send everything', async () => {
		const leads = awkwardLeads(40);
		await run(leads, leadImport(skipOptions()));
		let jobsBefore = emulator.jobs().length;
		await run(leads, leadImport(skipOptions()));
		expect(uploadedRows(jobsBefore)).toHaveLength(0);

		jobsBefore = emulator.jobs().length;
		const cleared = await run(leads, leadImport(skipOptions({ clearRememberedRows: true })));
		expect(uploadedRows(jobsBefore)).toHaveLength(40);
		expect(totalsOf(cleared.output('Import'))).toMatchObject({ imported: 40, skippedUnchanged: 0 });
	}, 60_000);

	it('a manual execution reads the history but records nothing, unless asked to', async () => {
		const leads = awkwardLeads(20);
		await run(leads, leadImport(skipOptions()));
		const remembered = [...processedData.entries(workflowId, 'marketo-1')];
		expect(remembered).toHaveLength(20);

		const changed = leads.map((lead, i) => (i < 5 ? { ...lead, title: 'Manual test' } : lead));
		let jobsBefore = emulator.jobs().length;
		const manual = await run(changed, leadImport(skipOptions()), { mode: 'manual' });
		expect(uploadedRows(jobsBefore)).toHaveLength(5);
		expect(skippedItem(manual.output('Import'))?.json).toMatchObject({ rows: 15, remembered: false });
		// The history is exactly what the scheduled run left.
		expect([...processedData.entries(workflowId, 'marketo-1')]).toEqual(remembered);

		// Asked to, a manual execution records like a scheduled one.
		jobsBefore = emulator.jobs().length;
		await run(changed, leadImport(skipOptions({ rememberManualExecutions: true })), { mode: 'manual' });
		expect(uploadedRows(jobsBefore)).toHaveLength(5);
		jobsBefore = emulator.jobs().length;
		await run(changed, leadImport(skipOptions()), { mode: 'manual' });
		expect(uploadedRows(jobsBefore)).toHaveLength(0);
	}, 60_000);

	it('two rows for one lead in a run are both sent and not remembered (the later one decides)', async () => {
		const leads = awkwardLeads(5);
		const twice = [...leads, { ...leads[1], title: 'Second version' }];
		await run(twice, leadImport(skipOptions()));
		const jobsBefore = emulator.jobs().length;
		await run(twice, leadImport(skipOptions()));
		expect(uploadedRows(jobsBefore).map((row) => row.email)).toEqual([leads[1].email, leads[1].email]);
	}, 60_000);

	it('a Remembered Rows Limit that is not a whole number above 0 stops the node before anything is sent, saying how to fix it', async () => {
		const { error } = await run(awkwardLeads(3), leadImport(skipOptions({ rememberedRowsLimit: '={{ 0 }}' })));
		expect(error?.message).toBe('"Remembered Rows Limit" is 0, not a whole number above 0');
		expect(error?.description).toMatch(/at least as large as the rows of one run/);
		expect(emulator.jobs()).toHaveLength(0);
	}, 60_000);

	it('n8n\'s limit keeps the history to the newest entries: rows beyond it are sent again', async () => {
		const leads = awkwardLeads(30);
		await run(leads, leadImport(skipOptions({ rememberedRowsLimit: 20 })));
		expect(processedData.entries(workflowId, 'marketo-1')).toHaveLength(20);
		const jobsBefore = emulator.jobs().length;
		const again = await run(leads, leadImport(skipOptions({ rememberedRowsLimit: 20 })));
		// The oldest 10 were dropped by n8n's store: sent again, not lost.
		expect(uploadedRows(jobsBefore).map((row) => row.email)).toEqual(leads.slice(0, 10).map((lead) => lead.email));
		expect(totalsOf(again.output('Import'))).toMatchObject({ items: 30, imported: 10, skippedUnchanged: 20 });
	}, 60_000);

	it('is an option of Wait for Completion: without it, every row is sent and nothing is remembered', async () => {
		const leads = awkwardLeads(4);
		await run(leads, leadImport(skipOptions()));
		const jobsBefore = emulator.jobs().length;
		const { error, output } = await run(leads, leadImport({ ...FAST_NODE_OPTIONS, skipUnchanged: true }));
		expect(error).toBeUndefined();
		expect(uploadedRows(jobsBefore)).toHaveLength(4);
		expect(skippedItem(output('Import'))).toBeUndefined();
		expect(processedData.entries(workflowId, 'marketo-1')).toHaveLength(4);
	}, 60_000);
});

describe('Skip Unchanged Rows (custom objects and program members)', () => {
	it('custom object records: by their dedupe field', async () => {
		const cars: IDataObject[] = Array.from({ length: 30 }, (_, i) => ({ vin: `VIN${1000 + i}`, make: 'Honda', model: 'Accord', year: 2000 + (i % 20) }));
		const step = {
			name: 'Import',
			parameters: { resource: 'customObject', operation: 'import', customObjectName: 'car_c', format: 'csv', options: skipOptions() },
		};
		await run(cars, step);
		const changed = cars.map((car, i) => (i === 7 ? { ...car, model: 'Civic' } : car));
		const jobsBefore = emulator.jobs().length;
		const second = await run(changed, step);
		expect(uploadedRows(jobsBefore)).toEqual([expect.objectContaining({ vin: 'VIN1007', model: 'Civic' })]);
		expect(totalsOf(second.output('Import'))).toMatchObject({ items: 30, imported: 1, skippedUnchanged: 29 });
	}, 60_000);

	it('program members: by email, program and status (a new status sends everyone again)', async () => {
		const members = awkwardLeads(25).map(({ email, firstName }) => ({ email, firstName }));
		const step = (status: string) => ({
			name: 'Import',
			parameters: { resource: 'programMember', operation: 'import', programId: '2001', programMemberStatus: status, format: 'csv', options: skipOptions() },
		});
		await run(members, step('Registered'));
		let jobsBefore = emulator.jobs().length;
		const changed = members.map((member, i) => (i === 4 ? { ...member, firstName: 'Renamed' } : member));
		await run(changed, step('Registered'));
		expect(uploadedRows(jobsBefore).map((row) => row.email)).toEqual([members[4].email]);

		jobsBefore = emulator.jobs().length;
		await run(changed, step('Attended'));
		expect(uploadedRows(jobsBefore)).toHaveLength(25);
	}, 60_000);
});

describe('Dry Run (Validate Only)', () => {
	it('makes no import call, and its files are byte for byte what a real run uploads', async () => {
		const leads = awkwardLeads(3_000);
		leads[10].leadScore = { nested: true } as unknown as number; // refused: not a field value
		const options = { ...FAST_NODE_OPTIONS, maxFileSizeMb: 0.05, waitForCompletion: true, timeoutMinutes: 2 };
		const dry = await run(leads, leadImport({ ...options, dryRun: true }));
		expect(dry.error).toBeUndefined();
		expect(emulator.jobs()).toHaveLength(0);
		expect(emulator.requests().some((request) => /bulk/.test(request.path))).toBe(false);
		const output = dry.output('Import');
		const files = output.filter((item) => item.json.dryRun === true);
		expect(files.length).toBeGreaterThan(3);
		expect(output.some((item) => item.json.outcome === 'notSubmitted')).toBe(false);
		// Refused items go where a run puts them: the second output, Rows to Fix.
		const refused = dry.output('Import', 1).filter((item) => item.json.outcome === 'notSubmitted');
		expect(refused).toEqual([expect.objectContaining({ json: expect.objectContaining({ itemIndex: 10, field: 'leadScore' }) })]);
		expect(files[0].json).toMatchObject({
			file: { number: 1, of: files.length, name: 'leads-001.csv' },
			totals: { items: 3_000, toSend: 2_999, notSubmitted: 1 },
		});

		// A real run, without the refused item, uploads the same files.
		const real = await run(leads.filter((_, i) => i !== 10), leadImport(options));
		expect(real.error).toBeUndefined();
		const jobs = emulator.jobs();
		expect(jobs).toHaveLength(files.length);
		for (let i = 0; i < files.length; i++) {
			const binary = files[i].binary?.data;
			expect(Buffer.from(binary?.data ?? '', 'base64').equals(jobs[i].file)).toBe(true);
			expect(binary?.fileName).toBe(jobs[i].filename);
			expect(files[i].json.file).toMatchObject({ rows: jobs[i].dataRows, bytes: jobs[i].file.length });
		}
	}, 60_000);

	it('shows what Skip Unchanged Rows would skip, and records nothing', async () => {
		const leads = awkwardLeads(50);
		await run(leads, leadImport(skipOptions()));
		const remembered = [...processedData.entries(workflowId, 'marketo-1')];
		const jobsBefore = emulator.jobs().length;
		const changed = leads.map((lead, i) => (i % 10 === 0 ? { ...lead, title: 'New' } : lead));
		const dry = await run(changed, leadImport(skipOptions({ dryRun: true })));
		expect(emulator.jobs()).toHaveLength(jobsBefore);
		const output = dry.output('Import');
		const [file] = output.filter((item) => item.json.dryRun === true);
		expect(file.json).toMatchObject({ file: { rows: 5, number: 1, of: 1, name: 'leads.csv' }, totals: { items: 50, toSend: 5, skippedUnchanged: 45 } });
		expect(skippedItem(output)?.json).toMatchObject({ rows: 45 });
		expect([...processedData.entries(workflowId, 'marketo-1')]).toEqual(remembered);
	}, 60_000);
});
