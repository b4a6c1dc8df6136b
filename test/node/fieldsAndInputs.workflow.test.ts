 
/**
 * The node's UI filled from Marketo (lookup fields, partitions, static lists, fields to
 * send), type conversion, unknown-column checks and binary file input.
 */
import type { IDataObject } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { sandboxOptions } from '../emulator';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { loadOptionsContext, runWorkflow } from '../harness/workflowRunner';
import { getLookupFields, getPartitions } from '../../nodes/MarketoBulkImport/methods/loadOptions';
import { searchStaticLists } from '../../nodes/MarketoBulkImport/methods/listSearch';
import { getLeadFields } from '../../nodes/MarketoBulkImport/methods/resourceMapping';

let emulator: MarketoEmulator;

afterEach(async () => {
	await emulator.close();
});

function importStep(parameters: IDataObject = {}, options: IDataObject = {}) {
	return {
		name: 'Import',
		parameters: {
			resource: 'lead',
			operation: 'import',
			format: 'csv',
			lookupField: 'email',
			...parameters,
			options: { ...FAST_NODE_OPTIONS, ...options },
		},
	};
}

const uploaded = (index = 0) => emulator.jobs()[index].file.toString('utf8');

describe('dropdowns filled from Marketo', () => {
	it('lookup fields: email first, id explained as update-only, no plain standard fields', async () => {
		emulator = await startEmulator();
		const options = await getLookupFields.call(loadOptionsContext(credentialsFor(emulator)));
		const values = options.map((o) => o.value);
		expect(values[0]).toBe('email');
		expect(values).toEqual(expect.arrayContaining(['id', 'cookies', 'customText', 'customInt', 'customEmail']));
		expect(values).not.toContain('firstName');
		expect(values).not.toContain('createdAt');
		expect(options.find((o) => o.value === 'id')?.description).toMatch(/Update only/);
	});

	it('partitions, and a Marketo refusal shown with its message', async () => {
		const sandbox = sandboxOptions({ twoPartitions: true });
		delete sandbox.clients; // keep the test client of the fixtures
		emulator = await startEmulator(sandbox);
		const context = loadOptionsContext(credentialsFor(emulator));
		const partitions = await getPartitions.call(context);
		expect(partitions.map((p) => p.value)).toEqual(expect.arrayContaining(['Default']));
		expect(partitions.length).toBeGreaterThanOrEqual(2);

		emulator.injectFault({ path: '/rest/v1/leads/partitions.json', response: '603', count: 1, message: 'Access denied' });
		await expect(getPartitions.call(context)).rejects.toThrow('Marketo error 603: Access denied');
	});

	it('one partition: the list shows it alone and says there is nothing to choose', async () => {
		emulator = await startEmulator();
		const partitions = await getPartitions.call(loadOptionsContext(credentialsFor(emulator)));
		expect(partitions).toEqual([
			{ name: 'Default (the only partition)', value: 'Default', description: expect.stringMatching(/one lead partition.*changes nothing/) },
		]);
	});

	it('several partitions: an import without one names the Partition option; with one it goes there', async () => {
		const sandbox = sandboxOptions({ twoPartitions: true });
		delete sandbox.clients; // keep the test client of the fixtures
		emulator = await startEmulator(sandbox);
		const items = [{ email: 'eu@example.com' }];
		const refused = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep()] });
		expect(refused.error?.message).toMatch(
			/^Marketo requires a lead partition on this instance: choose one in Options → Partition \(Marketo error 1009: Partition name must be specified\)/,
		);
		expect(refused.error?.description).toMatch(/Options, add "Partition"/);
		expect(emulator.leads().find((lead) => lead.email === 'eu@example.com')).toBeUndefined();

		const placed = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: [importStep({}, { partitionName: 'Europe', waitForCompletion: true, timeoutMinutes: 1 })],
		});
		expect(placed.error).toBeUndefined();
		expect(emulator.leads().find((lead) => lead.email === 'eu@example.com')).toMatchObject({ partitionName: 'Europe' });
	});

	it('static lists: searchable, paged 200 at a time, empty result', async () => {
		const staticLists = Array.from({ length: 450 }, (_, i) => ({
			id: 5000 + i,
			name: i === 321 ? 'Webinar attendees' : `List ${i}`,
			workspaceName: 'Default',
			createdAt: '2024-01-01T00:00:00Z+0000',
			updatedAt: '2024-01-01T00:00:00Z+0000',
			folder: { id: 1, type: 'Folder' },
		}));
		emulator = await startEmulator({ staticLists } as IDataObject);
		const context = loadOptionsContext(credentialsFor(emulator));
		const first = await searchStaticLists.call(context);
		expect(first.results).toHaveLength(200);
		expect(first.paginationToken).toBe('200');
		const second = await searchStaticLists.call(context, undefined, first.paginationToken as string);
		const third = await searchStaticLists.call(context, undefined, second.paginationToken as string);
		expect(third.results).toHaveLength(50);
		expect(third.paginationToken).toBeUndefined();
		const found = await searchStaticLists.call(context, 'webinar', '200');
		expect(found.results).toEqual([expect.objectContaining({ name: 'Webinar attendees', value: '5321' })]);

		emulator.configure({ staticLists: [] } as IDataObject);
		expect((await searchStaticLists.call(context)).results).toEqual([]);
	});

	it('fields to send: writable fields as text (empty stays empty), read-only left out', async () => {
		emulator = await startEmulator();
		const { fields } = await getLeadFields.call(loadOptionsContext(credentialsFor(emulator)));
		const byId = Object.fromEntries(fields.map((f) => [f.id, f]));
		expect(byId.email).toMatchObject({ type: 'string', defaultMatch: true, displayName: 'Email Address (email)' });
		expect(byId.leadScore.type).toBe('string');
		expect(byId.customBool.type).toBe('string');
		expect(byId.customDate.type).toBe('string');
		expect(byId.createdAt).toBeUndefined();
		expect(byId.mktoName).toBeUndefined();
	});
});

