/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import fc from 'fast-check';
import Papa from 'papaparse';

import {
	parseDelimited,
	parseDelimitedRecords,
	writeDelimited,
	type Delimiter,
} from '../../nodes/MarketoBulkImport/csv';
import {
	parseDelimitedWithLines,
} from '../../nodes/MarketoBulkImport/csv/reader';

import { delimiter, DELIMITER_LIST, isBlankRow, NUM_RUNS, row, table } from './arbitraries';

const NEWLINES = ['\r\n', '\n', '\r'] as const;

function papaParse(text: string, d: Delimiter, newline: (typeof NEWLINES)[number]): string[][] {
	return Papa.parse<string[]>(text, { delimiter: d, newline, skipEmptyLines: true }).data;
}

describe('round trip (property-based)', () => {
	test.each(DELIMITER_LIST)('parseDelimited(writeDelimited(x)) === x for delimiter %j', (d) => {
		fc.assert(
			fc.property(table, fc.boolean(), fc.boolean(), ({ header, rows }, trailingNewline, bom) => {
				const text =
					(bom ? '\uFEFF' : '') + writeDelimited(header, rows, d) + (trailingNewline ? '\r\n' : '');
				// Rows the writer turns into blank lines are the one documented loss
				const expected = [header, ...rows].filter((r) => !isBlankRow(r));
				expect(parseDelimited(text, d)).toEqual(expected);
			}),
			{ numRuns: NUM_RUNS },
		);
	});

	test('parseDelimitedRecords splits off the header', () => {
		fc.assert(
			fc.property(table, delimiter, ({ header, rows }, d) => {
				fc.pre(!isBlankRow(header));
				const parsed = parseDelimitedRecords(writeDelimited(header, rows, d), d);
				expect(parsed.header).toEqual(header);
				expect(parsed.rows).toEqual(rows.filter((r) => !isBlankRow(r)));
			}),
			{ numRuns: NUM_RUNS },
		);
	});
});

describe('reader vs Papa.parse (property-based)', () => {
	test.each(DELIMITER_LIST)('same records as papaparse (skipEmptyLines) for delimiter %j', (d) => {
		fc.assert(
			fc.property(
				table,
				fc.constantFrom(...NEWLINES),
				fc.boolean(),
				fc.boolean(),
				({ header, rows }, newline, trailingNewline, bom) => {
					const text =
						(bom ? '\uFEFF' : '') +
						Papa.unparse([header, ...rows], { delimiter: d, newline }) +
						(trailingNewline ? newline : '');
					expect(parseDelimited(text, d)).toEqual(papaParse(text, d, newline));
				},
			),
			{ numRuns: NUM_RUNS },
		);
	});

	test('same records as papaparse on unquoted text with blank lines', () => {
		const chunk = fc.constantFrom('a', 'bc', 'é', '中', '😀', ' ', ',', ';', '\t', '\n', '\n\n');
		fc.assert(
			fc.property(
				fc.array(chunk, { maxLength: 40 }),
				delimiter,
				fc.constantFrom(...NEWLINES),
				(chunks, d, newline) => {
					const text = chunks.join('').replace(/\n/g, newline);
					expect(parseDelimited(text, d)).toEqual(papaParse(text, d, newline));
				},
			),
			{ numRuns: NUM_RUNS },
		);
	});
	test.each(DELIMITER_LIST)('a 5,000-row file matches papaparse and round-trips (%j)', (d) => {
		const [rows] = fc.sample(fc.array(row(8), { minLength: 5000, maxLength: 5000 }), {
			seed: 42,
			numRuns: 1,
		});
		const text = writeDelimited(['a', 'b'], rows, d) + '\r\n';
		const parsed = parseDelimited(text, d);
		expect(parsed).toEqual(papaParse(text, d, '\r\n'));
		expect(parsed).toEqual([['a', 'b'], ...rows.filter((r) => !isBlankRow(r))]);
	});
});

