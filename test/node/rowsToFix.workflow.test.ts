/**
 * Import's two outputs, in n8n-core's engine: Batches (index 0) and Rows to Fix (index 1), with
 * a No Op node hanging on each; pairedItem on both; execution hints; Continue On Fail refusals;
 * and, run as an AI agent's tool, everything on the first output (the only one an agent reads).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { sandboxOptions } from '../emulator';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import type { RunResult, Step } from '../harness/workflowRunner';
import { NODE_TYPE, runWorkflow } from '../harness/workflowRunner';
import { MarketoBulkImport } from '../../nodes/MarketoBulkImport/MarketoBulkImport.node';

let emulator: MarketoEmulator;

afterEach(async () => {
	// The first test reads the node's description only: no emulator.
	await emulator?.close();
	emulator = undefined as unknown as MarketoEmulator;
});

const waitOptions = { ...FAST_NODE_OPTIONS, waitForCompletion: true, timeoutMinutes: 1 };

/** Import, with a No Op on each output, as a user would wire them on the canvas. */
function importWithBothOutputs(parameters: IDataObject, extra: Partial<Step> = {}): Step[] {
	return [
		{ name: 'Import', parameters, ...extra },
		{ name: 'Batches', noOp: true, after: 'Import', fromOutput: 0 },
		{ name: 'Rows to Fix', noOp: true, after: 'Import', fromOutput: 1 },
	];
}

const pairs = (items: INodeExecutionData[]) => items.map((item) => item.pairedItem);

/** What both outputs hold, checked the same way for every import. */
function expectBatchesAndRowsApart(result: RunResult, inputCount: number) {
	expect(result.error).toBeUndefined();
	expect(result.outputCount('Import')).toBe(2);
	const batches = result.output('Import', 0);
	expect(batches.length).toBeGreaterThan(0);
	for (const batch of batches) {
		expect(batch.json.batchId).toEqual(expect.any(Number));
		expect(batch.json.outcome).toBeUndefined();
		expect(Array.isArray(batch.pairedItem) && batch.pairedItem.length > 0).toBe(true);
	}
	// Downstream nodes get exactly what each output carries.
	expect(result.output('Batches').map((item) => item.json)).toEqual(batches.map((item) => item.json));
	const rows = result.output('Import', 1);
	expect(result.output('Rows to Fix').map((item) => item.json)).toEqual(rows.map((item) => item.json));
	for (const row of rows) {
		// Rows from Marketo's reports name their batch; rows never sent have none.
		if (row.json.outcome === 'notSubmitted') expect(row.json.batchId).toBeUndefined();
		else expect(row.json.batchId).toEqual(expect.any(Number));
		expect(row.pairedItem).toEqual({ item: expect.any(Number) });
	}
	const totals = batches[0].json.totals as IDataObject;
	expect(totals.items).toBe(inputCount);
	return { batches, rows, totals };
}

