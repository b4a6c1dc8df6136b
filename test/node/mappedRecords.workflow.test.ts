/**
 * "Map Each Field Below" reads `{{ $json.field }}` values straight from the items instead of
 * having n8n evaluate them (nodes/MarketoBulkImport/actions/common/mappedRecords.ts). The
 * oracle is n8n itself: the same workflow, run with every item evaluated by n8n, must give the
 * same files byte for byte, the same rows to fix and the same error. Random items (text with
 * quotes and non-ASCII, numbers, booleans, null, missing fields, objects, lists) and random
 * mappings (dot and bracket reads, fixed values, other expressions). Dry Run, so the files are
 * compared without uploading them. FC_SEED replays a run.
 */
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { loggedMessages, runWorkflow } from '../harness/workflowRunner';
import { assertOptions, propertyRunSettings } from '../property/support';
import * as mapping from '../../nodes/MarketoBulkImport/actions/common/mappedRecords';

/** Marketo fields of the emulator, of every type the conversion knows. */
const FIELDS = ['email', 'firstName', 'leadScore', 'customFloat', 'customBool', 'customDate', 'customDateTime', 'customText'];
/**
 * Names the items' JSON may use: identifiers, names only a bracket read can reach, and names
 * n8n refuses to read (for safety, or as broken syntax) whatever the item holds.
 */
const KEYS = ['email', 'first', 'score', 'x', '$v', 'first name', 'Ünïcode', 'a-b', 'it\'s', 'say "hi"', 'caller', 'constructorName', 'a}}b', 'x\u2028y'];

/** Text that converts to every field type, with what a careless copy would change: spaces, quotes, breaks. */
const TEXTS = [' Ann ', 'Zoë', 'Acme, Inc.', 'say "hi"', 'line\nbreak', '', ' ', '1', ' 7 ', '2.5', 'true', 'false', '2024-05-01', '2024-05-01T10:00:00Z', 'a@example.com', '=not an expression', '{{ x }}'];

const value = fc.oneof(
	{ weight: 6, arbitrary: fc.constantFrom(...TEXTS) },
	{ weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
	{ weight: 2, arbitrary: fc.integer({ min: -1000, max: 1_000_000 }) },
	{ weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
	{ weight: 1, arbitrary: fc.boolean() },
	{ weight: 1, arbitrary: fc.constant(null) },
	{ weight: 1, arbitrary: fc.constant({ nested: 'x' }) },
	{ weight: 1, arbitrary: fc.constant(['a', 1]) },
);

const item = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: KEYS.length });

/** A mapped field's raw value, as it would stand in the workflow. */
function rawValue(key: string, style: number, literal: string): string {
	const identifier = /^[A-Za-z_$][\w$]*$/.test(key);
	switch (style) {
		case 0:
			return identifier ? `={{ $json.${key} }}` : `={{ $json['${key}'] }}`;
		case 1:
			return key.includes('"') ? `={{$json['${key}']}}` : `={{$json["${key}"]}}`;
		case 2:
			return key.includes("'") ? `={{ $json["${key}"] }}` : `={{  $json[ '${key}' ]  }}`;
		case 3:
			return literal;
		default:
			// Not a plain read: n8n evaluates every item.
			return `={{ $json['${key.replace(/'/g, "\\'")}'] ?? 'none' }}`;
	}
}

const mappingOf = fc
	.uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: FIELDS.length })
	.chain((fields) =>
		fc.tuple(
			...fields.map((field) =>
				fc
					.tuple(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: 8 }), fc.string({ maxLength: 6 }))
					// Styles 0-2 (reads) most of the time, 3 a fixed value, 4 another expression now and then.
					.map(([key, roll, literal]) => [field, rawValue(key, roll <= 5 ? roll % 3 : roll === 8 ? 4 : 3, literal)] as const),
			),
		),
	)
	.map((pairs) => Object.fromEntries(pairs) as Record<string, string>);

let emulator: MarketoEmulator;
beforeAll(async () => {
	emulator = await startEmulator();
});
afterAll(async () => {
	await emulator.close();
});
afterEach(() => {
	jest.restoreAllMocks();
});

const shown = (items: INodeExecutionData[]) =>
	items.map((entry) => ({ json: entry.json, data: entry.binary?.data?.data, pairedItem: entry.pairedItem }));

async function dryRun(items: IDataObject[], value: Record<string, string>, asTool?: { args: IDataObject }) {
	const result = await runWorkflow({
		items,
		credentials: credentialsFor(emulator),
		steps: [
			{
				name: 'Import',
				asTool,
				parameters: {
					resource: 'lead',
					operation: 'import',
					format: 'csv',
					lookupField: 'email',
					columns: { mappingMode: 'defineBelow', value, schema: [], matchingColumns: [] },
					options: { ...FAST_NODE_OPTIONS, dryRun: true },
				},
			},
		],
	});
	return {
		error: result.error ? `${result.error.message} | ${result.error.description ?? ''}` : undefined,
		files: result.error ? [] : shown(result.output(asTool ? 'Import Caller' : 'Import', 0)),
		rowsToFix: result.error || asTool ? [] : shown(result.output('Import', 1)),
	};
}

