/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * Property-based end-to-end test of Import (issue 8: "never import a wrong value, never
 * report a wrong count"). Random item sets and random delimited files go through the real
 * node inside n8n-core against the emulator. For every case exactly one of:
 *   (a) the emulator holds exactly the expected leads, value for value, and the output's
 *       totals and per-batch counts agree with the emulator's counters; or
 *   (b) an error naming the item (and the field or the file line) was raised, and the
 *       emulator received no upload at all.
 * A small model below decides, per case, which one must happen and what Marketo must hold.
 * Generated values are restricted to forms whose conversion is plain (see `storedValue`),
 * so the model never needs a second implementation of the node's type conversion.
 *
 * FC_SEED replays a run; FC_RUNS sets the number of cases (npm run test:fuzz); FC_SURVEY=1
 * runs every case without stopping at the first failure and prints each kind of finding
 * with its count and smallest example.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import type { MarketoEmulator } from '../emulator';
import { isValidEmail } from '../emulator/model';
import { credentialsFor, FAST_NODE_OPTIONS, startEmulator } from '../harness/fixtures';
import { runWorkflow, type RunResult } from '../harness/workflowRunner';
import { clearTokenCache } from '../../nodes/MarketoBulkImport/transport';
import {
	assertOptions,
	batchItems,
	errorText,
	Findings,
	printSurvey,
	mentionedItems,
	OUTCOMES,
	pairedIndexes,
	printable,
	propertyRunSettings,
	sumOutcomes,
	type Totals,
} from './support';

// ── The lead fields the cases use (the emulator's defaults) ─────────────────────────────

type Kind = 'lookupEmail' | 'email' | 'string' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime';

interface PoolField {
	name: string;
	display: string;
	kind: Kind;
	/** Marketo truncates longer strings (with a warning). */
	length?: number;
}

const EMAIL_FIELD: PoolField = { name: 'email', display: 'Email Address', kind: 'lookupEmail' };
const OTHER_FIELDS: PoolField[] = [
	{ name: 'firstName', display: 'First Name', kind: 'string' },
	{ name: 'lastName', display: 'Last Name', kind: 'string' },
	{ name: 'company', display: 'Company Name', kind: 'string' },
	{ name: 'title', display: 'Job Title', kind: 'string' },
	{ name: 'city', display: 'City', kind: 'string' },
	{ name: 'customShortText', display: 'Custom Short Text', kind: 'string', length: 10 },
	{ name: 'customEmail', display: 'Custom Email', kind: 'email' },
	{ name: 'leadScore', display: 'Lead Score', kind: 'integer' },
	{ name: 'customInt', display: 'Custom Int', kind: 'integer' },
	{ name: 'customFloat', display: 'Custom Float', kind: 'decimal' },
	{ name: 'annualRevenue', display: 'Annual Revenue', kind: 'decimal' },
	{ name: 'customPercent', display: 'Custom Percent', kind: 'decimal' },
	{ name: 'unsubscribed', display: 'Unsubscribed', kind: 'boolean' },
	{ name: 'customBool', display: 'Custom Bool', kind: 'boolean' },
	{ name: 'customDate', display: 'Custom Date', kind: 'date' },
	{ name: 'customDateTime', display: 'Custom Date Time', kind: 'datetime' },
];
const ALL_FIELDS = [EMAIL_FIELD, ...OTHER_FIELDS];
const FIELD = new Map(ALL_FIELDS.map((field) => [field.name, field]));
const TYPED_KINDS: Kind[] = ['integer', 'decimal', 'boolean', 'date', 'datetime'];

/** Names that reach a field: REST name, display name, in other cases, with edge spaces. */
function spellings(field: PoolField): string[] {
	return [
		...new Set([
			field.name,
			field.display,
			field.name.toUpperCase(),
			field.display.toLowerCase(),
			` ${field.display} `,
			`${field.name} `,
			field.display.toUpperCase(),
		]),
	];
}

/** Not writable lead fields: misspelt, underscored, read-only (mktoName). */
const UNKNOWN_KEYS = ['nickname', 'first_name', 'E-mail', 'mktoName', 'Lead Scor', 'leadScore2', 'Phone Numbr'];

// ── Values ────────────────────────────────────────────────────────────────────────────

type DateSpec = { luxon: { ms: number; zone: string } } | { jsDate: number };
type Raw = string | number | boolean | null | DateSpec | { nested: unknown };

/** A value as generated (printable), and whether it cannot be converted for its field. */
interface Cell {
	v: Raw;
	bad?: true;
}

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];

// No lone CR: Marketo's own reader (papaparse in the emulator) guesses line ends from them.
// prettier-ignore
const UNITS = ['a', 'b', 'Z', 'q', '0', '7', '.', '@', '-', '=', "'", ' ', ',', ';', '\t', '"', '""', '\n', '\r\n', 'é', 'ß', 'Ł', '中', '文', '한', '😀', '\u00A0'];
const SOLID = ['a', 'Z', 'é', '中', '😀', '"', 'x', '0', '='];
const EDGE = ['', '', '', ' ', '  ', '\t', '\u00A0'];

/** Never empty, never only spaces; delimiters, quotes, line breaks, multibyte text, edge spaces. */
const textArb = fc
	.tuple(fc.constantFrom(...EDGE), fc.constantFrom(...SOLID), fc.array(fc.constantFrom(...UNITS), { maxLength: 10 }), fc.constantFrom(...EDGE))
	.map(([before, first, rest, after]) => `${before}${first}${rest.join('')}${after}`);

const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const smallInt = fc.integer({ min: -100_000, max: 100_000 });
/** Numbers with at most two decimals: their text form is plain decimal notation. */
const cents = fc.integer({ min: -10_000_000, max: 10_000_000 }).map((k) => k / 100);
const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, TRUE: true, No: false, '1': true, '0': false };
const epochMs = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) });
/** Wall-clock parts away from the night hours when clocks change. */
const wallClock = fc.record({
	year: fc.integer({ min: 1990, max: 2040 }),
	month: fc.integer({ min: 1, max: 12 }),
	day: fc.integer({ min: 1, max: 28 }),
	hour: fc.integer({ min: 9, max: 20 }),
	minute: fc.integer({ min: 0, max: 59 }),
	second: fc.integer({ min: 0, max: 59 }),
});
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dayText = wallClock.map((w) => `${w.year}-${pad(w.month)}-${pad(w.day)}`);
const noOffsetText = wallClock.map((w) => `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`);
const withOffsetText = fc
	.tuple(noOffsetText, fc.constantFrom('Z', '+02:00', '-05:00', '+05:30', '+00:00'))
	.map(([wall, offset]) => `${wall}${offset}`);
