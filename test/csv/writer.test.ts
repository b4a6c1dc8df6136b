 
import fc from 'fast-check';
import Papa from 'papaparse';

import {
	encodeCell,
	encodeRow,
	LINE_END,
	writeDelimited,
	type Delimiter,
} from '../../nodes/MarketoBulkImport/csv';

import { cell, delimiter, DELIMITER_LIST, NUM_RUNS, row, table } from './arbitraries';

function papaUnparse(header: string[], rows: string[][], d: Delimiter): string {
	return Papa.unparse([header, ...rows], { delimiter: d, newline: '\r\n' });
}

describe('writer vs Papa.unparse (property-based)', () => {
	test.each(DELIMITER_LIST)('writeDelimited is byte-identical for delimiter %j', (d) => {
		fc.assert(
			fc.property(table, ({ header, rows }) => {
				expect(writeDelimited(header, rows, d)).toBe(papaUnparse(header, rows, d));
			}),
			{ numRuns: NUM_RUNS },
		);
	});

	test('encodeCell quotes exactly like papaparse', () => {
		fc.assert(
			fc.property(cell, delimiter, (value, d) => {
				expect(encodeCell(value, d)).toBe(Papa.unparse([[value]], { delimiter: d }));
			}),
			{ numRuns: NUM_RUNS * 5 },
		);
	});

	test('encodeRow matches one papaparse line', () => {
		fc.assert(
			fc.property(row(), delimiter, (cells, d) => {
				expect(encodeRow(cells, d)).toBe(Papa.unparse([cells], { delimiter: d }));
			}),
			{ numRuns: NUM_RUNS },
		);
	});

	test('encodeRow never mutates its input', () => {
		fc.assert(
			fc.property(row(), delimiter, (cells, d) => {
				const copy = [...cells];
				encodeRow(cells, d);
				expect(cells).toEqual(copy);
			}),
			{ numRuns: 500 },
		);
	});
});

describe('writer edge cases', () => {
	test('lines are joined with CRLF and the last line has no line end', () => {
		expect(LINE_END).toBe('\r\n');
		expect(
			writeDelimited(
				['a', 'b'],
				[
					['1', '2'],
					['3', '4'],
				],
				',',
			),
		).toBe('a,b\r\n1,2\r\n3,4');
		expect(writeDelimited(['a'], [], ',')).toBe('a');
	});

	test('quotes are doubled inside quoted cells', () => {
		expect(encodeCell('say "hi"', ',')).toBe('"say ""hi"""');
		expect(encodeCell('"', ',')).toBe('""""');
	});

	test('cells with the delimiter are quoted, other delimiters are not', () => {
		expect(encodeCell('a,b', ',')).toBe('"a,b"');
		expect(encodeCell('a,b', '\t')).toBe('a,b');
		expect(encodeCell('a\tb', '\t')).toBe('"a\tb"');
		expect(encodeCell('a\tb', ',')).toBe('a\tb');
		expect(encodeCell('a;b', ';')).toBe('"a;b"');
		expect(encodeCell('a;b', ',')).toBe('a;b');
	});

	test('line breaks inside cells are quoted', () => {
		expect(encodeCell('a\r\nb', ',')).toBe('"a\r\nb"');
		expect(encodeCell('a\nb', ';')).toBe('"a\nb"');
		expect(encodeCell('a\rb', '\t')).toBe('"a\rb"');
	});

	test('only a leading or trailing space (U+0020) forces quotes, not other whitespace', () => {
		expect(encodeCell(' a', ',')).toBe('" a"');
		expect(encodeCell('a ', ',')).toBe('"a "');
		expect(encodeCell(' ', ',')).toBe('" "');
		expect(encodeCell('a b', ',')).toBe('a b');
		expect(encodeCell('\ta', ',')).toBe('\ta');
		expect(encodeCell('a\u00A0', ',')).toBe('a\u00A0');
	});

	test('a BOM anywhere in a cell is quoted', () => {
		expect(encodeCell('\uFEFFa', ',')).toBe('"\uFEFFa"');
		expect(encodeCell('a\uFEFF', ',')).toBe('"a\uFEFF"');
	});

	test('formulae are not escaped (escapeFormulae is off)', () => {
		expect(encodeCell('=SUM(A1)', ',')).toBe('=SUM(A1)');
		expect(encodeCell('+1', ',')).toBe('+1');
	});

	test('empty cells are not quoted', () => {
		expect(encodeCell('', ',')).toBe('');
		expect(encodeRow(['', '', ''], ',')).toBe(',,');
	});

	test('a row that is a single empty string becomes a blank line', () => {
		expect(writeDelimited(['email'], [['a@b.c'], [''], ['d@e.f']], ',')).toBe(
			'email\r\na@b.c\r\n\r\nd@e.f',
		);
	});

	test('rows are written as given, without padding to the header', () => {
		expect(writeDelimited(['a', 'b', 'c'], [['1'], ['1', '2', '3', '4'], []], ',')).toBe(
			'a,b,c\r\n1\r\n1,2,3,4\r\n',
		);
	});

	test('non-ASCII text is written unchanged', () => {
		expect(
			writeDelimited(['Émail', '名前', 'ステータス'], [['zoë@exämple.com', '李 雷', '😀']], ','),
		).toBe('Émail,名前,ステータス\r\nzoë@exämple.com,李 雷,😀');
	});
});