describe('reader totality (property-based)', () => {
	test('never throws and returns only non-empty string rows on any input', () => {
		const chunk = fc.oneof(
			fc.constantFrom('"', '""', ',', ';', '\t', '\r', '\n', '\r\n', 'a', ' ', '\uFEFF', 'é', '😀'),
			fc.string({ unit: 'binary', maxLength: 3 }),
		);
		fc.assert(
			fc.property(
				fc.array(chunk, { maxLength: 30 }),
				delimiter,
				fc.boolean(),
				(chunks, d, stripBom) => {
					const rows = parseDelimited(chunks.join(''), d, { stripBom });
					for (const r of rows) {
						expect(r.length).toBeGreaterThan(0);
						for (const value of r) expect(typeof value).toBe('string');
					}
				},
			),
			{ numRuns: NUM_RUNS * 2 },
		);
	});

	test('without quotes, every character but line breaks and delimiters is kept', () => {
		const chunk = fc.constantFrom('a', 'é', '😀', ' ', ',', ';', '\t', '\r', '\n', '\r\n');
		fc.assert(
			fc.property(fc.array(chunk, { maxLength: 30 }), delimiter, (chunks, d) => {
				const text = chunks.join('');
				const kept = parseDelimited(text, d)
					.map((r) => r.join(''))
					.join('');
				expect(kept).toBe(
					text
						.split(/[\r\n]/)
						.join('')
						.split(d)
						.join(''),
				);
			}),
			{ numRuns: NUM_RUNS },
		);
	});
});

describe('reader edge cases', () => {
	test('doubled quotes inside a quoted field are one quote', () => {
		expect(parseDelimited('"say ""hi""",""""\r\n', ',')).toEqual([['say "hi"', '"']]);
	});

	test('CRLF, LF and delimiters inside quotes are data', () => {
		expect(parseDelimited('a,b\r\n"line1\r\nline2","x,y\nz"\r\n', ',')).toEqual([
			['a', 'b'],
			['line1\r\nline2', 'x,y\nz'],
		]);
	});

	test('empty cells are kept', () => {
		expect(parseDelimited('a,,c\r\n,,\r\n,b,', ',')).toEqual([
			['a', '', 'c'],
			['', '', ''],
			['', 'b', ''],
		]);
		expect(parseDelimited('"",""', ',')).toEqual([['', '']]);
	});

	test('blank lines are skipped, but a quoted empty field on its own line is a record', () => {
		expect(parseDelimited('email\r\n\r\na@b.c\r\n\r\n\r\n', ',')).toEqual([['email'], ['a@b.c']]);
		expect(parseDelimited('email\r\n""\r\na@b.c', ',')).toEqual([['email'], [''], ['a@b.c']]);
	});

	test('a row that is a single empty string does not survive a round trip (blank line)', () => {
		const text = writeDelimited(['email'], [['a@b.c'], [''], ['d@e.f']], ',');
		expect(parseDelimited(text, ',')).toEqual([['email'], ['a@b.c'], ['d@e.f']]);
	});

	test('a trailing delimiter makes a last empty field', () => {
		expect(parseDelimited('a,b,\r\nc,d,', ',')).toEqual([
			['a', 'b', ''],
			['c', 'd', ''],
		]);
		expect(parseDelimited('a;', ';')).toEqual([['a', '']]);
	});

	test('a trailing line break adds no record', () => {
		expect(parseDelimited('a\r\n', ',')).toEqual([['a']]);
		expect(parseDelimited('a\n', ',')).toEqual([['a']]);
		expect(parseDelimited('a\r', ',')).toEqual([['a']]);
		expect(parseDelimited('"a"\r\n', ',')).toEqual([['a']]);
	});

	test('CRLF, LF and lone CR all end records, even mixed', () => {
		expect(parseDelimited('a\r\nb\nc\rd', ',')).toEqual([['a'], ['b'], ['c'], ['d']]);
		expect(parseDelimited('"a"\rb\r\r\nc', ',')).toEqual([['a'], ['b'], ['c']]);
	});

	test('a stray quote inside an unquoted field is kept literally', () => {
		expect(parseDelimited('ab"c,d\r\ne"",f"', ',')).toEqual([
			['ab"c', 'd'],
			['e""', 'f"'],
		]);
	});

	test('text after a closing quote is kept literally up to the field end', () => {
		expect(parseDelimited('"ab"c,d\r\n"x" ,y', ',')).toEqual([
			['abc', 'd'],
			['x ', 'y'],
		]);
		expect(parseDelimited('"a"b"c"\r\n', ',')).toEqual([['ab"c"']]);
	});

	test('an unterminated quote at EOF takes the rest of the text', () => {
		expect(parseDelimited('a,"bc\r\nd,""e', ',')).toEqual([['a', 'bc\r\nd,"e']]);
		expect(parseDelimited('"', ',')).toEqual([['']]);
	});

	test('a UTF-8 BOM at the start is stripped unless asked not to', () => {
		expect(parseDelimited('\uFEFFemail\r\na', ',')).toEqual([['email'], ['a']]);
		expect(parseDelimited('\uFEFFemail\r\na', ',', { stripBom: false })).toEqual([
			['\uFEFFemail'],
			['a'],
		]);
		expect(parseDelimited('\uFEFF"email"', ',')).toEqual([['email']]);
		expect(parseDelimited('"\uFEFFemail"', ',')).toEqual([['\uFEFFemail']]);
	});

	test('a non-ASCII header is read unchanged', () => {
		expect(parseDelimitedRecords('Émail;名前;😀 Status\r\nzoë@exämple.com;李;✓', ';')).toEqual({
			header: ['Émail', '名前', '😀 Status'],
			rows: [['zoë@exämple.com', '李', '✓']],
		});
	});

	test('only the given delimiter splits fields', () => {
		expect(parseDelimited('a,b\tc;d', '\t')).toEqual([['a,b', 'c;d']]);
		expect(parseDelimited('a,b\tc;d', ';')).toEqual([['a,b\tc', 'd']]);
	});

	test('rows keep their own width', () => {
		expect(parseDelimited('a,b,c\r\n1\r\n1,2,3,4', ',')).toEqual([
			['a', 'b', 'c'],
			['1'],
			['1', '2', '3', '4'],
		]);
	});

	test('empty or blank text has no records', () => {
		expect(parseDelimited('', ',')).toEqual([]);
		expect(parseDelimited('\r\n\n\r', ',')).toEqual([]);
		expect(parseDelimited('\uFEFF', ',')).toEqual([]);
		expect(parseDelimitedRecords('', ',')).toEqual({ header: [], rows: [] });
	});

	test('a Marketo failures file', () => {
		const text =
			'email,firstName,Import Failure Reason\r\n' +
			'bad@,José,Invalid email address\r\n' +
			',"O\'Brien, Jr.","Value for required field ""email"" not specified"\r\n';
		expect(parseDelimitedRecords(text, ',')).toEqual({
			header: ['email', 'firstName', 'Import Failure Reason'],
			rows: [
				['bad@', 'José', 'Invalid email address'],
				['', "O'Brien, Jr.", 'Value for required field "email" not specified'],
			],
		});
	});
});