/** The same run with every item evaluated by n8n (the shortcut replaced by n8n's own evaluation). */
async function dryRunEvaluatedByN8n(items: IDataObject[], value: Record<string, string>, asTool?: { args: IDataObject }) {
	const shortcut = jest.spyOn(mapping, 'mappedRecords').mockImplementation(async (fns, input) => await mapping.evaluatedRecords(fns, input));
	try {
		return await dryRun(items, value, asTool);
	} finally {
		shortcut.mockRestore();
	}
}

/** How many items the last run read straight from their JSON, from the node's debug log. */
function itemsReadStraight(): number {
	const line = loggedMessages.map((entry) => entry.message).find((message) => message.includes('mapped fields read straight from'));
	return line === undefined ? 0 : Number(/read straight from (\d+) of/.exec(line)?.[1]);
}

describe('Map Each Field Below read straight from the items', () => {
	const settings = propertyRunSettings(40, 25_000);

	it(
		'gives the same files, rows to fix and errors as n8n evaluating every item',
		async () => {
			let runsReadStraight = 0;
			let runsWithFiles = 0;
			await fc.assert(
				fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 6 }), mappingOf, async (items, value) => {
					loggedMessages.length = 0;
					const direct = await dryRun(items, value);
					if (itemsReadStraight() > 0) runsReadStraight++;
					if (direct.files.length > 0) runsWithFiles++;
					expect(direct).toStrictEqual(await dryRunEvaluatedByN8n(items, value));
				}),
				assertOptions(settings),
			);
			// Both sides really differ in how they read: some runs took the shortcut, and made files.
			expect(runsReadStraight).toBeGreaterThan(0);
			expect(runsWithFiles).toBeGreaterThan(0);
		},
		settings.jestTimeoutMs,
	);

	it('as an AI tool, $json is what n8n says it is (the agent\'s item), not the tool call\'s arguments', async () => {
		const items = [{ email: 'agent-input@example.com' }];
		const asTool = { args: { email: 'tool-arg@example.com' } };
		const value = { email: '={{ $json.email }}' };
		const direct = await dryRun(items, value, asTool);
		expect(direct.error).toBeUndefined();
		// A tool's answer holds the file's size, not its bytes: the agent's item made it.
		const [file] = (direct.files[0].json.response as IDataObject[]).map((entry) => entry.file as IDataObject);
		expect(file.bytes).toBe(Buffer.byteLength('email\r\nagent-input@example.com'));
		expect(direct).toStrictEqual(await dryRunEvaluatedByN8n(items, value, asTool));
	});

	it('a name n8n refuses to read stops the run as n8n would, even when every item holds it', async () => {
		const items = [{ caller: 'a@example.com' }, { caller: 'b@example.com' }];
		const value = { email: '={{ $json.caller }}' };
		const direct = await dryRun(items, value);
		expect(direct.error).toMatch(/caller/);
		expect(direct).toStrictEqual(await dryRunEvaluatedByN8n(items, value));
	});

	it('recognises the reads n8n writes, and nothing else', () => {
		expect(mapping.fieldValueOf('={{ $json.email }}')).toEqual({ kind: 'read', name: 'email' });
		expect(mapping.fieldValueOf("={{ $json['first name'] }}")).toEqual({ kind: 'read', name: 'first name' });
		expect(mapping.fieldValueOf('={{$json["say it"]}}')).toEqual({ kind: 'read', name: 'say it' });
		expect(mapping.fieldValueOf('Acme')).toEqual({ kind: 'literal', value: 'Acme' });
		expect(mapping.fieldValueOf(42)).toEqual({ kind: 'literal', value: 42 });
		for (const other of [
			'={{ $json.email }} ',
			'={{ $json.email.toLowerCase() }}',
			'={{ $json.a.b }}',
			"={{ $json['it\\'s'] }}",
			'={{ $json.email }}{{ $json.first }}',
			"={{ $('CRM').item.json.email }}",
			'=plain {{ $json.email }}',
			{ nested: true },
		]) {
			expect(mapping.fieldValueOf(other)).toBeUndefined();
		}
	});

	it('reads straight from the items when every field is a read or a fixed value', async () => {
		loggedMessages.length = 0;
		const items = [{ mail: 'bo@example.com', 'first name': 'Bo' }, { mail: 'al@example.com', 'first name': { not: 'text' } }, { mail: 'cy@example.com' }];
		const result = await dryRun(items, { email: '={{ $json.mail }}', firstName: "={{ $json['first name'] }}", company: 'Acme' });
		expect(result.error).toBeUndefined();
		expect(Buffer.from(String(result.files[0].data), 'base64').toString()).toBe('email,firstName,company\r\nbo@example.com,Bo,Acme\r\ncy@example.com,,Acme');
		expect(result.rowsToFix.map((row) => row.pairedItem)).toEqual([{ item: 1 }]);
		// An object, and a missing field, are left to n8n.
		expect(loggedMessages.map((entry) => entry.message)).toContain(
			'Marketo Bulk Import: mapped fields read straight from 1 of 3 items (the others evaluated by n8n)',
		);
	});
});
