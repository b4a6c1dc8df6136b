/**
 * "Fields to Send" for the custom object and program member imports: the mappers' field lists
 * (from the describe endpoints) and both modes, Map Automatically and Map Each Field Below, run
 * inside n8n-core's engine against the emulator's sandbox: type conversion, the dedupe field
 * check and the unknown-column check, each naming the items concerned.
 */
import type { IDataObject, ResourceMapperField } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { sandboxOptions } from '../emulator';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { loadOptionsContext, runWorkflow } from '../harness/workflowRunner';
import { getCustomObjectFields, getProgramMemberFields } from '../../nodes/MarketoBulkImport/methods/resourceMapping';

let emulator: MarketoEmulator;

beforeEach(async () => {
	const sandbox = sandboxOptions();
	delete sandbox.clients; // keep the test client of the fixtures
	emulator = await startEmulator(sandbox);
});

afterEach(async () => {
	await emulator.close();
});

const waitOptions = { ...FAST_NODE_OPTIONS, waitForCompletion: true, timeoutMinutes: 1 };

/** n8n's editor passes the parameters being edited as `currentNodeParameters`. */
function editorContext(parameters: IDataObject) {
	const context = loadOptionsContext(credentialsFor(emulator), parameters);
	(context as unknown as { additionalData: IDataObject }).additionalData.currentNodeParameters = parameters;
	return context;
}

/** "Fields to Send" as n8n's editor saves Map Each Field Below: the values and the field list shown. */
function mapped(value: IDataObject, schema: ResourceMapperField[] = []) {
	return { mappingMode: 'defineBelow', value, schema, matchingColumns: [], attemptToConvertTypes: false, convertFieldsToString: false };
}

const uploaded = (index = 0) => emulator.jobs()[index].file.toString('utf8');

