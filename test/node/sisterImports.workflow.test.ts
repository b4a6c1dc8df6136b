/**
 * The custom object and program member imports, run inside n8n-core's execution engine
 * against the emulator's sandbox (custom object car_c, programs 2001 and 2002).
 */
import type { IDataObject } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { sandboxOptions } from '../emulator';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { loadOptionsContext, runWorkflow } from '../harness/workflowRunner';
import { getCustomObjects, getPrograms, getProgramStatuses } from '../../nodes/MarketoBulkImport/methods/loadOptions';

let emulator: MarketoEmulator;

beforeEach(async () => {
	const sandbox = sandboxOptions();
	delete sandbox.clients; // keep the test client of the fixtures
	emulator = await startEmulator(sandbox);
});

afterEach(async () => {
	await emulator.close();
});

const waitOptions = { ...FAST_NODE_OPTIONS, waitForCompletion: true, outputRows: true, timeoutMinutes: 1 };

const statusStep = (resource: string, extra: IDataObject = {}) => ({
	name: 'Status',
	executeOnce: true,
	parameters: {
		resource,
		operation: 'getStatus',
		...extra,
		batchId: "={{ $('Import').first().json.batchId }}",
		options: { ...FAST_NODE_OPTIONS, waitUntilFinished: true, timeoutMinutes: 1 },
	},
});

const reportStep = (resource: string, operation: 'getFailures' | 'getWarnings', extra: IDataObject = {}) => ({
	name: operation,
	executeOnce: true,
	parameters: {
		resource,
		operation,
		...extra,
		batchId: "={{ $('Import').first().json.batchId }}",
		output: 'items',
		options: FAST_NODE_OPTIONS,
	},
});

/** n8n's editor passes the parameters being edited as `currentNodeParameters`. */
function editorContext(credentials: ReturnType<typeof credentialsFor>, parameters: IDataObject) {
	const context = loadOptionsContext(credentials, parameters);
	(context as unknown as { additionalData: IDataObject }).additionalData.currentNodeParameters = parameters;
	return context;
}

describe('Custom Object', () => {
	const cars: IDataObject[] = [
		{ vin: '1HGCM82633A000001', make: 'Honda', model: 'Accord', year: 2020, customerEmail: 'ada@example.com' },
		{ vin: '1HGCM82633A000002', make: 'Toyota', model: 'Corolla', year: '2021', price: 19999.5 },
		{ vin: '', make: 'Ford', model: 'Focus', year: 2019 },
		{ vin: '1HGCM82633A000004', make: 'Tesla', model: 'Model 3', year: 2024 },
	];

	it('imports car_c records, traces the row missing its dedupe field, and reads status and failures', async () => {
		const extra = { customObjectName: 'car_c' };
		const { error, output } = await runWorkflow({
			items: cars,
			credentials: credentialsFor(emulator),
			steps: [
				{
					name: 'Import',
					parameters: { resource: 'customObject', operation: 'import', ...extra, format: 'csv', options: waitOptions },
				},
				statusStep('customObject', extra),
				reportStep('customObject', 'getFailures', extra),
			],
		});
		expect(error).toBeUndefined();

		const items = output('Import');
		const [batch] = items;
		expect(batch.json).toMatchObject({
			status: 'Complete',
			customObjectName: 'car_c',
			numOfObjectsProcessed: 3,
			numOfRowsFailed: 1,
			totals: { items: 4 },
		});
		expect(batch.json.columns).toEqual(['vin', 'make', 'model', 'year', 'customerEmail', 'price']);
		const failed = output('Import', 1).filter((item) => item.json.outcome === 'failed');
		expect(failed).toHaveLength(1);
		expect(failed[0].json).toMatchObject({ make: 'Ford', importFailureReason: 'missing.dedupe.fields' });
		expect(failed[0].pairedItem).toEqual({ item: 2 });

		const records = emulator.customObjectRecords('car_c');
		expect(records.map((r) => r.fields.vin).sort()).toEqual([
			'1HGCM82633A000001',
			'1HGCM82633A000002',
			'1HGCM82633A000004',
		]);
		expect(records.find((r) => r.fields.vin === '1HGCM82633A000002')?.fields).toMatchObject({ make: 'Toyota', year: 2021 });

		const job = emulator.jobs()[0] as unknown as IDataObject;
		expect(job).toMatchObject({ objectApiName: 'car_c', format: 'csv' });
		expect(output('Status')[0].json).toMatchObject({ status: 'Complete', batchId: batch.json.batchId });
		const failures = output('getFailures');
		expect(failures).toHaveLength(1);
		expect(failures[0].json).toMatchObject({ make: 'Ford', importFailureReason: 'missing.dedupe.fields' });
	});

	it('stops on a column that is not a car_c field, naming it', async () => {
		const { error } = await runWorkflow({
			items: [{ vin: 'X1', colour: 'red' }],
			credentials: credentialsFor(emulator),
			steps: [
				{
					name: 'Import',
					parameters: { resource: 'customObject', operation: 'import', customObjectName: 'car_c', format: 'csv', options: FAST_NODE_OPTIONS },
				},
			],
		});
		expect(error?.message).toContain('not a writable Marketo custom object field: "colour"');
		expect(emulator.jobs()).toHaveLength(0);
	});

	it('lists custom objects by API name', async () => {
		const options = await getCustomObjects.call(loadOptionsContext(credentialsFor(emulator)));
		expect(options).toEqual([expect.objectContaining({ name: 'Car (car_c)', value: 'car_c' })]);
	});
});