const luxonSpec = fc.record({ ms: epochMs, zone: fc.constantFrom(...ZONES) }).map((luxon): DateSpec => ({ luxon }));
const emptyRaw = fc.constantFrom<Raw>('', null);

const cell = (raw: fc.Arbitrary<Raw>): fc.Arbitrary<Cell> => raw.map((v) => ({ v }));
const withEmpty = (raw: fc.Arbitrary<Raw>): fc.Arbitrary<Cell> =>
	cell(fc.oneof({ weight: 9, arbitrary: raw }, { weight: 1, arbitrary: emptyRaw }));

/** `{i}` is replaced by the row's unique number: every lead has its own email. */
const LOOKUP_VALUES = fc.oneof(
	{ weight: 8, arbitrary: fc.constantFrom('lead{i}@example.com', 'LEAD{i}@Example.COM') },
	{ weight: 1, arbitrary: fc.constant('lead {i} at example') },
	{ weight: 1, arbitrary: emptyRaw },
);

/** Values an item may hold for a field of each kind, all convertible. */
function itemCellArb(kind: Kind): fc.Arbitrary<Cell> {
	switch (kind) {
		case 'lookupEmail':
			return cell(LOOKUP_VALUES);
		case 'email':
			return withEmpty(fc.oneof(fc.constantFrom('person@example.org', 'not an email'), textArb));
		case 'string':
			return withEmpty(fc.oneof({ weight: 5, arbitrary: textArb }, { weight: 1, arbitrary: smallInt }, { weight: 1, arbitrary: cents }, { weight: 1, arbitrary: fc.boolean() }));
		case 'integer':
			return withEmpty(
				fc.oneof(int32, int32.map(String), smallInt.map((n) => ` ${n} `), fc.nat(1000).map((n) => `+${n}`)),
			);
		case 'decimal':
			return withEmpty(fc.oneof(cents, cents.map(String), smallInt));
		case 'boolean':
			return withEmpty(fc.oneof(fc.boolean(), fc.constantFrom(...Object.keys(BOOLEAN_WORDS))));
		case 'date':
			return withEmpty(fc.oneof(dayText, luxonSpec));
		case 'datetime':
			return withEmpty(fc.oneof(withOffsetText, noOffsetText, luxonSpec, epochMs.map((jsDate): DateSpec => ({ jsDate }))));
	}
}

/** Values a file may hold: text only. */
function fileCellArb(kind: Kind): fc.Arbitrary<Cell> {
	switch (kind) {
		case 'lookupEmail':
			return cell(LOOKUP_VALUES.map((v) => v ?? ''));
		case 'string':
		case 'email':
			return withEmpty(textArb).map((c) => ({ v: c.v ?? '' }));
		case 'integer':
			return withEmpty(fc.oneof(int32.map(String), smallInt.map((n) => ` ${n} `), fc.nat(1000).map((n) => `+${n}`))).map((c) => ({ v: c.v ?? '' }));
		case 'decimal':
			return withEmpty(cents.map(String)).map((c) => ({ v: c.v ?? '' }));
		case 'boolean':
			return withEmpty(fc.constantFrom(...Object.keys(BOOLEAN_WORDS))).map((c) => ({ v: c.v ?? '' }));
		case 'date':
			return withEmpty(dayText).map((c) => ({ v: c.v ?? '' }));
		case 'datetime':
			return withEmpty(fc.oneof(withOffsetText, noOffsetText)).map((c) => ({ v: c.v ?? '' }));
	}
}

/** Values no conversion can save, per typed kind. */
const BAD_ITEM_VALUES: Record<string, Raw[]> = {
	integer: [1.5, 'three', '12abc', '1e3'],
	decimal: ['1,5', 'abc', '1.2.3'],
	boolean: ['maybe', 2, 'ja'],
	date: ['next tuesday', '2024-02-30', '01/05/2024'],
	datetime: ['soon', '2024-13-01T10:00:00Z', 'yesterday at noon'],
};
const NESTED_VALUES: unknown[] = [{ a: 1 }, [1, 2], {}, [], { city: 'Paris' }];
const SAMPLE: Record<Kind, Raw> = {
	lookupEmail: 'lead{i}@example.com',
	email: 'person@example.org',
	string: 'Sample',
	integer: 5,
	decimal: 1.5,
	boolean: true,
	date: '2024-05-01',
	datetime: '2024-05-01T10:00:00Z',
};

function isEmpty(c: Cell): boolean {
	return c.v === '' || c.v === null;
}

/** The value as the node receives it. */
function instantiate(c: Cell, unique: number): unknown {
	const v = c.v;
	if (typeof v === 'string') return v.replace(/\{i\}/g, String(unique));
	if (v !== null && typeof v === 'object') {
		if ('luxon' in v) return DateTime.fromMillis(v.luxon.ms, { zone: v.luxon.zone });
		if ('jsDate' in v) return new Date(v.jsDate);
		if ('nested' in v) return v.nested;
	}
	return v;
}

// ── The model: what Marketo must hold ─────────────────────────────────────────────────

type Expected = { exact: unknown } | { instant: number };

interface RowExpectation {
	outcome: 'imported' | 'importedWithWarning' | 'failed';
	/** Stored values by REST name (absent = not set). */
	values: Map<string, Expected>;
	email?: string;
}