describe('Custom Object: Fields to Send', () => {
	const importStep = (parameters: IDataObject = {}, options: IDataObject = FAST_NODE_OPTIONS) => ({
		name: 'Import',
		parameters: { resource: 'customObject', operation: 'import', customObjectName: 'car_c', format: 'csv', ...parameters, options },
	});

	it('lists the chosen object\'s writable fields as text, its dedupe field first, marked and required', async () => {
		const { fields } = await getCustomObjectFields.call(editorContext({ customObjectName: 'car_c' }));
		expect(fields.map((field) => field.id)).toEqual(['vin', 'make', 'model', 'color', 'year', 'price', 'customerEmail']);
		expect(fields[0]).toEqual({
			id: 'vin',
			displayName: 'VIN (vin), dedupe field',
			required: true,
			defaultMatch: true,
			canBeUsedToMatch: false,
			display: true,
			type: 'string',
		});
		const year = fields.find((field) => field.id === 'year');
		expect(year).toMatchObject({ displayName: 'Year (year)', required: false, type: 'string' });
		// Read-only fields (createdAt, updatedAt, marketoGUID) are left out.
		expect(fields.every((field) => !/createdAt|updatedAt|marketoGUID/.test(field.id))).toBe(true);
	});

	it('lists nothing until an object is chosen, and names an object Marketo does not know', async () => {
		const none = await getCustomObjectFields.call(editorContext({}));
		expect(none.fields).toEqual([]);
		expect(none.emptyFieldsNotice).toMatch(/^Choose a custom object/);
		expect((await getCustomObjectFields.call(editorContext({ customObjectName: "={{ 'car_c' }}" }))).fields).toEqual([]);
		await expect(getCustomObjectFields.call(editorContext({ customObjectName: 'boat_c' }))).rejects.toThrow(/1013/);
	});

	it('Map Automatically matches display names ignoring case and converts by type', async () => {
		const items = [
			{ VIN: 'WBA00000000000001', MAKE: 'BMW', Year: '2002', price: '+19999.50' },
			{ VIN: 'WBA00000000000002', MAKE: 'Audi', Year: 2010, price: 1e-7 },
		];
		const { error } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({}, waitOptions)] });
		expect(error).toBeUndefined();
		expect(uploaded()).toBe('vin,make,year,price\r\nWBA00000000000001,BMW,2002,19999.50\r\nWBA00000000000002,Audi,2010,0.0000001');
		const records = emulator.customObjectRecords('car_c');
		expect(records.find((record) => record.fields.vin === 'WBA00000000000002')?.fields).toMatchObject({ make: 'Audi', year: 2010 });
	});

	it('Map Each Field Below sends exactly the mapped fields, converted by type, with the field list the editor saved', async () => {
		const { fields } = await getCustomObjectFields.call(editorContext({ customObjectName: 'car_c' }));
		const items = [
			{ id: 'VF100000000000001', brand: 'Renault', built: '2019', cost: 8500, note: 'not sent' },
			{ id: 'VF100000000000002', brand: 'Peugeot', built: 2021, cost: '12000.5', note: 'not sent' },
		];
		const columns = mapped(
			{ vin: '={{ $json.id }}', make: '={{ $json.brand.toUpperCase() }}', year: '={{ $json.built }}', price: '={{ $json.cost }}' },
			fields,
		);
		const { error, output } = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: [importStep({ columns }, waitOptions)],
		});
		expect(error).toBeUndefined();
		expect(uploaded()).toBe('vin,make,year,price\r\nVF100000000000001,RENAULT,2019,8500\r\nVF100000000000002,PEUGEOT,2021,12000.5');
		expect(output('Import')[0].json).toMatchObject({ status: 'Complete', columns: ['vin', 'make', 'year', 'price'], totals: { items: 2, imported: 2 } });
		const records = emulator.customObjectRecords('car_c');
		expect(records.find((record) => record.fields.vin === 'VF100000000000002')?.fields).toMatchObject({ make: 'PEUGEOT', year: 2021, price: 12000.5 });
	});

	it('Map Each Field Below: a value that does not fit its field names item, field and value', async () => {
		const items = [{ year: '2020' }, { year: 'soon' }];
		const columns = mapped({ vin: '={{ "V" + $itemIndex }}', year: '={{ $json.year }}' });
		const { error } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({ columns })] });
		expect(error?.message).toBe(
			'Item 1: field "year" has the value "soon", which is not a whole number as Marketo\'s integer field year needs',
		);
		expect(emulator.jobs()).toHaveLength(0);
	});

	it('stops before uploading when the dedupe field is not mapped, or not a field of the items', async () => {
		const columns = mapped({ make: '={{ $json.make }}' });
		const notMapped = await runWorkflow({ items: [{ make: 'Kia' }], credentials: credentialsFor(emulator), steps: [importStep({ columns })] });
		expect(notMapped.error?.message).toBe('The rows have no "vin" column, which Marketo needs to find car_c records');
		expect(notMapped.error?.description).toMatch(/dedupe field \(vin\).*"Fields to Send"/);

		const automatic = await runWorkflow({ items: [{ make: 'Kia', year: 2020 }], credentials: credentialsFor(emulator), steps: [importStep()] });
		expect(automatic.error?.message).toBe('The rows have no "vin" column, which Marketo needs to find car_c records');
		expect(emulator.jobs()).toHaveLength(0);
	});

	it('Map Each Field Below: an item whose dedupe field is empty fails alone, as Marketo fails it, traced to the item', async () => {
		const { fields } = await getCustomObjectFields.call(editorContext({ customObjectName: 'car_c' }));
		const columns = mapped({ vin: '={{ $json.vin }}', make: '={{ $json.make }}' }, fields);
		const { error, run } = await runWorkflow({
			items: [{ vin: 'V1', make: 'Kia' }, { make: 'Fiat' }, { vin: 'V3', make: 'Opel' }],
			credentials: credentialsFor(emulator),
			steps: [importStep({ columns }, { ...waitOptions, outputRows: true })],
		});
		expect(error).toBeUndefined();
		// Batch and rows, whichever outputs they are on.
		const items = (run.data.resultData.runData.Import[0].data?.main ?? []).flatMap((output) => output ?? []);
		const [batch, ...rows] = items;
		expect(batch.json).toMatchObject({ status: 'Complete', totals: { items: 3, imported: 2, failed: 1 } });
		expect(rows).toHaveLength(1);
		expect(rows[0].json).toMatchObject({ outcome: 'failed', make: 'Fiat', importFailureReason: 'missing.dedupe.fields' });
		expect(rows[0].pairedItem).toEqual({ item: 1 });
		expect(emulator.customObjectRecords('car_c').map((record) => record.fields.vin).sort()).toEqual(['V1', 'V3']);
	});

	it('Map Each Field Below: a field the object does not have (or cannot write) stops the run, naming it and the items', async () => {
		const items = [{ vin: 'V1' }, { vin: 'V2' }];
		// A mapping saved for another object, or before a field was removed in Marketo.
		const columns = mapped({ vin: '={{ $json.vin }}', colour: 'red', marketoGUID: 'abc' });
		const { error } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({ columns })] });
		expect(error?.message).toBe(
			'These columns are not writable Marketo custom object fields: "colour" (did you mean color?); "marketoGUID" ("colour" is found in items 0–1)',
		);
		expect(error?.description).toMatch(/"Fields to Send" maps a field Marketo does not have .* Remove it from the mapping/);
		expect(emulator.jobs()).toHaveLength(0);

		const dropped = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: [importStep({ columns }, { ...FAST_NODE_OPTIONS, unknownColumns: 'drop' })],
		});
		expect(dropped.error).toBeUndefined();
		expect(uploaded()).toBe('vin\r\nV1\r\nV2');
	});
});