describe('fields to send', () => {
	it('Map Automatically matches display names and REST names ignoring case, and converts by type', async () => {
		emulator = await startEmulator();
		const items = [
			{
				'Email Address': 'ann@example.com',
				'first name': 'Ann',
				LEADSCORE: '42',
				customBool: 'yes',
				customDate: '2024-05-01T23:30:00-05:00',
				customDateTime: new Date(Date.UTC(2024, 4, 1, 10, 0, 0)).toISOString(),
				customFloat: 2.5,
			},
		];
		const { error } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep()] });
		expect(error).toBeUndefined();
		expect(uploaded()).toBe(
			'email,firstName,leadScore,customBool,customDate,customDateTime,customFloat\r\nann@example.com,Ann,42,true,2024-05-01,2024-05-01T10:00:00.000Z,2.5',
		);
	});

	it('Map Each Field Below sends exactly the mapped fields', async () => {
		emulator = await startEmulator();
		const items = [{ mail: 'bo@example.com', name: 'Bo', ignored: 'x' }];
		const columns = {
			mappingMode: 'defineBelow',
			value: { email: '={{ $json.mail }}', firstName: '={{ $json.name.toUpperCase() }}' },
			schema: [],
			matchingColumns: [],
		};
		const { error } = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep({ columns })] });
		expect(error).toBeUndefined();
		expect(uploaded()).toBe('email,firstName\r\nbo@example.com,BO');
	});

	it('a value that does not fit its field names item, field and value; Continue On Fail keeps the rest', async () => {
		emulator = await startEmulator();
		const items = [{ email: 'a@example.com', leadScore: 3 }, { email: 'b@example.com', leadScore: 'three' }];
		const stopped = await runWorkflow({ items, credentials: credentialsFor(emulator), steps: [importStep()] });
		expect(stopped.error?.message).toBe(
			'Item 1: field "leadScore" has the value "three", which is not a whole number as Marketo\'s integer field leadScore needs',
		);
		const continued = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: [{ ...importStep(), continueOnFail: true }],
		});
		const out = continued.output('Import');
		expect(continued.output('Import', 1).find((i) => i.json.error)?.pairedItem).toEqual({ item: 1 });
		const summary = out.find((i) => i.json.batchId);
		expect(summary?.json.totals).toMatchObject({ items: 2, notSubmitted: 1, pending: 1 });
		expect(uploaded()).toBe('email,leadScore\r\na@example.com,3');
	});

	it('unknown columns can be dropped', async () => {
		emulator = await startEmulator();
		const items = [{ email: 'a@example.com', internalId: 7, firstName: 'A' }];
		const { error } = await runWorkflow({
			items,
			credentials: credentialsFor(emulator),
			steps: [importStep({}, { unknownColumns: 'drop' })],
		});
		expect(error).toBeUndefined();
		expect(uploaded()).toBe('email,firstName\r\na@example.com,A');
	});
});

