/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import fc from 'fast-check';
import Papa from 'papaparse';

import type { Delimiter } from '../../nodes/MarketoBulkImport/csv';
import type { FileRow, WrongCellCountRow } from '../../nodes/MarketoBulkImport/import/fileRows';
import { readFileRows } from '../../nodes/MarketoBulkImport/import/fileRows';
import { cell, DELIMITER_LIST } from '../csv/arbitraries';

/** Seeded; fast-check prints the seed and path of a failing run. Set FC_SEED to replay. */
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const NUM_RUNS = 500;

describe('readFileRows', () => {
	test('the issue\'s spreadsheet export: ragged rows are set apart, the empty row is skipped', () => {
		const text = [
			'Email;First Name;Last Name;Company',
			'rag.1@example.org;Ann;Lee;Acme',
			'rag.2@example.org;Smith; John;Beta;Extra',
			'rag.3@example.org;Cy',
			';;;',
			'',
		].join('\r\n');
		expect(readFileRows(text, ';')).toEqual({
			header: ['Email', 'First Name', 'Last Name', 'Company'],
			headerLine: 1,
			rows: [{ cells: ['rag.1@example.org', 'Ann', 'Lee', 'Acme'], line: 2 }],
			wrongCellCount: [
				{ line: 3, expected: 4, found: 5, firstCells: ['rag.2@example.org', 'Smith', ' John'] },
				{ line: 4, expected: 4, found: 2, firstCells: ['rag.3@example.org', 'Cy'] },
			],
			skippedEmptyRows: 1,
		});
	});

	test('trailing empty cells beyond the header are a wrong cell count, not trimmed', () => {
		// Read leniently, this row would be imported shifted: lastName " John", company "Beta"
		const result = readFileRows('Email;First Name;Last Name;Company\nrag.2@example.org;Smith; John;Beta;\na;b;c;d;;', ';');
		expect(result.rows).toEqual([]);
		expect(result.wrongCellCount.map(({ line, found }) => ({ line, found }))).toEqual([
			{ line: 2, found: 5 },
			{ line: 3, found: 6 },
		]);
	});

	test('rows of empty cells are skipped and counted whatever their width; blank lines are not counted', () => {
		const text = '\uFEFFa,b,c\r\n,,\r\n\r\n,\r\n""\r\n"",""\r\n,,,,\r\n1,2,3\r\n\n';
		const result = readFileRows(text, ',');
		expect(result.skippedEmptyRows).toBe(5);
		expect(result.rows).toEqual([{ cells: ['1', '2', '3'], line: 8 }]);
		expect(result.wrongCellCount).toEqual([]);
		expect(readFileRows('email\n""\nx', ',')).toMatchObject({ skippedEmptyRows: 1, rows: [{ cells: ['x'], line: 3 }] });
	});

	test('cells of spaces are values, not an empty row', () => {
		expect(readFileRows('a;b\n ; ', ';').rows).toEqual([{ cells: [' ', ' '], line: 2 }]);
	});

	test('lines count quoted line breaks, blank lines and lines before the header; a BOM is not a line', () => {
		const text = '\uFEFF\n\r\nEmail,Note\r\n"a@b.c","two\r\nlines"\r\n\r\nb@c.d,"x\ry"\n"c@d.e",z,extra\r\nd@e.f,w';
		const result = readFileRows(text, ',');
		expect(result.headerLine).toBe(3);
		expect(result.rows).toEqual([
			{ cells: ['a@b.c', 'two\r\nlines'], line: 4 },
			{ cells: ['b@c.d', 'x\ry'], line: 7 },
			{ cells: ['d@e.f', 'w'], line: 10 },
		]);
		expect(result.wrongCellCount).toEqual([{ line: 9, expected: 2, found: 3, firstCells: ['c@d.e', 'z', 'extra'] }]);
	});

	test('rows of empty cells before the header are skipped and counted', () => {
		const result = readFileRows(';;\r\n;;\r\nEmail;A;B\r\nx;y;z', ';');
		expect(result).toMatchObject({ header: ['Email', 'A', 'B'], headerLine: 3, skippedEmptyRows: 2 });
		expect(result.rows).toEqual([{ cells: ['x', 'y', 'z'], line: 4 }]);
	});

	test('header names are kept exactly as written', () => {
		expect(readFileRows('" Email ",first name,Émail\r\n1,2,3', ',').header).toEqual([' Email ', 'first name', 'Émail']);
	});

	test('first cells are at most three, each cut to 40 characters without splitting one', () => {
		const long = '😀'.repeat(50);
		const [wrong] = readFileRows(`a,b\r\n${long},${'x'.repeat(41)},${'y'.repeat(40)},d,e`, ',').wrongCellCount;
		expect(wrong.firstCells).toEqual(['😀'.repeat(40) + '…', 'x'.repeat(40) + '…', 'y'.repeat(40)]);
	});

	describe('problems', () => {
		test.each(['', '\uFEFF', '\r\n\n\r', ';;;\r\n;;\r\n""'])('no header at all: %j', (text) => {
			expect(readFileRows(text, ';')).toMatchObject({ problem: { kind: 'empty' }, rows: [], wrongCellCount: [] });
		});

		test('duplicate column names, each named once, on exact names', () => {
			const result = readFileRows('Email;email;Email;Name;Name ;Name;Name\r\n1;2;3;4;5;6;7', ';');
			expect(result.problem).toEqual({ kind: 'duplicateColumns', names: ['Email', 'Name'] });
			expect(result.header).toEqual(['Email', 'email', 'Email', 'Name', 'Name ', 'Name', 'Name']);
			expect(result.rows).toEqual([]);
		});

		test('blank column names are not duplicates (no field can take them; the column check names them)', () => {
			const result = readFileRows('Email;;\r\na;;', ';');
			expect(result.problem).toBeUndefined();
			expect(result.rows).toEqual([{ cells: ['a', '', ''], line: 2 }]);
		});

		test('an unterminated quote: the line where it opened, and no rows', () => {
			const text = 'Email;Name\r\na@b.c;"Ann\r\nLee"\r\nb@c.d;"Bob\r\nc@d.e;Cy\r\n';
			expect(readFileRows(text, ';')).toMatchObject({
				problem: { kind: 'unterminatedQuote', line: 4 },
				rows: [],
				wrongCellCount: [],
			});
			expect(readFileRows('"Email;Name\r\na;b', ';').problem).toEqual({ kind: 'unterminatedQuote', line: 1 });
		});
	});
});