describe('Program Member: Fields to Send', () => {
	const importStep = (parameters: IDataObject = {}, options: IDataObject = FAST_NODE_OPTIONS) => ({
		name: 'Import',
		parameters: {
			resource: 'programMember',
			operation: 'import',
			programId: '2001',
			programMemberStatus: 'Registered',
			format: 'csv',
			...parameters,
			options,
		},
	});

	it('lists email first and required, then the writable program member fields, then the writable lead fields', async () => {
		const { fields } = await getProgramMemberFields.call(editorContext({ programId: '2001' }));
		const ids = fields.map((field) => field.id);
		expect(fields[0]).toMatchObject({ id: 'email', displayName: 'Email Address (email), dedupe field', required: true, type: 'string' });
		expect(ids.slice(1, 5)).toEqual(['registrationCode', 'webinarUrl', 'pmNotes', 'pmScore']);
		expect(fields.find((field) => field.id === 'pmNotes')?.displayName).toBe('Program Member: PM Notes (pmNotes)');
		expect(fields.find((field) => field.id === 'registrationCode')?.displayName).toBe('Program Member: registrationCode');
		expect(fields.find((field) => field.id === 'firstName')).toMatchObject({ displayName: 'First Name (firstName)', required: false });
		expect(ids).toEqual(expect.arrayContaining(['leadScore', 'customBool', 'customDate']));
		expect(ids.filter((id) => id === 'email')).toHaveLength(1);
		expect(fields.every((field) => field.type === 'string')).toBe(true);
		// Read-only membership fields (leadId, programId, membershipDate, progressionStatus…) and
		// read-only lead fields are left out.
		for (const readOnly of ['leadId', 'programId', 'membershipDate', 'progressionStatus', 'reachedSuccess', 'createdAt', 'updatedAt']) {
			expect(ids).not.toContain(readOnly);
		}
	});

	it('Map Automatically matches lead and member fields by display name and converts by type', async () => {
		const items = [
			{ 'Email Address': 'ada@example.com', 'PM Score': '+7', 'pm notes': 'front row', 'Custom Bool': 'yes', 'Custom Date': '2024-05-01T23:30:00-05:00' },
		];
		const { error } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({}, waitOptions)] });
		expect(error).toBeUndefined();
		expect(uploaded()).toBe('email,pmScore,pmNotes,customBool,customDate\r\nada@example.com,7,front row,true,2024-05-01');
		const ada = emulator.leads().find((lead) => lead.email === 'ada@example.com') as IDataObject;
		expect(ada.customBool).toBe(true);
		expect(emulator.programMembers(2001).find((member) => member.leadId === ada.id)?.fields).toMatchObject({ pmScore: 7, pmNotes: 'front row' });
	});

	it('Map Each Field Below sends exactly the mapped fields, converted by type, with the field list the editor saved', async () => {
		const { fields } = await getProgramMemberFields.call(editorContext({ programId: '2001' }));
		const items = [
			{ mail: 'new.member@example.com', given: 'Nia', score: '12', code: 'REG-1', vip: 'no', ignored: 'x' },
			{ mail: 'grace@example.com', given: 'Grace', score: 3, code: 'REG-2', vip: true, ignored: 'x' },
		];
		const columns = mapped(
			{
				email: '={{ $json.mail }}',
				firstName: '={{ $json.given }}',
				pmScore: '={{ $json.score }}',
				registrationCode: '={{ $json.code }}',
				customBool: '={{ $json.vip }}',
			},
			fields,
		);
		const { error, output } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({ columns }, waitOptions)] });
		expect(error).toBeUndefined();
		expect(uploaded()).toBe(
			'email,firstName,pmScore,registrationCode,customBool\r\nnew.member@example.com,Nia,12,REG-1,false\r\ngrace@example.com,Grace,3,REG-2,true',
		);
		expect(output('Import')[0].json).toMatchObject({ status: 'Complete', totals: { items: 2, imported: 2 } });
		const newcomer = emulator.leads().find((lead) => lead.email === 'new.member@example.com') as IDataObject;
		expect(newcomer).toMatchObject({ firstName: 'Nia', customBool: false });
		const membership = emulator.programMembers(2001).find((member) => member.leadId === newcomer.id);
		expect(membership).toMatchObject({ progressionStatus: 'Registered', fields: { pmScore: 12, registrationCode: 'REG-1' } });
	});

	it('Map Each Field Below: a value that does not fit its field names item, field and value', async () => {
		const items = [{ score: 1 }, { score: 2 }, { score: 'high' }];
		const columns = mapped({ email: '={{ "m" + $itemIndex + "@example.com" }}', pmScore: '={{ $json.score }}' });
		const { error } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({ columns })] });
		expect(error?.message).toBe(
			'Item 2: field "pmScore" has the value "high", which is not a whole number as Marketo\'s integer field pmScore needs',
		);
		expect(emulator.jobs()).toHaveLength(0);
	});

	it('stops before uploading when email is not mapped', async () => {
		const columns = mapped({ firstName: '={{ $json.name }}', pmNotes: 'walk-in' });
		const { error } = await runWorkflow({ items: [{ name: 'Nobody' }], credentials: credentialsFor(emulator), steps: [importStep({ columns })] });
		expect(error?.message).toBe('The rows have no "email" column');
		expect(error?.description).toMatch(/"Fields to Send"/);
		expect(emulator.jobs()).toHaveLength(0);
	});

	it('Map Each Field Below: a field that is neither a writable lead field nor a writable member field stops the run, naming it and the items', async () => {
		const columns = mapped({ email: '={{ $json.email }}', progressionStatus: 'Attended' });
		const { error } = await runWorkflow({
			items: [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }],
			credentials: credentialsFor(emulator),
			steps: [importStep({ columns })],
		});
		expect(error?.message).toBe(
			'This column is not a writable Marketo lead or program member field: "progressionStatus", found in items 0–2',
		);
		expect(emulator.jobs()).toHaveLength(0);
	});
});