// ---------------------------------------------------------------------------------------------
// Records with the line each starts on, and unterminated quotes (for file input messages)

/** Seeded; fast-check prints the seed and path of a failing run. Set FC_SEED to replay. */
const LINES_SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const LINES_RUNS = 1000;

/** Line breaks as a person counts them: CRLF, lone CR and LF are one each. */
function breaksIn(text: string): number {
	return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

/** Writes each record with Papa.unparse, and knows on which line each one starts. */
function writeWithLines(
	records: string[][],
	d: Delimiter,
	newline: string,
	prefix: string,
): { text: string; records: string[][]; lines: number[] } {
	let text = prefix;
	const kept: string[][] = [];
	const lines: number[] = [];
	records.forEach((record, i) => {
		if (i > 0) text += newline;
		if (!isBlankRow(record)) {
			kept.push(record);
			lines.push(breaksIn(text) + 1);
		}
		text += Papa.unparse([record], { delimiter: d, newline });
	});
	return { text, records: kept, lines };
}

describe('parseDelimitedWithLines', () => {
	test('line numbers count line breaks inside quoted fields (CRLF, LF, lone CR)', () => {
		const text = 'a,b\r\n"x\r\ny","z\nw"\r\n"p\rq",r\r\ns,t';
		expect(parseDelimitedWithLines(text, ',')).toEqual({
			records: [
				['a', 'b'],
				['x\r\ny', 'z\nw'],
				['p\rq', 'r'],
				['s', 't'],
			],
			lines: [1, 2, 5, 7],
		});
	});

	test('blank lines are skipped but counted as lines, whatever their line break', () => {
		expect(parseDelimitedWithLines('\n\r\na\r\rb\n\n', ';')).toEqual({
			records: [['a'], ['b']],
			lines: [3, 5],
		});
		expect(parseDelimitedWithLines('\r\n\n\r', ',')).toEqual({ records: [], lines: [] });
		expect(parseDelimitedWithLines('', ',')).toEqual({ records: [], lines: [] });
	});

	test('a BOM is not a line; the first line after it is line 1', () => {
		expect(parseDelimitedWithLines('\uFEFFemail\r\nx', ',')).toEqual({
			records: [['email'], ['x']],
			lines: [1, 2],
		});
		expect(parseDelimitedWithLines('\uFEFF\r\nemail\r\nx', ',').lines).toEqual([2, 3]);
		expect(parseDelimitedWithLines('\uFEFFa', ',', { stripBom: false }).records).toEqual([['\uFEFFa']]);
	});

	test('an unterminated quote is reported at the line where it opened', () => {
		expect(parseDelimitedWithLines('a,b\r\nc,"d\r\ne\r\n', ',')).toEqual({
			records: [
				['a', 'b'],
				['c', 'd\r\ne\r\n'],
			],
			lines: [1, 2],
			unterminatedQuoteLine: 2,
		});
		// The record starts on line 2; the quote that never closes opens on line 3
		const text = 'h\r\n"x\ny",z,"open\nmore,"",stuff\r\nrest';
		const parsed = parseDelimitedWithLines(text, ',');
		expect(parsed.lines).toEqual([1, 2]);
		expect(parsed.unterminatedQuoteLine).toBe(3);
		// A doubled quote at the very end is an escaped quote, not a closing one
		expect(parseDelimitedWithLines('"abc""', ',').unterminatedQuoteLine).toBe(1);
		expect(parseDelimitedWithLines('"', ',').unterminatedQuoteLine).toBe(1);
	});

	test('closed quotes and literal quotes are not unterminated', () => {
		for (const text of ['"a""b"', '"a"""', 'ab"c', '"x"y"z', 'a,"b"\r\n', '"a"\r\n"b",c"']) {
			expect(parseDelimitedWithLines(text, ',')).not.toHaveProperty('unterminatedQuoteLine');
		}
	});

	test.each(DELIMITER_LIST)(
		'records equal a table written by Papa.unparse, lines equal the breaks before each (%j)',
		(d) => {
			fc.assert(
				fc.property(
					table,
					fc.constantFrom(...NEWLINES),
					fc.boolean(),
					fc.boolean(),
					({ header, rows }, newline, trailingNewline, bom) => {
						const written = writeWithLines([header, ...rows], d, newline, bom ? '\uFEFF' : '');
						const text = written.text + (trailingNewline ? newline : '');
						expect(parseDelimitedWithLines(text, d)).toEqual({
							records: written.records,
							lines: written.lines,
						});
					},
				),
				{ seed: LINES_SEED, numRuns: LINES_RUNS },
			);
		},
	);

	test('an unclosed quote after a valid table is found at its line (property-based)', () => {
		fc.assert(
			fc.property(
				table,
				delimiter,
				fc.constantFrom(...NEWLINES),
				row(3),
				fc.string({ unit: fc.constantFrom('a', '""', '\r', '\n', '\r\n', ',', ';', '\t', 'é'), maxLength: 8 }),
				({ header, rows }, d, newline, before, unclosed) => {
					const written = writeWithLines([header, ...rows], d, newline, '');
					let text = written.text + newline;
					const lead = Papa.unparse([[...before, 'x']], { delimiter: d, newline }).slice(0, -1);
					text += lead;
					const quoteLine = breaksIn(text) + 1;
					text += '"' + unclosed;
					const parsed = parseDelimitedWithLines(text, d);
					expect(parsed.unterminatedQuoteLine).toBe(quoteLine);
					expect(parsed.records.slice(0, -1)).toEqual(written.records);
					expect(parsed.lines.slice(0, -1)).toEqual(written.lines);
				},
			),
			{ seed: LINES_SEED, numRuns: LINES_RUNS },
		);
	});

	const garbage = fc.array(
		fc.oneof(
			fc.constantFrom('"', '""', ',', ';', '\t', '\r', '\n', '\r\n', 'a', ' ', '\uFEFF', 'é', '😀'),
			fc.string({ unit: 'binary', maxLength: 3 }),
		),
		{ maxLength: 40 },
	);

	test('on any text: the same records as parseDelimited, on increasing lines that exist', () => {
		fc.assert(
			fc.property(garbage, delimiter, fc.boolean(), (chunks, d, stripBom) => {
				const text = chunks.join('');
				const parsed = parseDelimitedWithLines(text, d, { stripBom });
				expect(parsed.records).toEqual(parseDelimited(text, d, { stripBom }));
				expect(parsed.lines).toHaveLength(parsed.records.length);
				const lastLine = breaksIn(text) + 1;
				parsed.lines.forEach((line, i) => {
					expect(line).toBeGreaterThanOrEqual(i === 0 ? 1 : parsed.lines[i - 1] + 1);
					expect(line).toBeLessThanOrEqual(lastLine);
				});
				if (parsed.unterminatedQuoteLine !== undefined) {
					expect(parsed.unterminatedQuoteLine).toBeGreaterThanOrEqual(parsed.lines[parsed.lines.length - 1]);
					expect(parsed.unterminatedQuoteLine).toBeLessThanOrEqual(lastLine);
				}
			}),
			{ seed: LINES_SEED, numRuns: LINES_RUNS * 2 },
		);
	});

});