describe('binary file input', () => {
	const leadsFile = (delimiter: string) =>
		[
			['email', 'First Name', 'company'].join(delimiter),
			['a@example.com', 'Ann', '"Acme, Inc."'].join(delimiter),
			['b@example.com', 'Bo', 'Zoë "Z" GmbH'.replace(/"/g, '""').replace(/^/, '"').replace(/$/, '"')].join(delimiter),
		].join('\r\n');

	it.each([
		['csv', ','],
		['tsv', '\t'],
		['ssv', ';'],
	])('uploads a %s file, delimiter detected, header checked and mapped, each row paired with its file item', async (format, delimiter) => {
		emulator = await startEmulator();
		const { error, output } = await runWorkflow({
			items: [{ name: 'export' }],
			files: [{ data: { text: `\uFEFF${leadsFile(delimiter)}`, fileName: `leads.${format}` } }],
			credentials: credentialsFor(emulator),
			steps: [importStep({ inputSource: 'binaryFile', binaryPropertyName: 'data', format }, { waitForCompletion: true })],
		});
		expect(error).toBeUndefined();
		expect(emulator.jobs()[0].format).toBe(format);
		const lead = emulator.leads().find((l) => l.email === 'b@example.com');
		expect(lead).toMatchObject({ firstName: 'Bo', company: 'Zoë "Z" GmbH' });
		expect(emulator.leads().find((l) => l.email === 'a@example.com')?.company).toBe('Acme, Inc.');
		const [batch] = output('Import');
		expect(batch.pairedItem).toEqual([{ item: 0 }]);
		expect(batch.json.totals).toMatchObject({ items: 2, imported: 2 });
	});

	it('splits a file over the limit, keeping the header in each part', async () => {
		emulator = await startEmulator();
		const rows = Array.from({ length: 3000 }, (_, i) => `lead${i}@example.com,Name ${i},Company ${i}`);
		const { error } = await runWorkflow({
			items: [{}],
			files: [{ data: { text: ['email,firstName,company', ...rows].join('\n'), fileName: 'big.csv' } }],
			credentials: credentialsFor(emulator),
			steps: [importStep({ inputSource: 'binaryFile', binaryPropertyName: 'data' }, { maxFileSizeMb: 0.02, waitForCompletion: true })],
		});
		expect(error).toBeUndefined();
		const jobs = emulator.jobs();
		expect(jobs.length).toBeGreaterThan(3);
		for (const job of jobs) expect(job.file.toString('utf8').startsWith('email,firstName,company\r\n')).toBe(true);
		expect(emulator.leads()).toHaveLength(3000);
	});

	it('a missing binary field is a clear error', async () => {
		emulator = await startEmulator();
		const { error } = await runWorkflow({
			items: [{}],
			credentials: credentialsFor(emulator),
			steps: [importStep({ inputSource: 'binaryFile', binaryPropertyName: 'data' })],
		});
		expect(error?.message).toMatch(/data/);
	});
});