describe('Program Member', () => {
	const members: IDataObject[] = [
		{ email: 'ada@example.com', firstName: 'Ada', pmNotes: 'front row' },
		{ email: 'newcomer@example.com', firstName: 'New', pmScore: 5 },
		{ email: 'not-an-email', firstName: 'Bad' },
	];
	const importStep = (options: IDataObject = waitOptions) => ({
		name: 'Import',
		parameters: {
			resource: 'programMember',
			operation: 'import',
			programId: '2001',
			programMemberStatus: 'Registered',
			format: 'csv',
			options,
		},
	});

	it('imports members into program 2001 with the chosen status, and reads status, failures and warnings', async () => {
		const { error, output } = await runWorkflow({
			items: members,
			credentials: credentialsFor(emulator),
			steps: [
				importStep(),
				statusStep('programMember'),
				// Get Failures follows Get Warnings: it runs once, on the warned row.
				reportStep('programMember', 'getWarnings'),
				reportStep('programMember', 'getFailures'),
			],
		});
		expect(error).toBeUndefined();

		const items = output('Import');
		expect(items[0].json).toMatchObject({
			status: 'Complete',
			programId: '2001',
			programMemberStatus: 'Registered',
			numOfRowsWithWarning: 1,
		});
		const [job] = emulator.jobs() as unknown as IDataObject[];
		expect(job).toMatchObject({ programId: 2001, programMemberStatus: 'Registered' });

		const programMembers = emulator.programMembers(2001);
		expect(programMembers.length).toBeGreaterThanOrEqual(2);
		expect(programMembers.every((m) => m.progressionStatus === 'Registered')).toBe(true);
		const ada = emulator.leads().find((lead) => lead.email === 'ada@example.com') as IDataObject;
		expect(programMembers.find((m) => m.leadId === ada.id)?.fields).toMatchObject({ pmNotes: 'front row' });
		expect(emulator.programMembers(2002)).toHaveLength(0);

		const warned = output('Import', 1).filter((item) => item.json.outcome === 'warning');
		expect(warned).toHaveLength(1);
		expect(warned[0].json).toMatchObject({ email: 'not-an-email' });
		expect(warned[0].pairedItem).toEqual({ item: 2 });

		expect(output('Status')[0].json).toMatchObject({ status: 'Complete', batchId: items[0].json.batchId });
		expect(output('getFailures')).toHaveLength(0);
		const warnings = output('getWarnings');
		expect(warnings).toHaveLength(1);
		expect(warnings[0].json).toMatchObject({ email: 'not-an-email' });
	});

	it('stops before uploading when the rows have no email column', async () => {
		const { error } = await runWorkflow({
			items: [{ firstName: 'Nobody' }],
			credentials: credentialsFor(emulator),
			steps: [importStep(FAST_NODE_OPTIONS)],
		});
		expect(error?.message).toBe('The rows have no "email" column');
		expect(emulator.jobs()).toHaveLength(0);
	});

	it('lists programs, and the statuses of the chosen program\'s channel', async () => {
		const credentials = credentialsFor(emulator);
		const programs = await getPrograms.call(loadOptionsContext(credentials));
		expect(programs.map((p) => [p.name, p.value])).toEqual([
			['Monthly Newsletter', '2002'],
			['Spring Webinar 2026', '2001'],
		]);
		const webinar = await getProgramStatuses.call(editorContext(credentials, { programId: '2001' }));
		expect(webinar.map((s) => s.value)).toEqual([
			'Not in Program',
			'Invited',
			'Registered',
			'No Show',
			'Attended',
			'Attended On-demand',
		]);
		const newsletter = await getProgramStatuses.call(editorContext(credentials, { programId: '2002' }));
		expect(newsletter.map((s) => s.value)).toEqual(['Not in Program', 'Member', 'Engaged']);
		expect(await getProgramStatuses.call(editorContext(credentials, {}))).toEqual([]);
	});
});