describe('Import: Batches on the first output, Rows to Fix on the second', () => {
	it('n8n evaluates the outputs: two named ones for Import, one for the other operations', () => {
		const description = new MarketoBulkImport().description;
		const outputsFor = (operation: string | undefined) => {
			const node = {
				id: 'n',
				name: 'Marketo',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters: operation === undefined ? { resource: 'lead' } : { resource: 'lead', operation },
			};
			const workflow = new Workflow({
				nodes: [node],
				connections: {},
				active: false,
				nodeTypes: {
					getByName: () => ({ description }),
					getByNameAndVersion: () => ({ description }),
					getKnownTypes: () => ({}),
				} as never,
			});
			return NodeHelpers.getNodeOutputs(workflow, node, description);
		};
		const twoOutputs = [
			{ type: 'main', displayName: 'Batches' },
			{ type: 'main', displayName: 'Rows to Fix' },
		];
		expect(outputsFor('import')).toEqual(twoOutputs);
		expect(outputsFor(undefined)).toEqual(twoOutputs);
		for (const operation of ['getStatus', 'getFailures', 'getWarnings']) expect(outputsFor(operation)).toEqual([{ type: 'main' }]);
	});

	it('leads: failed and warned rows go to Rows to Fix paired with their items; a hint points there', async () => {
		emulator = await startEmulator();
		const items = [
			{ email: 'ok@example.com', firstName: 'Ok' },
			{ email: '', firstName: 'NoEmail' },
			{ email: 'warn@example.com', customEmail: 'bad-email' },
			{ email: 'ok2@example.com', firstName: 'Ok2' },
		];
		const result = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: importWithBothOutputs({
				resource: 'lead',
				operation: 'import',
				format: 'csv',
				lookupField: 'email',
				options: { ...waitOptions, outputRows: true },
			}),
		});
		const { rows, totals } = expectBatchesAndRowsApart(result, 4);
		expect(totals).toMatchObject({ imported: 2, failed: 1, importedWithWarning: 1 });
		expect(rows.map((row) => [row.json.outcome, row.pairedItem])).toEqual([
			['failed', { item: 1 }],
			['warning', { item: 2 }],
		]);
		expect(rows[0].json).toMatchObject({ firstName: 'NoEmail', importFailureReason: expect.any(String) });
		expect(rows[1].json).toMatchObject({ email: 'warn@example.com', importWarningReason: 'Invalid email address' });
		expect(result.hints('Import')).toEqual([
			"1 row failed and 1 row was imported with a warning: see the second output (Rows to Fix) for each row with Marketo's reason",
		]);
	});

	it('leads: without Output Failed and Warned Rows, Rows to Fix stays empty and the hint says how to fill it', async () => {
		emulator = await startEmulator();
		const result = await runWorkflow({
			items: [{ email: 'ok@example.com' }, { email: '', firstName: 'NoEmail' }, { email: '', firstName: 'NoEmail2' }],
			credentials: credentialsFor(emulator),
			steps: importWithBothOutputs({ resource: 'lead', operation: 'import', format: 'csv', lookupField: 'email', options: waitOptions }),
		});
		const { rows, totals } = expectBatchesAndRowsApart(result, 3);
		expect(totals).toMatchObject({ imported: 1, failed: 2 });
		expect(rows).toEqual([]);
		expect(result.hints('Import')).toEqual([
			"2 rows failed: turn on Options → Output Failed and Warned Rows to get each row with Marketo's reason on the second output (Rows to Fix)",
		]);
	});

	it('a clean import shows no hint and leaves Rows to Fix empty', async () => {
		emulator = await startEmulator();
		const result = await runWorkflow({
			items: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
			credentials: credentialsFor(emulator),
			steps: importWithBothOutputs({
				resource: 'lead',
				operation: 'import',
				format: 'csv',
				lookupField: 'email',
				options: { ...waitOptions, outputRows: true },
			}),
		});
		expectBatchesAndRowsApart(result, 2);
		expect(result.output('Import', 1)).toEqual([]);
		expect(result.hints('Import')).toEqual([]);
	});

	it('Continue On Fail: refused items go to Rows to Fix, the batch of the others to Batches', async () => {
		emulator = await startEmulator();
		const items = [{ email: 'a@example.com' }, { email: 'b@example.com', address: { city: 'Paris' } }, { email: 'c@example.com' }];
		const result = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: importWithBothOutputs(
				{ resource: 'lead', operation: 'import', format: 'csv', lookupField: 'email', options: FAST_NODE_OPTIONS },
				{ continueOnFail: true },
			),
		});
		const { batches, rows, totals } = expectBatchesAndRowsApart(result, 3);
		expect(pairs(batches)).toEqual([[{ item: 0 }, { item: 2 }]]);
		expect(totals).toMatchObject({ notSubmitted: 1, pending: 2 });
		expect(rows).toEqual([
			{
				json: expect.objectContaining({ error: expect.stringMatching(/^Item 1: field "address" holds an object/), outcome: 'notSubmitted', itemIndex: 1 }),
				pairedItem: { item: 1 },
			},
		]);
		expect(result.hints('Import')).toEqual(['1 row or item was not sent to Marketo: see the second output (Rows to Fix) for why']);
	});

	it('Continue On Fail: an error that stops the whole import is one item on Batches', async () => {
		emulator = await startEmulator();
		emulator.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '1006', count: 5, message: 'Field not found' });
		const result = await runWorkflow({
			items: [{ email: 'a@example.com' }, { email: 'b@example.com' }],
			credentials: credentialsFor(emulator),
			steps: importWithBothOutputs(
				{ resource: 'lead', operation: 'import', format: 'csv', lookupField: 'email', options: { ...FAST_NODE_OPTIONS, unknownColumns: 'send' } },
				{ continueOnFail: true },
			),
		});
		expect(result.error).toBeUndefined();
		const [stopped, ...others] = result.output('Import', 0);
		expect(others).toEqual([]);
		expect(stopped.json.error).toMatch(/Marketo error 1006/);
		expect(pairs([stopped])).toEqual([[{ item: 0 }, { item: 1 }]]);
		expect(result.output('Import', 1)).toEqual([]);
		expect(result.output('Rows to Fix')).toEqual([]);
	});

	it('file input: rows skipped for a wrong number of cells go to Rows to Fix, by line', async () => {
		emulator = await startEmulator();
		const text = 'email,firstName\r\na@example.com,Ann\r\nb@example.com,Bo,extra\r\nc@example.com,Cy';
		const result = await runWorkflow({
			items: [{}],
			files: [{ data: { text, fileName: 'leads.csv' } }],
			credentials: credentialsFor(emulator),
			steps: importWithBothOutputs({
				resource: 'lead',
				operation: 'import',
				inputSource: 'binaryFile',
				binaryPropertyName: 'data',
				wrongCellCount: 'skip',
				format: 'csv',
				lookupField: 'email',
				options: waitOptions,
			}),
		});
		const { rows, totals } = expectBatchesAndRowsApart(result, 3);
		expect(totals).toMatchObject({ imported: 2, notSubmitted: 1 });
		expect(rows.map((row) => [row.json.outcome, row.json.line, row.pairedItem])).toEqual([['notSubmitted', 3, { item: 0 }]]);
	});
});