/** What Marketo stores for a convertible, non-empty value of `field` (and whether it warns). */
function storedValue(field: PoolField, c: Cell, unique: number, zone: string): { expected: Expected; warning: boolean } {
	const v = c.v;
	if (v !== null && typeof v === 'object' && 'luxon' in v) {
		const dt = DateTime.fromMillis(v.luxon.ms, { zone: v.luxon.zone });
		return field.kind === 'date' ? { expected: { exact: dt.toISODate() }, warning: false } : { expected: { instant: v.luxon.ms }, warning: false };
	}
	if (v !== null && typeof v === 'object' && 'jsDate' in v) return { expected: { instant: v.jsDate }, warning: false };
	switch (field.kind) {
		case 'lookupEmail':
		case 'email': {
			const text = String(instantiate(c, unique));
			return { expected: { exact: text }, warning: !isValidEmail(text) };
		}
		case 'string': {
			const text = String(v);
			const points = [...text];
			const truncated = field.length !== undefined && points.length > field.length;
			return { expected: { exact: truncated ? points.slice(0, field.length).join('') : text }, warning: truncated };
		}
		case 'integer':
		case 'decimal':
			return { expected: { exact: typeof v === 'number' ? v : Number(String(v).trim()) }, warning: false };
		case 'boolean':
			return { expected: { exact: typeof v === 'boolean' ? v : BOOLEAN_WORDS[String(v)] }, warning: false };
		case 'date':
			return { expected: { exact: v }, warning: false };
		case 'datetime': {
			const text = String(v);
			const ms = /(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : DateTime.fromISO(text, { zone }).toMillis();
			return { expected: { instant: ms }, warning: false };
		}
	}
}

/** A row's fate at Marketo: no lookup value fails it; a bad email or a truncated text warns. */
function expectRow(cells: Array<{ field: PoolField; cell: Cell }>, unique: number, zone: string): RowExpectation {
	const values = new Map<string, Expected>();
	let warning = false;
	let email: string | undefined;
	for (const { field, cell: c } of cells) {
		if (isEmpty(c)) continue;
		const stored = storedValue(field, c, unique, zone);
		values.set(field.name, stored.expected);
		warning ||= stored.warning;
		if (field.kind === 'lookupEmail') email = String(instantiate(c, unique));
	}
	if (email === undefined || email.trim() === '') return { outcome: 'failed', values, email };
	return { outcome: warning ? 'importedWithWarning' : 'imported', values, email };
}

/** Something that must stop the run before upload, and what its message may name. */
interface Problem {
	item: number;
	names: string[];
	lines: number[];
	/** Expected and found cell counts of a ragged row. */
	counts?: [number, number];
	what: string;
}

// ── Item input ────────────────────────────────────────────────────────────────────────

interface Entry {
	/** REST name, or null for a key that is no writable field. */
	field: string | null;
	key: string;
	cell: Cell;
}

const entryArb = (field: PoolField): fc.Arbitrary<Entry> =>
	fc.record({ key: fc.constantFrom(...spellings(field)), cell: itemCellArb(field.kind) }).map(({ key, cell: c }) => ({ field: field.name, key, cell: c }));

const itemArb: fc.Arbitrary<Entry[]> = fc
	.tuple(
		fc.option(entryArb(EMAIL_FIELD), { freq: 8 }),
		fc.uniqueArray(fc.constantFrom(...OTHER_FIELDS), { minLength: 1, maxLength: 5, selector: (f) => f.name }).chain((fields) => fc.tuple(...fields.map(entryArb))),
		fc.nat(),
	)
	.map(([email, others, position]) => {
		const entries: Entry[] = [...others];
		if (email !== null) entries.splice(position % (entries.length + 1), 0, email);
		return entries;
	});

type ItemMutation =
	| { kind: 'unknownKey'; at: number; key: string }
	| { kind: 'collision'; at: number; field: string; first: number; second: number }
	| { kind: 'nested'; at: number; field: string; value: unknown }
	| { kind: 'badValue'; at: number; field: string; value: Raw }
	| { kind: 'noValues'; at: number };

const typedFields = OTHER_FIELDS.filter((f) => TYPED_KINDS.includes(f.kind));
const itemMutationArb: fc.Arbitrary<ItemMutation> = fc.oneof(
	fc.record({ kind: fc.constant('unknownKey' as const), at: fc.nat(), key: fc.constantFrom(...UNKNOWN_KEYS) }),
	fc.record({
		kind: fc.constant('collision' as const),
		at: fc.nat(),
		field: fc.constantFrom(...ALL_FIELDS.map((f) => f.name)),
		first: fc.nat(),
		second: fc.nat(),
	}),
	fc.record({
		kind: fc.constant('nested' as const),
		at: fc.nat(),
		field: fc.constantFrom(...ALL_FIELDS.map((f) => f.name)),
		value: fc.constantFrom(...NESTED_VALUES),
	}),
	fc
		.record({ at: fc.nat(), field: fc.constantFrom(...typedFields), pick: fc.nat() })
		.map(({ at, field, pick }): ItemMutation => {
			const values = BAD_ITEM_VALUES[field.kind];
			return { kind: 'badValue', at, field: field.name, value: values[pick % values.length] };
		}),
	fc.record({ kind: fc.constant('noValues' as const), at: fc.nat() }),
);

function applyItemMutation(items: Entry[][], m: ItemMutation): void {
	const entries = items[m.at % items.length];
	const replaceField = (field: string, added: Entry[]) => {
		const kept = entries.filter((e) => e.field !== field);
		entries.splice(0, entries.length, ...kept, ...added);
	};
	switch (m.kind) {
		case 'unknownKey':
			if (!entries.some((e) => e.key === m.key)) entries.push({ field: null, key: m.key, cell: { v: 'x' } });
			return;
		case 'collision': {
			const field = FIELD.get(m.field) as PoolField;
			const names = spellings(field);
			const first = names[m.first % names.length];
			let second = names[m.second % names.length];
			if (second === first) second = names[(m.second + 1) % names.length];
			// "Even when it is empty": the second spelling carries an empty value.
			replaceField(m.field, [
				{ field: m.field, key: first, cell: { v: SAMPLE[field.kind] } },
				{ field: m.field, key: second, cell: { v: '' } },
			]);
			return;
		}
		case 'nested':
			replaceField(m.field, [{ field: m.field, key: m.field, cell: { v: { nested: m.value }, bad: true } }]);
			return;
		case 'badValue':
			replaceField(m.field, [{ field: m.field, key: m.field, cell: { v: m.value, bad: true } }]);
			return;
		case 'noValues':
			entries.forEach((e, n) => {
				e.cell = { v: n % 2 === 0 ? '' : null };
			});
			return;
	}
}

function itemProblems(entries: Entry[], item: number): Problem[] {
	const problems: Problem[] = [];
	const byField = new Map<string, Entry[]>();
	for (const e of entries) {
		if (e.field === null) {
			problems.push({ item, names: [e.key.trim()], lines: [], what: `unknown key "${e.key}"` });
			continue;
		}
		byField.set(e.field, [...(byField.get(e.field) ?? []), e]);
		if (e.cell.bad) problems.push({ item, names: [e.key.trim(), e.field], lines: [], what: `unconvertible value in "${e.key}"` });
	}
	for (const [field, group] of byField) {
		if (group.length > 1) problems.push({ item, names: group.map((e) => e.key.trim()), lines: [], what: `keys ${group.map((e) => `"${e.key}"`).join(' and ')} both feed ${field}` });
	}
	if (entries.every((e) => isEmpty(e.cell))) problems.push({ item, names: [], lines: [], what: 'no values' });
	return problems;
}

// ── File input ────────────────────────────────────────────────────────────────────────

type Delimiter = ',' | '\t' | ';';
const DELIMITER_NAME: Record<Delimiter, string> = { ',': 'csv', '\t': 'tsv', ';': 'ssv' };

type RowSpec =
	| { kind: 'data'; cells: Cell[] }
	| { kind: 'empty'; quoted: boolean }
	| { kind: 'blank' }
	| { kind: 'ragged'; delta: number }
	| { kind: 'unterminated' };

interface FileSpec {
	/** Used when the node detects the delimiter (Input File Delimiter: Detect From Header). */
	delimiter: Delimiter;
	lineEnd: '\n' | '\r\n';
	bom: boolean;
	trailingLineEnd: boolean;
	quoting: 'minimal' | 'some' | 'all';
	columns: Array<{ field: string | null; key: string }>;
	rows: RowSpec[];
}

const columnsArb = fc
	.tuple(
		fc.constantFrom(...spellings(EMAIL_FIELD)),
		fc.uniqueArray(fc.constantFrom(...OTHER_FIELDS), { maxLength: 4, selector: (f) => f.name }).chain((fields) =>
			fc.tuple(...fields.map((f) => fc.constantFrom(...spellings(f)).map((key) => ({ field: f.name as string | null, key })))),
		),
		fc.nat(),
	)
	.map(([emailKey, others, position]) => {
		const columns = [...others];
		columns.splice(position % (columns.length + 1), 0, { field: 'email', key: emailKey });
		return columns;
	});

const dataRowArb = (columns: FileSpec['columns']): fc.Arbitrary<RowSpec> =>
	fc.tuple(...columns.map((c) => fileCellArb(FIELD.get(c.field as string)?.kind ?? 'string'))).map((cells) => ({ kind: 'data' as const, cells }));

const fileArb: fc.Arbitrary<FileSpec> = fc
	.record({
		delimiter: fc.constantFrom<Delimiter>(',', '\t', ';'),
		lineEnd: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
		bom: fc.boolean(),
		trailingLineEnd: fc.boolean(),
		quoting: fc.constantFrom<FileSpec['quoting']>('minimal', 'some', 'all'),
		columns: columnsArb,
	})
	.chain((base) => {
		// The first data row has a lookup value, so every file has at least one row to import.
		const firstRow = dataRowArb(base.columns).map((row) => {
			const cells = (row as { cells: Cell[] }).cells.map((c, n) => (base.columns[n].field === 'email' ? { v: 'lead{i}@example.com' } : c));
			return { kind: 'data' as const, cells };
		});
		const otherRow = fc.oneof(
			{ weight: 6, arbitrary: dataRowArb(base.columns) },
			{ weight: 1, arbitrary: fc.boolean().map((quoted): RowSpec => ({ kind: 'empty', quoted })) },
			{ weight: 1, arbitrary: fc.constant<RowSpec>({ kind: 'blank' }) },
			{ weight: 1, arbitrary: fc.constantFrom(-2, -1, 1, 2).map((delta): RowSpec => ({ kind: 'ragged', delta })) },
		);
		return fc.tuple(firstRow, fc.array(otherRow, { maxLength: 6 }), fc.nat()).map(([first, rest, position]) => {
			const rows: RowSpec[] = [...rest];
			rows.splice(position % (rows.length + 1), 0, first);
			return { ...base, rows };
		});
	});

type FileMutation =
	| { kind: 'unknownHeader'; key: string; position: number }
	| { kind: 'collisionHeader'; field: string; spelling: number; position: number }
	| { kind: 'duplicateHeader'; position: number }
	| { kind: 'badValue'; row: number; column: number; pick: number }
	| { kind: 'unterminated' };

const fileMutationArb: fc.Arbitrary<FileMutation> = fc.oneof(
	fc.record({ kind: fc.constant('unknownHeader' as const), key: fc.constantFrom(...UNKNOWN_KEYS), position: fc.nat() }),
	fc.record({ kind: fc.constant('collisionHeader' as const), field: fc.constantFrom(...ALL_FIELDS.map((f) => f.name)), spelling: fc.nat(), position: fc.nat() }),
	fc.record({ kind: fc.constant('duplicateHeader' as const), position: fc.nat() }),
	fc.record({ kind: fc.constant('badValue' as const), row: fc.nat(), column: fc.nat(), pick: fc.nat() }),
	fc.constant<FileMutation>({ kind: 'unterminated' }),
);

const BAD_FILE_VALUES: Record<string, string[]> = {
	integer: ['three', '1.5', '12abc'],
	decimal: ['1,5', 'abc'],
	boolean: ['maybe', 'ja'],
	date: ['next tuesday', '2024-02-30'],
	datetime: ['soon', '2024-13-01T10:00:00Z'],
};

function applyFileMutation(file: FileSpec, m: FileMutation): void {
	const insertColumn = (position: number, column: FileSpec['columns'][number], value: Cell) => {
		const at = position % (file.columns.length + 1);
		file.columns.splice(at, 0, column);
		for (const row of file.rows) if (row.kind === 'data') row.cells.splice(at, 0, value);
	};
	switch (m.kind) {
		case 'unknownHeader':
			if (!file.columns.some((c) => c.key === m.key)) insertColumn(m.position, { field: null, key: m.key }, { v: 'x' });
			return;
		case 'collisionHeader': {
			const field = FIELD.get(m.field) as PoolField;
			const names = spellings(field).filter((name) => !file.columns.some((c) => c.key === name));
			const existing = file.columns.some((c) => c.field === m.field);
			if (!existing) insertColumn(m.position, { field: m.field, key: names[0] }, { v: '' });
			const free = spellings(field).filter((name) => !file.columns.some((c) => c.key === name));
			if (free.length > 0) insertColumn(m.position + 1, { field: m.field, key: free[m.spelling % free.length] }, { v: '' });
			return;
		}
		case 'duplicateHeader': {
			const source = file.columns[m.position % file.columns.length];
			insertColumn(m.position + 1, { ...source }, { v: '' });
			return;
		}
		case 'badValue': {
			const dataRows = file.rows.filter((r): r is { kind: 'data'; cells: Cell[] } => r.kind === 'data');
			const typed = file.columns.map((c, n) => ({ c, n })).filter(({ c }) => TYPED_KINDS.includes(FIELD.get(c.field ?? '')?.kind as Kind));
			if (typed.length === 0 || dataRows.length === 0) return;
			const { c, n } = typed[m.column % typed.length];
			const values = BAD_FILE_VALUES[(FIELD.get(c.field as string) as PoolField).kind];
			dataRows[m.row % dataRows.length].cells[n] = { v: values[m.pick % values.length], bad: true };
			return;
		}
		case 'unterminated':
			if (!file.rows.some((r) => r.kind === 'unterminated')) file.rows.push({ kind: 'unterminated' });
			return;
	}
}

function encodeCell(text: string, delimiter: Delimiter, quote: boolean): string {
	// Quoted whenever any of the three delimiters is in it, whatever this file's delimiter.
	if (quote || /[",;\t\r\n]/.test(text)) return `"${text.replace(/"/g, '""')}"`;
	return text;
}

interface WrittenFile {
	text: string;
	delimiter: Delimiter;
	/** Line (1-based, header = 1) where each row of `spec.rows` starts. */
	lines: number[];
	/** Each row's text (without its line end). */
	rowTexts: string[];
}

/**
 * The file's text, with `chosen` as delimiter (undefined: the node detects it from the
 * header). Line numbers count the line breaks inside quoted values.
 */
function writeFile(spec: FileSpec, fileIndex: number, chosen: Delimiter | undefined): WrittenFile {
	const k = spec.columns.length;
	// A one-column header names no delimiter: Detect From Header then reads commas.
	const delimiter: Delimiter = chosen ?? (k === 1 ? ',' : spec.delimiter);
	const quoteAt = (row: number, column: number) => spec.quoting === 'all' || (spec.quoting === 'some' && (row + column) % 2 === 0);
	let body = spec.columns.map((c, n) => encodeCell(c.key, delimiter, quoteAt(0, n))).join(delimiter);
	const lines: number[] = [];
	const rowTexts: string[] = [];
	spec.rows.forEach((row, r) => {
		body += spec.lineEnd;
		lines.push(1 + (body.match(/\n/g)?.length ?? 0));
		const start = body.length;
		switch (row.kind) {
			case 'data':
				body += row.cells.map((c, n) => encodeCell(String(instantiate(c, fileIndex * 100 + r) ?? ''), delimiter, quoteAt(r + 1, n))).join(delimiter);
				break;
			case 'empty':
				body += row.quoted ? Array.from({ length: k }, () => '""').join(delimiter) : delimiter.repeat(k - 1);
				break;
			case 'blank':
				break;
			case 'ragged': {
				const count = k + row.delta >= 1 && row.delta !== 0 ? k + row.delta : k + 1;
				body += Array.from({ length: count }, (_, n) => `rag${fileIndex}r${r}c${n}`).join(delimiter);
				break;
			}
			case 'unterminated':
				body += `"open${fileIndex}r${r}${delimiter}tail`;
				break;
		}
		rowTexts.push(body.slice(start));
	});
	if (spec.trailingLineEnd) body += spec.lineEnd;
	return { text: `${spec.bom ? '\uFEFF' : ''}${body}`, delimiter, lines, rowTexts };
}

function raggedCount(spec: FileSpec, row: { delta: number }): number {
	const k = spec.columns.length;
	return k + row.delta >= 1 && row.delta !== 0 ? k + row.delta : k + 1;
}

interface FileVerdict {
	problems: Problem[];
	rows: RowExpectation[];
	ragged: Array<{ line: number }>;
	/** All-empty rows that show their cells (delimiters or quotes): skipped and counted. */
	empty: number;
	/** All-empty rows written as a bare line break: skipped, maybe counted. */
	blank: number;
}

function judgeFile(spec: FileSpec, written: WrittenFile, item: number, skipRagged: boolean, zone: string): FileVerdict {
	const verdict: FileVerdict = { problems: [], rows: [], ragged: [], empty: 0, blank: 0 };
	const seen = new Map<string, string[]>();
	for (const c of spec.columns) {
		if (c.field === null) {
			verdict.problems.push({ item, names: [c.key.trim()], lines: [1], what: `unknown column "${c.key}"` });
			continue;
		}
		seen.set(c.field, [...(seen.get(c.field) ?? []), c.key.trim()]);
	}
	for (const [field, keys] of seen) {
		if (keys.length > 1) verdict.problems.push({ item, names: keys, lines: [1], what: `columns ${keys.join(', ')} all feed ${field}` });
	}
	const k = spec.columns.length;
	spec.rows.forEach((row, r) => {
		const line = written.lines[r];
		const allEmpty = row.kind === 'blank' || row.kind === 'empty' || (row.kind === 'data' && row.cells.every(isEmpty));
		if (allEmpty) {
			if (written.rowTexts[r] === '') verdict.blank++;
			else verdict.empty++;
		} else if (row.kind === 'ragged') {
			if (skipRagged) verdict.ragged.push({ line });
			else verdict.problems.push({ item, names: [], lines: [line], counts: [k, raggedCount(spec, row)], what: `line ${line} has ${raggedCount(spec, row)} cells, the header ${k}` });
		} else if (row.kind === 'unterminated') {
			verdict.problems.push({ item, names: [], lines: [line], what: `unterminated quote on line ${line}` });
		} else if (row.kind === 'data') {
			row.cells.forEach((c, n) => {
				if (c.bad) verdict.problems.push({ item, names: [spec.columns[n].key.trim(), spec.columns[n].field as string], lines: [line], what: `bad value "${String(c.v)}" on line ${line}` });
			});
			const known = row.cells
				.map((c, n) => ({ field: FIELD.get(spec.columns[n].field ?? ''), cell: c }))
				.filter((x): x is { field: PoolField; cell: Cell } => x.field !== undefined);
			verdict.rows.push(expectRow(known, item * 100 + r, zone));
		}
	});
	return verdict;
}

// ── Checks ────────────────────────────────────────────────────────────────────────────

const MAX_MESSAGE = 550;

function checkRefused(findings: Findings, result: RunResult, emulator: MarketoEmulator, problems: Problem[]): void {
	findings.check(result.error !== undefined, `model predicts an error before upload (${problems.map((p) => `item ${p.item}: ${p.what}`).join('; ')}), but the node raised none`);
	findings.check(emulator.creates().length === 0, `nothing may be uploaded when the input is refused, but Marketo got ${emulator.creates().length} upload(s)`);
	if (result.error === undefined) return;
	const message = result.error.message;
	const text = errorText(result.error);
	findings.check(message.length <= MAX_MESSAGE, `message is ${message.length} characters long (at most ~500): ${message.slice(0, 120)}…`);
	const named = mentionedItems(message);
	const culpritItems = new Set(problems.map((p) => p.item));
	findings.check(named.size > 0, `the message names no input item the way n8n shows them ("item 3"): ${message}`);
	const wrong = [...named].filter((i) => !culpritItems.has(i));
	findings.check(wrong.length === 0, `the message names item(s) ${wrong.join(', ')}, which have no problem (problems: ${[...culpritItems].join(', ')}): ${message}`);
	const lower = text.toLowerCase();
	const explained = problems
		.filter((p) => named.has(p.item))
		.some(
			(p) =>
				(p.names.length === 0 && p.lines.length === 0) ||
				p.names.some((name) => lower.includes(name.toLowerCase())) ||
				(/line/i.test(text) && p.lines.some((line) => new RegExp(`\\b${line}\\b`).test(text))),
		);
	findings.check(explained || named.size === 0, `the message names neither the field nor the line of a problem of the items it names: ${message}`);
	// A ragged row, when it is the only kind of problem: line, expected and found counts.
	const ragged = problems.filter((p) => p.counts !== undefined);
	if (ragged.length > 0 && ragged.length === problems.length && new Set(ragged.map((p) => p.item)).size === 1) {
		const first = ragged[0];
		const [expected, found] = first.counts as [number, number];
		findings.check(
			new RegExp(`\\b${first.lines[0]}\\b`).test(text) && new RegExp(`\\b${expected}\\b`).test(text) && new RegExp(`\\b${found}\\b`).test(text),
			`a row with the wrong number of cells: the message must give its line ${first.lines[0]}, ${expected} expected and ${found} found: ${message}`,
		);
	}
}

function sameValue(expected: Expected | undefined, actual: unknown): boolean {
	if (expected === undefined) return actual === undefined;
	if ('instant' in expected) {
		if (typeof actual !== 'string' || !/(Z|[+-]\d{2}:?\d{2})$/i.test(actual)) return false;
		return DateTime.fromISO(actual, { setZone: true }).toMillis() === expected.instant;
	}
	return Object.is(actual, expected.exact) || (typeof actual === 'number' && actual === expected.exact);
}

function describeExpected(expected: Expected | undefined): string {
	if (expected === undefined) return 'nothing';
	if ('instant' in expected) return `the instant ${new Date(expected.instant).toISOString()}`;
	return JSON.stringify(expected.exact);
}

interface ImportExpectation {
	rows: RowExpectation[];
	/** Input rows the node must count (items, or file data rows without empty ones). */
	inputCount: number;
	notSubmitted: number;
}

function checkImported(findings: Findings, result: RunResult, emulator: MarketoEmulator, expectation: ImportExpectation): Totals | undefined {
	findings.check(result.error === undefined, `model predicts a clean import, but the node raised: ${result.error?.message}`);
	if (result.error !== undefined) return undefined;
	const output = result.output('Import');
	for (const outputIndex of [0, 1]) {
		result
			.output('Import', outputIndex)
			.forEach((item, n) => findings.check(pairedIndexes(item).length > 0, `item ${n} of output ${outputIndex} has no pairedItem`));
	}

	const jobs = emulator.jobs();
	const batches = batchItems(output);
	findings.check(
		JSON.stringify(batches.map((b) => b.json.batchId).sort()) === JSON.stringify(jobs.map((j) => j.batchId).sort()),
		`one output item per accepted batch: output has batches [${batches.map((b) => b.json.batchId).join(', ')}], Marketo has [${jobs.map((j) => j.batchId).join(', ')}]`,
	);
	for (const { json } of batches) {
		const job = jobs.find((j) => j.batchId === json.batchId);
		if (job === undefined) continue;
		const tag = `batch ${json.batchId}`;
		findings.check(json.status === 'Complete' && job.status === 'Complete', `${tag}: status ${json.status} (Marketo: ${job.status}), expected Complete`);
		findings.check(json.numOfRowsFailed === job.counters.failed, `${tag}: numOfRowsFailed ${json.numOfRowsFailed}, Marketo's counter ${job.counters.failed}`);
		findings.check(json.numOfRowsWithWarning === job.counters.warnings, `${tag}: numOfRowsWithWarning ${json.numOfRowsWithWarning}, Marketo's counter ${job.counters.warnings}`);
		findings.check(json.numOfLeadsProcessed === job.counters.processed, `${tag}: numOfLeadsProcessed ${json.numOfLeadsProcessed}, Marketo's counter ${job.counters.processed}`);
		findings.check(json.file?.rows === job.dataRows, `${tag}: file.rows ${json.file?.rows}, Marketo received ${job.dataRows} rows`);
		const rows = json.rows;
		findings.check(rows !== undefined && typeof rows === 'object', `${tag}: no per-batch "rows" outcome counts`);
		if (rows === undefined || typeof rows !== 'object') continue;
		findings.check(rows.failed === job.counters.failed, `${tag}: rows.failed ${rows.failed}, Marketo's counter ${job.counters.failed}`);
		findings.check(rows.importedWithWarning === job.counters.warnings, `${tag}: rows.importedWithWarning ${rows.importedWithWarning}, Marketo's counter ${job.counters.warnings}`);
		findings.check(
			rows.imported === job.counters.processed - job.counters.warnings && rows.outcomeUnknown === 0 && rows.pending === 0,
			`${tag}: every row was traced, so rows.imported must be ${job.counters.processed - job.counters.warnings} with none unknown or pending: ${JSON.stringify(rows)}`,
		);
		const sum = rows.imported + rows.importedWithWarning + rows.failed + rows.outcomeUnknown + rows.pending;
		findings.check(sum === json.file?.rows, `${tag}: rows add up to ${sum}, the file has ${json.file?.rows}`);
	}

	const withTotals = output.filter((item) => item.json.totals !== undefined);
	findings.check(withTotals.length > 0, 'no output item has totals');
	const totals = withTotals[0]?.json.totals as unknown as Totals | undefined;
	if (totals === undefined) return undefined;
	findings.check(withTotals.every((item) => JSON.stringify(item.json.totals) === JSON.stringify(totals)), 'output items disagree on the totals');
	findings.check(totals.items === sumOutcomes(totals), `totals do not add up: ${JSON.stringify(totals)}`);
	const want = { imported: 0, importedWithWarning: 0, failed: 0 };
	for (const row of expectation.rows) want[row.outcome]++;
	const expectedTotals: Totals = {
		items: expectation.inputCount,
		...want,
		notSubmitted: expectation.notSubmitted,
		pending: 0,
		outcomeUnknown: 0,
	};
	for (const key of ['items', ...OUTCOMES] as const) {
		findings.check(totals[key] === expectedTotals[key], `totals.${key} is ${totals[key]}, expected ${expectedTotals[key]} (totals ${JSON.stringify(totals)})`);
	}
	const counters = jobs.reduce((sum, j) => ({ processed: sum.processed + j.counters.processed, failed: sum.failed + j.counters.failed, warnings: sum.warnings + j.counters.warnings }), { processed: 0, failed: 0, warnings: 0 });
	findings.check(
		totals.failed === counters.failed && totals.importedWithWarning === counters.warnings && totals.imported === counters.processed - counters.warnings,
		`totals ${JSON.stringify(totals)} disagree with Marketo's counters ${JSON.stringify(counters)}`,
	);

	// The leads, value for value.
	const leads = emulator.leads();
	const expectedLeads = expectation.rows.filter((row) => row.outcome !== 'failed');
	findings.check(leads.length === expectedLeads.length, `Marketo holds ${leads.length} leads, expected ${expectedLeads.length}`);
	for (const row of expectedLeads) {
		const lead = leads.find((l) => l.email === row.email);
		findings.check(lead !== undefined, `no lead with email ${JSON.stringify(row.email)}`);
		if (lead === undefined) continue;
		for (const field of OTHER_FIELDS) {
			const expected = row.values.get(field.name);
			findings.check(
				sameValue(expected, lead[field.name]),
				`lead ${JSON.stringify(row.email)}: ${field.name} is ${JSON.stringify(lead[field.name])}, expected ${describeExpected(expected)}`,
			);
		}
	}
	return totals;
}

// ── The properties ────────────────────────────────────────────────────────────────────

const settings = propertyRunSettings(100, 45_000);
let emulator: MarketoEmulator;
/** How many cases the model judged importable (a) or refused (b); printed with FC_STATS=1. */
const tally = { items: { a: 0, b: 0 }, files: { a: 0, b: 0 } };

beforeAll(async () => {
	emulator = await startEmulator();
});

afterAll(async () => {
	await emulator?.close();
	if (process.env.FC_STATS || process.env.FC_SURVEY) process.stdout.write(`cases (a: imported, b: refused): ${JSON.stringify(tally)}\n`);
	for (const [name, counts] of Object.entries(tally)) {
		// fast-check stops drawing cases at the time limit: say so rather than pass quietly on fewer.
		if (!Findings.seenAny && counts.a + counts.b < settings.numRuns) process.stderr.write(`Only ${counts.a + counts.b} of ${settings.numRuns} ${name} cases ran within ${settings.timeLimitMs} ms\n`);
	}
	printSurvey();
});

function freshRun(): void {
	emulator.reset();
	clearTokenCache();
}

const importStep = (parameters: IDataObject, options: IDataObject) => ({
	name: 'Import',
	parameters: {
		resource: 'lead',
		operation: 'import',
		lookupField: 'email',
		...parameters,
		options: { ...FAST_NODE_OPTIONS, waitForCompletion: true, timeoutMinutes: 1, ...options },
	},
});

const maxFileSizeArb = fc.constantFrom<number | undefined>(undefined, 0.001, 0.002);

const itemCaseArb = fc.record({
	items: fc.array(itemArb, { minLength: 1, maxLength: 12 }),
	mutations: fc.oneof({ weight: 2, arbitrary: fc.constant([] as ItemMutation[]) }, { weight: 1, arbitrary: fc.array(itemMutationArb, { minLength: 1, maxLength: 2 }) }),
	zone: fc.constantFrom(...ZONES),
	format: fc.constantFrom('csv', 'tsv', 'ssv'),
	maxFileSizeMb: maxFileSizeArb,
});

const fileCaseArb = fc.record({
	files: fc.array(fileArb, { minLength: 1, maxLength: 2 }),
	mutations: fc.oneof(
		{ weight: 2, arbitrary: fc.constant([] as Array<FileMutation & { file: number }>) },
		{ weight: 1, arbitrary: fc.array(fc.tuple(fileMutationArb, fc.nat()).map(([m, file]) => ({ ...m, file })), { minLength: 1, maxLength: 2 }) },
	),
	skipRagged: fc.boolean(),
	inputDelimiter: fc.constantFrom<'auto' | Delimiter>('auto', 'auto', ',', '\t', ';'),
	zone: fc.constantFrom(...ZONES),
	format: fc.constantFrom('csv', 'tsv', 'ssv'),
	maxFileSizeMb: maxFileSizeArb,
});

describe(`Import, property-based end to end (seed ${settings.seed}, ${settings.numRuns} runs each; replay with FC_SEED=${settings.seed})`, () => {
	it(
		'items: Marketo holds exactly the expected leads and the totals match its counters, or a clear error names the item and nothing is uploaded',
		async () => {
			await fc.assert(
				fc.asyncProperty(itemCaseArb, async (c) => {
					freshRun();
					const entries = c.items.map((item) => item.map((e) => ({ ...e, cell: { ...e.cell } })));
					for (const m of c.mutations) applyItemMutation(entries, m);
					const items = entries.map((item, i) => Object.fromEntries(item.map((e) => [e.key, instantiate(e.cell, i)])) as IDataObject);
					const problems = entries.flatMap((item, i) => itemProblems(item, i));

					const result = await runWorkflow({
						items,
						itemsAsIs: true,
						timezone: c.zone,
						credentials: credentialsFor(emulator),
						steps: [importStep({ format: c.format }, c.maxFileSizeMb === undefined ? {} : { maxFileSizeMb: c.maxFileSizeMb })],
					});

					const findings = new Findings();
					tally.items[problems.length > 0 ? 'b' : 'a']++;
					if (problems.length > 0) checkRefused(findings, result, emulator, problems);
					else {
						const rows = entries.map((item, i) =>
							expectRow(
								item.map((e) => ({ field: FIELD.get(e.field as string) as PoolField, cell: e.cell })),
								i,
								c.zone,
							),
						);
						checkImported(findings, result, emulator, { rows, inputCount: items.length, notSubmitted: 0 });
					}
					findings.throwIfAny(`items as the node got them (workflow time zone ${c.zone}): ${printable(items)}\nerror: ${result.error?.message ?? 'none'}`);
				}),
				assertOptions(settings),
			);
		},
		settings.jestTimeoutMs,
	);

	it(
		'binary files: the same, with ragged and empty rows, BOM, CRLF/LF, quoted line breaks and all three delimiters',
		async () => {
			await fc.assert(
				fc.asyncProperty(fileCaseArb, async (c) => {
					freshRun();
					const specs: FileSpec[] = c.files.map((f) => ({ ...f, columns: f.columns.map((col) => ({ ...col })), rows: f.rows.map((r) => (r.kind === 'data' ? { kind: 'data', cells: r.cells.map((x) => ({ ...x })) } : { ...r })) }));
					for (const m of c.mutations) applyFileMutation(specs[m.file % specs.length], m);
					const chosen = c.inputDelimiter === 'auto' ? undefined : c.inputDelimiter;
					const written = specs.map((spec, f) => writeFile(spec, f, chosen));
					const verdicts = specs.map((spec, f) => judgeFile(spec, written[f], f, c.skipRagged, c.zone));
					const problems = verdicts.flatMap((v) => v.problems);

					const result = await runWorkflow({
						items: specs.map((_, f) => ({ name: `export ${f}` })),
						files: written.map((w, f) => ({ data: { text: w.text, fileName: `export-${f}.${DELIMITER_NAME[w.delimiter]}` } })),
						timezone: c.zone,
						credentials: credentialsFor(emulator),
						steps: [
							importStep(
								{
									inputSource: 'binaryFile',
									binaryPropertyName: 'data',
									format: c.format,
									inputDelimiter: chosen === undefined ? 'auto' : DELIMITER_NAME[chosen],
									...(c.skipRagged ? { wrongCellCount: 'skip' } : {}),
								},
								c.maxFileSizeMb === undefined ? {} : { maxFileSizeMb: c.maxFileSizeMb },
							),
						],
					});

					const findings = new Findings();
					tally.files[problems.length > 0 ? 'b' : 'a']++;
					if (problems.length > 0) checkRefused(findings, result, emulator, problems);
					else {
						const rows = verdicts.flatMap((v) => v.rows);
						const ragged = verdicts.flatMap((v, f) => v.ragged.map((r) => ({ ...r, item: f })));
						checkImported(findings, result, emulator, { rows, inputCount: rows.length + ragged.length, notSubmitted: ragged.length });
						const output = result.error === undefined ? result.output('Import') : [];
						// Each skipped ragged row is an item on Rows to Fix, paired with its file's item, naming its line.
						const rowsToFix = result.error === undefined ? result.output('Import', 1) : [];
						for (const row of ragged) {
							const reported = rowsToFix.some(
								(item) =>
									item.json.batchId === undefined &&
									pairedIndexes(item).includes(row.item) &&
									(Object.values(item.json).includes(row.line) || new RegExp(`line\\D{0,3}${row.line}\\b`, 'i').test(JSON.stringify(item.json))),
							);
							findings.check(reported, `the skipped row on line ${row.line} of file ${row.item} is not reported as an output item paired with item ${row.item}`);
						}
						// Skipped empty rows are counted (only checked with one file: per-file attribution is the node's choice).
						if (specs.length === 1 && result.error === undefined) {
							const counts = batchItems(output).map((b) => Number(b.json.file?.skippedEmptyRows ?? 0));
							const reported = Math.max(0, ...counts);
							const { empty, blank } = verdicts[0];
							findings.check(
								reported >= empty && reported <= empty + blank,
								`file.skippedEmptyRows is ${reported}, the file has ${empty} empty rows (and ${blank} blank lines)`,
							);
						}
					}
					findings.throwIfAny(
						`files as the node got them (workflow time zone ${c.zone}, wrong cell count: ${c.skipRagged ? 'skip' : 'stop'}):\n${written.map((w, f) => `file ${f}: ${JSON.stringify(w.text)}`).join('\n')}\nerror: ${result.error?.message ?? 'none'}`,
					);
				}),
				assertOptions(settings),
			);
		},
		settings.jestTimeoutMs,
	);
});
