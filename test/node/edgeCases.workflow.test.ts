 
/**
 * Edge cases found in review: each was a defect before its fix.
 */
import type { IDataObject } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { runWorkflow } from '../harness/workflowRunner';
import { convertForField } from '../../nodes/MarketoBulkImport/import/fieldTypes';

let emulator: MarketoEmulator;

afterEach(async () => {
	await emulator?.close();
});

function importStep(options: IDataObject = {}, parameters: IDataObject = {}, continueOnFail = false) {
	return {
		name: 'Import',
		continueOnFail,
		parameters: {
			resource: 'lead',
			operation: 'import',
			format: 'csv',
			lookupField: 'email',
			...parameters,
			options: { ...FAST_NODE_OPTIONS, waitForCompletion: true, timeoutMinutes: 1, ...options },
		},
	};
}

it('an HTTP 502 answer to an upload is not resent: Marketo may have the file', async () => {
	emulator = await startEmulator();
	emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '502', count: 1 });
	const { error } = await runWorkflow({
		items: [{ email: 'a@example.com' }],
		credentials: credentialsFor(emulator),
		steps: [importStep()],
	});
	expect(error?.message).toMatch(/Marketo answered an upload with HTTP 502 \(502\), so it is unknown whether Marketo accepted the file/);
	expect(error?.message).toMatch(/In the interrupted upload \(check in Marketo before resending\): item 0\./);
	expect(emulator.requests().filter((r) => r.method === 'POST' && r.path === '/bulk/v1/leads.json')).toHaveLength(1);
});

it('Lookup Field "id" (update only) sends the id column', async () => {
	emulator = await startEmulator({ leads: [{ id: 7, email: 'old@example.com', firstName: 'Old' }] } as IDataObject);
	const { error, output } = await runWorkflow({
		items: [{ id: 7, firstName: 'New' }, { id: 999, firstName: 'Nobody' }],
		credentials: credentialsFor(emulator),
		steps: [importStep({ outputRows: true }, { lookupField: 'id' })],
	});
	expect(error).toBeUndefined();
	expect(emulator.jobs()[0].file.toString('utf8')).toBe('id,firstName\r\n7,New\r\n999,Nobody');
	expect(emulator.leads().find((lead) => lead.id === 7)?.firstName).toBe('New');
	const failed = output('Import', 1).filter((item) => item.json.outcome === 'failed');
	expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
});

it('an item with no values is refused by name instead of becoming a blank line Marketo skips', async () => {
	emulator = await startEmulator();
	const items = [{ email: 'a@example.com' }, { email: '' }];
	const stopped = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep()] });
	expect(stopped.error?.message).toBe('Item 1: no values to import');

	const { output } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({}, {}, true)] });
	expect(emulator.jobs()[0].file.toString('utf8')).toBe('email\r\na@example.com');
	const batch = output('Import').find((item) => item.json.batchId !== undefined);
	expect(batch?.json.totals).toMatchObject({ items: 2, imported: 1, notSubmitted: 1 });
});

it('a report that drops an empty lookup column is traced only to items with that column empty', async () => {
	emulator = await startEmulator({ teknklQuirk: true });
	const { output } = await runWorkflow({
		items: [
			{ company: 'Web', email: 'a@example.com' },
			{ company: 'Web', email: '' },
		],
		credentials: credentialsFor(emulator),
		steps: [importStep({ outputRows: true })],
	});
	const failed = output('Import', 1).filter((item) => item.json.outcome === 'failed');
	expect(failed).toHaveLength(1);
	expect(failed[0].pairedItem).toEqual({ item: 1 });
	expect(output('Import')[0].json.totals).toMatchObject({ imported: 1, failed: 1 });
});

it('a failed report download keeps the imported batches and counts their rows as of unknown outcome, not imported', async () => {
	emulator = await startEmulator();
	emulator.injectFault({ path: /failures\.json$/, response: '607', count: 5, message: 'Daily quota reached' });
	const items = [{ email: 'a@example.com', firstName: 'A' }, { email: '', firstName: 'B' }];
	const { error, output } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({ outputRows: true })] });
	expect(error).toBeUndefined();
	const batchId = emulator.jobs()[0].batchId;
	const [batch] = output('Import');
	expect(batch.json).toMatchObject({
		batchId,
		status: 'Complete',
		numOfRowsFailed: 1,
		rows: { imported: 0, failed: 1, outcomeUnknown: 1 },
		totals: { items: 2, imported: 0, failed: 1, outcomeUnknown: 1 },
	});
	expect(batch.json.outcomeUnknownReason).toBe(
		'its failures and warnings could not be read (Marketo error 607: Daily quota reached)',
	);
	expect(batch.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
});

describe('type conversion', () => {
	it.each([
		['integer', 42, '42'],
		['integer', ' 42 ', '42'],
		['integer', '+7', '7'],
		['float', 1e-7, '0.0000001'],
		['float', '3.25', '3.25'],
		['currency', 19.99, '19.99'],
		['percent', '12.5', '12.5'],
		['boolean', 'Yes', 'true'],
		['boolean', 0, 'false'],
		['date', '2024-05-01', '2024-05-01'],
		['date', '2024-05-01T23:30:00-05:00', '2024-05-01'],
		['date', new Date(Date.UTC(2024, 4, 1)), '2024-05-01'],
		['datetime', '2024-05-01T10:00:00+02:00', '2024-05-01T10:00:00+02:00'],
		['datetime', new Date(Date.UTC(2024, 4, 1, 10)), '2024-05-01T10:00:00.000Z'],
		['string', 12, '12'],
		['email', 'a@example.com', 'a@example.com'],
		['integer', null, ''],
	])('%s %p → %p', (dataType, value, text) => {
		expect(convertForField(value, dataType)).toEqual({ text });
	});

	it.each([
		['integer', 'three', 'is not a whole number'],
		['integer', 1.5, 'is not a whole number'],
		['float', '1,5', 'is not a number (use a dot for decimals and no thousands separators)'],
		['boolean', 'maybe', 'is not true or false'],
		['date', 'next tuesday', 'is not a date (use yyyy-MM-dd)'],
		['datetime', 'soon', 'is not a date and time (use ISO 8601, e.g. 2024-05-01T10:00:00Z)'],
	])('%s %p is refused', (dataType, value, problem) => {
		expect(convertForField(value, dataType)).toEqual({ problem });
	});

	it('a Luxon DateTime keeps its own calendar day and offset', () => {
		const berlinMidnight = {
			isLuxonDateTime: true,
			isValid: true,
			toISODate: () => '2024-05-01',
			toISO: () => '2024-05-01T00:00:00.000+02:00',
		};
		expect(convertForField(berlinMidnight, 'date')).toEqual({ text: '2024-05-01' });
		expect(convertForField(berlinMidnight, 'datetime')).toEqual({ text: '2024-05-01T00:00:00.000+02:00' });
	});
});
