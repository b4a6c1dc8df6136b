/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * The four lead operations, run inside n8n-core's execution engine against the emulator.
 */
import type { IDataObject } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { awkwardLeads, CLIENT_ID, CLIENT_SECRET, credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { runWorkflow } from '../harness/workflowRunner';

let emulator: MarketoEmulator;

beforeEach(async () => {
	emulator = await startEmulator();
});

afterEach(async () => {
	await emulator.close();
});

const importStep = (format: string, options: IDataObject = {}) => ({
	name: 'Import',
	parameters: { resource: 'lead', operation: 'import', format, lookupField: 'email', options: { ...FAST_NODE_OPTIONS, ...options } },
});

const statusStep = {
	name: 'Status',
	parameters: {
		resource: 'lead',
		operation: 'getStatus',
		batchId: '={{ $json.batchId }}',
		options: { ...FAST_NODE_OPTIONS, waitUntilFinished: true, timeoutMinutes: 1 },
	},
};

const reportStep = (operation: 'getFailures' | 'getWarnings') => ({
	name: operation,
	// Get Warnings follows Get Failures, whose items are failed rows: read the batch once.
	executeOnce: true,
	parameters: {
		resource: 'lead',
		operation,
		batchId: "={{ $('Import').first().json.batchId }}",
		output: 'items',
		options: FAST_NODE_OPTIONS,
	},
});

function leadByEmail(email: string): IDataObject | undefined {
	return emulator.leads().find((lead) => lead.email === email) as IDataObject | undefined;
}

describe.each(['csv', 'tsv', 'ssv'])('Import → Get Status → Get Failures → Get Warnings (%s)', (format) => {
	it('imports 1,000 awkward leads value for value and reports failed and warned rows', async () => {
		const leads = awkwardLeads(1000);
		// Three rows fail (no lookup value) and two are imported with a warning (bad email-type value).
		leads[10].email = '';
		leads[500].email = '';
		leads[999].email = '';
		leads[20].customEmail = 'not an email';
		leads[21].customEmail = 'also@bad@example';

		const credentials = credentialsFor(emulator);
		const { error, output } = await runWorkflow({
			items: leads,
			credentials,
			steps: [importStep(format), statusStep, reportStep('getFailures'), reportStep('getWarnings')],
		});
		expect(error).toBeUndefined();

		const [summary] = output('Import');
		expect(summary.json).toMatchObject({ status: 'Queued', format, lookupField: 'email', file: { rows: 1000, number: 1, of: 1 } });
		expect(summary.json.columns).toEqual(['email', 'firstName', 'lastName', 'company', 'leadScore', 'title', 'customEmail']);
		expect(summary.pairedItem).toHaveLength(1000);

		// What Marketo received: one multipart upload with the right parameters, token in the header only.
		const [job] = emulator.jobs();
		expect(job).toMatchObject({ format, lookupField: 'email' });
		expect(job.file.subarray(0, 3).toString('hex')).not.toBe('efbbbf'); // no BOM
		expect(emulator.requests().every((r) => r.authorization !== 'query')).toBe(true);

		const [status] = output('Status');
		expect(status.json).toMatchObject({
			batchId: job.batchId,
			status: 'Complete',
			numOfLeadsProcessed: 997,
			numOfRowsFailed: 3,
			numOfRowsWithWarning: 2,
			timedOut: false,
		});

		// The leads in Marketo equal the input, value for value.
		for (const lead of leads.filter((l) => l.email !== '')) {
			const stored = leadByEmail(lead.email as string);
			expect(stored).toBeDefined();
			for (const field of ['firstName', 'lastName', 'company', 'title']) {
				expect(stored?.[field] ?? '').toBe(lead[field]);
			}
			expect(String(stored?.leadScore)).toBe(String(lead.leadScore));
		}

		const failures = output('getFailures');
		expect(failures).toHaveLength(3);
		for (const failure of failures) {
			expect(failure.json.importFailureReason).toBe("Value for lookup field 'email' not found");
			expect(failure.json.email).toBe('');
		}
		expect(failures.map((f) => f.json.lastName).sort()).toEqual(
			[leads[10].lastName, leads[500].lastName, leads[999].lastName].sort(),
		);

		const warnings = output('getWarnings');
		expect(warnings.map((w) => w.json.email).sort()).toEqual(['lead20@example.com', 'lead21@example.com']);
		expect(warnings.every((w) => w.json.importWarningReason === 'Invalid email address')).toBe(true);
		expect(warnings.every((w) => w.pairedItem !== undefined)).toBe(true);
	});
});

describe('tokens', () => {
	it('fetches one token, persists it in the credential, and reuses it across runs', async () => {
		const credentials = credentialsFor(emulator);
		await runWorkflow({ items: awkwardLeads(5), credentials, steps: [importStep('csv')] });
		await runWorkflow({ items: awkwardLeads(5), credentials, steps: [importStep('csv')] });
		expect(emulator.tokenIssues()).toBe(1);
		expect(credentials.store.get('marketo-cred-1')?.accessToken).toEqual(expect.any(String));
		expect(credentials.store.get('marketo-cred-1')?.tokenValidUntil).toBeGreaterThan(Date.now());
	});

	it('renews a token that expired between Import and Get Status, once, and replays the call', async () => {
		const credentials = credentialsFor(emulator);
		const first = await runWorkflow({ items: awkwardLeads(3), credentials, steps: [importStep('csv')] });
		const batchId = first.output('Import')[0].json.batchId;

		emulator.expireTokens();
		const second = await runWorkflow({
			items: [{ batchId }],
			credentials,
			steps: [{ name: 'Status', parameters: { resource: 'lead', operation: 'getStatus', batchId: '={{ $json.batchId }}', options: FAST_NODE_OPTIONS } }],
		});
		expect(second.error).toBeUndefined();
		expect(second.output('Status')[0].json.batchId).toBe(batchId);
		expect(emulator.tokenIssues()).toBe(2);
		const codes = emulator.requests().filter((r) => r.path.startsWith('/bulk/v1/leads/batch/')).map((r) => r.code ?? 'ok');
		expect(codes).toEqual(['602', 'ok']);
	});

	it('waits out a token that Identity hands back with expires_in 0, then uses the new one', async () => {
		await emulator.close();
		emulator = await startEmulator({ tokenTtlSeconds: 3 });
		// Another integration of the same API user got the token 2.5 s ago: Identity will hand
		// back that token with expires_in 0, and cannot renew it early.
		await fetch(`${emulator.url}/identity/oauth/token?grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${encodeURIComponent(CLIENT_SECRET)}`);
		await new Promise((resolve) => setTimeout(resolve, 2500));
		emulator.configure({ tokenTtlSeconds: 3600 }); // the next token is a normal one
		const credentials = credentialsFor(emulator);
		const { error } = await runWorkflow({ items: awkwardLeads(2), credentials, steps: [importStep('csv')] });
		expect(error).toBeUndefined();
		expect(emulator.tokenIssues()).toBe(2);
		expect(emulator.requests().filter((r) => r.code === '602' || r.code === '601')).toHaveLength(0);
	}, 15_000);

	it('reports a wrong client secret clearly, without the secret', async () => {
		const credentials = credentialsFor(emulator, { clientSecret: 'wrong-secret-value' });
		const { error, run } = await runWorkflow({ items: awkwardLeads(2), credentials, steps: [importStep('csv')] });
		expect(error?.message).toMatch(/did not accept the client ID and secret \(Bad client credentials\)/);
		const everything = JSON.stringify(run) + JSON.stringify(error) + String(error?.stack);
		expect(everything).not.toContain('wrong-secret-value');
		expect(everything).not.toContain(CLIENT_SECRET);
	});

	it('says in words when the identity service cannot be reached (n8n would replace a raw ECONNREFUSED)', async () => {
		const closed = await startEmulator();
		const url = closed.url;
		await closed.close();
		const credentials = credentialsFor(emulator, { restEndpoint: `${url}/rest` });
		const { error } = await runWorkflow({ items: awkwardLeads(1), credentials, steps: [importStep('csv', { unknownColumns: 'send' })] });
		expect(error?.message).toBe(
			`Could not reach Marketo's identity service at ${url}/identity (connection refused). Check the REST API endpoint (and the identity endpoint, if set) in the Marketo credential. No batch was accepted by Marketo. Not submitted: item 0 (1 of 1 rows).`,
		);
	});

	it('never puts the token in output or errors', async () => {
		const credentials = credentialsFor(emulator);
		const { run } = await runWorkflow({
			items: [{ email: 'a@example.com', nested: { no: 1 } }, { email: 'b@example.com' }],
			credentials,
			steps: [{ ...importStep('csv'), continueOnFail: true }, { name: 'Bad', parameters: { resource: 'lead', operation: 'getStatus', batchId: 999999, options: FAST_NODE_OPTIONS }, continueOnFail: true }],
		});
		const token = String(credentials.store.get('marketo-cred-1')?.accessToken);
		expect(token.length).toBeGreaterThan(10);
		expect(JSON.stringify(run)).not.toContain(token);
		expect(JSON.stringify(run)).not.toContain(CLIENT_SECRET);
	});
});

describe('clear errors, and error items with Continue On Fail', () => {
	const getStatus = (batchId: string | number, continueOnFail = false) => ({
		name: 'Status',
		continueOnFail,
		parameters: { resource: 'lead', operation: 'getStatus', batchId, options: FAST_NODE_OPTIONS },
	});

	it('unknown batch id', async () => {
		const credentials = credentialsFor(emulator);
		const stopped = await runWorkflow({ items: [{}], credentials, steps: [getStatus(424242)] });
		expect(stopped.error?.message).toBe('Marketo error 1013: Object not found');
		expect(stopped.error?.description).toMatch(/batch ID/);

		const continued = await runWorkflow({ items: [{}, {}], credentials, steps: [getStatus(424242, true)] });
		expect(continued.error).toBeUndefined();
		expect(continued.output('Status').map((i) => i.json.error)).toEqual([
			'Marketo error 1013: Object not found',
			'Marketo error 1013: Object not found',
		]);
		expect(continued.output('Status').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('a batch id that is not a number', async () => {
		const credentials = credentialsFor(emulator);
		const { error } = await runWorkflow({ items: [{}], credentials, steps: [getStatus('abc')] });
		expect(error?.message).toMatch(/"abc" is not a batch ID \[item 0\]/);
	});

	it('1016: queue full, after the configured wait', async () => {
		emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '1016', count: 1000 });
		const credentials = credentialsFor(emulator);
		const options = { maxQueueWaitMinutes: 0.001 };
		const stopped = await runWorkflow({ items: awkwardLeads(3), credentials, steps: [importStep('csv', options)] });
		expect(stopped.error?.message).toMatch(/Marketo error 1016: There are 10 imports currently being processed/);
		expect(stopped.error?.message).toMatch(/Not submitted: items 0–2 \(3 of 3 rows\)/);
		expect(stopped.error?.description).toMatch(/10 imports queued/);

		const continued = await runWorkflow({
			items: awkwardLeads(3),
			credentials,
			steps: [{ ...importStep('csv', options), continueOnFail: true }],
		});
		expect(continued.error).toBeUndefined();
		const [item] = continued.output('Import');
		expect(item.json.error).toMatch(/1016/);
		expect(item.json.notSubmittedItems).toEqual([0, 1, 2]);
		expect(item.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('unknown column: refused before upload, naming it and suggesting the closest fields', async () => {
		const credentials = credentialsFor(emulator);
		const { error } = await runWorkflow({
			items: [{ email: 'a@example.com', frstName: 'Ann', 'Favourite Colour': 'blue' }],
			credentials,
			steps: [importStep('csv')],
		});
		expect(error?.message).toBe(
			'These columns are not writable Marketo lead fields: "frstName" (did you mean firstName?); "Favourite Colour" ("frstName" is found in item 0)',
		);
		expect(error?.description).toMatch(/REST API names/);
		expect(emulator.jobs()).toHaveLength(0);

		const continued = await runWorkflow({
			items: [{ email: 'a@example.com', frstName: 'Ann' }, { email: 'b@example.com' }],
			credentials,
			steps: [{ ...importStep('csv'), continueOnFail: true }],
		});
		expect(continued.error).toBeUndefined();
		expect(continued.output('Import')).toEqual([
			expect.objectContaining({
				json: {
					error: 'This column is not a writable Marketo lead field: "frstName" (did you mean firstName?), found in item 0',
					acceptedBatchIds: [],
					notSubmittedItems: [0, 1],
					totals: { items: 2, imported: 0, importedWithWarning: 0, failed: 0, outcomeUnknown: 0, pending: 0, notSubmitted: 2 },
				},
				pairedItem: [{ item: 0 }, { item: 1 }],
			}),
		]);
	});

	it('unknown column sent as is: Marketo\'s 1006, with how to fix it', async () => {
		const credentials = credentialsFor(emulator);
		const { error } = await runWorkflow({
			items: [{ email: 'a@example.com', 'First Name': 'Ann' }],
			credentials,
			steps: [importStep('csv', { unknownColumns: 'send' })],
		});
		expect(error?.message).toMatch(/Marketo error 1006: Field 'First Name' not found/);
		expect(error?.description).toMatch(/REST API names/);
	});

	it('a row larger than the file size limit', async () => {
		const credentials = credentialsFor(emulator);
		const items = [{ email: 'a@example.com' }, { email: 'b@example.com', title: 'x'.repeat(2000) }];
		const { error } = await runWorkflow({
			items,
			credentials,
			steps: [importStep('csv', { maxFileSizeMb: 0.001 })],
		});
		expect(error?.message).toMatch(/^Item 1: the row alone makes a \d+-byte file, more than the 1048-byte file limit$/);
		expect(emulator.jobs()).toHaveLength(0);
	});

	it('a nested value stops the run naming the item and field; with Continue On Fail the other items are imported', async () => {
		const credentials = credentialsFor(emulator);
		const items = [{ email: 'a@example.com' }, { email: 'b@example.com', address: { city: 'Paris' } }, { email: 'c@example.com', tags: ['x'] }];
		const stopped = await runWorkflow({ items, credentials, steps: [importStep('csv')] });
		expect(stopped.error?.message).toBe(
			'Item 1: field "address" holds an object, which Marketo cannot store in a lead field (1 more refused: item 2)',
		);
		expect(emulator.jobs()).toHaveLength(0);

		const continued = await runWorkflow({ items, credentials, steps: [{ ...importStep('csv'), continueOnFail: true }] });
		const out = continued.output('Import');
		expect(continued.output('Import', 1).filter((i) => i.json.error).map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		const summary = out.find((i) => i.json.batchId !== undefined);
		expect(summary?.pairedItem).toEqual([{ item: 0 }]);
		expect(summary?.json.columns).toEqual(['email']);
	});

	it('values: numbers and booleans as text, null as empty, dates as ISO 8601', async () => {
		const credentials = credentialsFor(emulator);
		await runWorkflow({
			items: [{ email: 'a@example.com', leadScore: 42, customBool: true, customFloat: 1.5, title: null, customDateTime: '2024-05-01T10:00:00.000Z' }],
			credentials,
			steps: [importStep('csv')],
		});
		expect(emulator.jobs()[0].file.toString('utf8')).toBe(
			'email,leadScore,customBool,customFloat,title,customDateTime\r\na@example.com,42,true,1.5,,2024-05-01T10:00:00.000Z',
		);
	});
});

describe('Get Failures / Get Warnings', () => {
	it('gives no items, not an error, when Marketo has no report (404)', async () => {
		const credentials = credentialsFor(emulator);
		const { error, output } = await runWorkflow({
			items: awkwardLeads(3),
			credentials,
			steps: [importStep('csv', { waitForCompletion: true }), { ...reportStep('getFailures'), name: 'Failures' }],
		});
		expect(error).toBeUndefined();
		expect(output('Failures')).toEqual([]);
		expect(emulator.requests().some((r) => r.path.endsWith('/failures.json') && r.status === 404)).toBe(true);
	});

	it('returns the report as a binary file when asked', async () => {
		const credentials = credentialsFor(emulator);
		const leads = awkwardLeads(4);
		leads[1].email = '';
		const { error, output } = await runWorkflow({
			items: leads,
			credentials,
			steps: [
				importStep('tsv', { waitForCompletion: true }),
				{ name: 'Failures', parameters: { resource: 'lead', operation: 'getFailures', batchId: '={{ $json.batchId }}', output: 'binary', binaryPropertyName: 'report', options: FAST_NODE_OPTIONS } },
			],
		});
		expect(error).toBeUndefined();
		const [item] = output('Failures');
		const binary = item.binary?.report;
		expect(binary?.fileName).toMatch(/^batch-\d+-failures\.tsv$/);
		const text = Buffer.from(binary?.data ?? '', 'base64').toString('utf8');
		expect(text.split(/\r?\n/)[0]).toBe('email\tfirstName\tlastName\tcompany\tleadScore\ttitle\tImport Failure Reason');
		expect(item.json.rows).toBe(1);
	});
});