describe('Custom object and program member imports: the same two outputs', () => {
	beforeEach(async () => {
		const sandbox = sandboxOptions();
		delete sandbox.clients; // keep the test client of the fixtures
		emulator = await startEmulator(sandbox);
	});

	it('custom object: the record without its dedupe field is on Rows to Fix', async () => {
		const items = [
			{ vin: '1HGCM82633A000001', make: 'Honda', model: 'Accord', year: 2020 },
			{ vin: '', make: 'Ford', model: 'Focus', year: 2019 },
		];
		const result = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: importWithBothOutputs({
				resource: 'customObject',
				operation: 'import',
				customObjectName: 'car_c',
				format: 'csv',
				options: { ...waitOptions, outputRows: true },
			}),
		});
		const { rows, totals } = expectBatchesAndRowsApart(result, 2);
		expect(totals).toMatchObject({ imported: 1, failed: 1 });
		expect(rows).toEqual([
			{ json: expect.objectContaining({ make: 'Ford', outcome: 'failed', importFailureReason: 'missing.dedupe.fields' }), pairedItem: { item: 1 } },
		]);
		expect(result.hints('Import')[0]).toMatch(/^1 row failed: see the second output \(Rows to Fix\)/);
	});

	it('program member: the member with a bad email is on Rows to Fix as a warning', async () => {
		const items = [
			{ email: 'ada@example.com', firstName: 'Ada' },
			{ email: 'not-an-email', firstName: 'Nope' },
		];
		const result = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: importWithBothOutputs({
				resource: 'programMember',
				operation: 'import',
				programId: '2001',
				programMemberStatus: 'Registered',
				format: 'csv',
				options: { ...waitOptions, outputRows: true },
			}),
		});
		const { rows } = expectBatchesAndRowsApart(result, 2);
		expect(rows).toEqual([{ json: expect.objectContaining({ email: 'not-an-email', outcome: 'warning' }), pairedItem: { item: 1 } }]);
		expect(result.hints('Import')[0]).toMatch(/^1 row was imported with a warning: see the second output \(Rows to Fix\)/);
	});
});

describe('as an AI agent tool', () => {
	/** The agent fills the fields through $fromAI, as n8n's editor offers for a tool's parameters. */
	const fromAI = (key: string, description: string) => `={{ $fromAI('${key}', '${description}', 'string') }}`;

	it('lead import: the batch and the rows to fix all come on the one output the agent reads', async () => {
		emulator = await startEmulator();
		const result = await runWorkflow({
			items: [{ chat: 'add warn@example.com' }],
			credentials: credentialsFor(emulator),
			steps: [
				{
					name: 'Import',
					asTool: { args: { email: 'warn@example.com', customEmail: 'bad-email' } },
					parameters: {
						resource: 'lead',
						operation: 'import',
						format: 'csv',
						lookupField: 'email',
						columns: {
							mappingMode: 'defineBelow',
							value: { email: fromAI('email', 'The email address of the lead'), customEmail: fromAI('customEmail', 'A second email') },
							schema: [],
							matchingColumns: [],
						},
						options: { ...waitOptions, outputRows: true },
					},
				},
			],
		});
		expect(result.error).toBeUndefined();
		const [answer] = result.output('Import Caller');
		const response = answer.json.response as unknown as IDataObject[];
		expect(response).toHaveLength(2);
		expect(response[0]).toMatchObject({ batchId: expect.any(Number), totals: { items: 1, importedWithWarning: 1 } });
		expect(response[1]).toMatchObject({ email: 'warn@example.com', outcome: 'warning', importWarningReason: 'Invalid email address' });
		expect(emulator.leads().find((lead) => lead.email === 'warn@example.com')).toBeDefined();
	});

	it('program member import with a refused item under Continue On Fail: the refusal is on the one output too', async () => {
		const sandbox = sandboxOptions();
		delete sandbox.clients;
		emulator = await startEmulator(sandbox);
		const result = await runWorkflow({
			items: [{ chat: 'register ada' }],
			credentials: credentialsFor(emulator),
			steps: [
				{
					name: 'Import',
					continueOnFail: true,
					asTool: { args: { email: '' } },
					parameters: {
						resource: 'programMember',
						operation: 'import',
						programId: '2001',
						programMemberStatus: 'Registered',
						format: 'csv',
						columns: { mappingMode: 'defineBelow', value: { email: fromAI('email', 'The email address of the member') }, schema: [], matchingColumns: [] },
						options: FAST_NODE_OPTIONS,
					},
				},
			],
		});
		expect(result.error).toBeUndefined();
		const response = result.output('Import Caller')[0].json.response as unknown as IDataObject[];
		expect(response).toEqual([expect.objectContaining({ error: expect.stringMatching(/Item 0/), outcome: 'notSubmitted' })]);
		expect(emulator.jobs()).toHaveLength(0);
	});
});