type Drawn =
	| { kind: 'good'; cells: string[] }
	| { kind: 'ragged'; cells: string[] }
	| { kind: 'empty'; width: number; quoted: boolean }
	| { kind: 'blank' };

function breaksIn(text: string): number {
	return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

const someValue = (cells: string[]) => (cells.every((c) => c === '') ? ['x', ...cells.slice(1)] : cells);

describe('readFileRows (property-based)', () => {
	test('good rows on their lines, ragged rows set apart on theirs, empty rows counted', () => {
		const width = fc.integer({ min: 1, max: 5 });
		const drawnFor = (w: number): fc.Arbitrary<Drawn> =>
			fc.oneof(
				{ weight: 5, arbitrary: fc.array(cell, { minLength: w, maxLength: w }).map((c) => ({ kind: 'good' as const, cells: someValue(c) })) },
				{
					weight: 2,
					arbitrary: fc
						.array(cell, { minLength: 1, maxLength: w + 3 })
						.filter((c) => c.length !== w)
						.map((c) => ({ kind: 'ragged' as const, cells: someValue(c) })),
				},
				{ weight: 1, arbitrary: fc.record({ kind: fc.constant('empty' as const), width: fc.integer({ min: 1, max: 7 }), quoted: fc.boolean() }) },
				{ weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) },
			);
		const input = width.chain((w) =>
			fc.record({
				header: fc.uniqueArray(cell.filter((c) => c !== ''), { minLength: w, maxLength: w }),
				before: fc.nat({ max: 2 }),
				rows: fc.array(drawnFor(w), { maxLength: 12 }),
				delimiter: fc.constantFrom<Delimiter>(...DELIMITER_LIST),
				newline: fc.constantFrom('\r\n', '\n', '\r'),
				bom: fc.boolean(),
				trailingNewline: fc.boolean(),
			}),
		);
		fc.assert(
			fc.property(input, ({ header, before, rows, delimiter: d, newline, bom, trailingNewline }) => {
				const write = (cells: string[]) => Papa.unparse([cells], { delimiter: d, newline });
				let text = (bom ? '\uFEFF' : '') + newline.repeat(before) + write(header);
				const good: FileRow[] = [];
				const wrong: Array<Omit<WrongCellCountRow, 'firstCells'> & { cells: string[] }> = [];
				let empty = 0;
				for (const drawn of rows) {
					text += newline;
					const line = breaksIn(text) + 1;
					if (drawn.kind === 'blank') continue;
					if (drawn.kind === 'empty') {
						empty++;
						text += Array(drawn.width).fill(drawn.quoted || drawn.width === 1 ? '""' : '').join(d);
					} else {
						text += write(drawn.cells);
						if (drawn.kind === 'good') good.push({ cells: drawn.cells, line });
						else wrong.push({ line, expected: header.length, found: drawn.cells.length, cells: drawn.cells });
					}
				}
				if (trailingNewline) text += newline;

				const result = readFileRows(text, d);
				expect(result.problem).toBeUndefined();
				expect(result.header).toEqual(header);
				expect(result.headerLine).toBe(before + 1);
				expect(result.rows).toEqual(good);
				for (const row of result.rows) expect(row.cells).toHaveLength(header.length);
				expect(result.skippedEmptyRows).toBe(empty);
				expect(result.wrongCellCount.map(({ line, expected, found }) => ({ line, expected, found }))).toEqual(
					wrong.map(({ line, expected, found }) => ({ line, expected, found })),
				);
				result.wrongCellCount.forEach(({ firstCells }, i) => {
					expect(firstCells).toHaveLength(Math.min(3, wrong[i].cells.length));
					firstCells.forEach((shown, j) => {
						const original = wrong[i].cells[j];
						expect(shown === original || (shown.endsWith('…') && original.startsWith(shown.slice(0, -1)))).toBe(true);
						expect([...shown].length).toBeLessThanOrEqual(41);
					});
				});
			}),
			{ seed: SEED, numRuns: NUM_RUNS },
		);
	});
});
