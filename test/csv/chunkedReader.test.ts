/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import fc from 'fast-check';

import type { Delimiter } from '../../nodes/MarketoBulkImport/csv';
import { ChunkedDelimitedReader } from '../../nodes/MarketoBulkImport/csv/chunkedReader';
import { parseDelimitedWithLines } from '../../nodes/MarketoBulkImport/csv/reader';

import { delimiter, DELIMITER_LIST } from './arbitraries';

/** Seeded; fast-check prints the seed and path of a failing run. Set FC_SEED to replay. */
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 1000);

/** Reads `pieces` in order, then ends, gathering everything the reader gives. */
function readPieces(pieces: readonly string[], d: Delimiter, options?: ConstructorParameters<typeof ChunkedDelimitedReader>[1]) {
	const reader = new ChunkedDelimitedReader(d, options);
	const records: string[][] = [];
	const lines: number[] = [];
	let overlongLine: number | undefined;
	for (const piece of pieces) {
		const read = reader.read(piece);
		records.push(...read.records);
		lines.push(...read.lines);
		overlongLine ??= read.overlongLine;
	}
	const last = reader.end();
	records.push(...last.records);
	lines.push(...last.lines);
	overlongLine ??= last.overlongLine;
	return { records, lines, unterminatedQuoteLine: last.unterminatedQuoteLine, overlongLine };
}

function cutAt(text: string, points: readonly number[]): string[] {
	const sorted = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
	const pieces: string[] = [];
	let from = 0;
	for (const point of sorted) {
		pieces.push(text.slice(from, point));
		from = point;
	}
	pieces.push(text.slice(from));
	return pieces;
}

const garbage = fc
	.array(
		fc.oneof(
			{ weight: 6, arbitrary: fc.constantFrom('"', '""', ',', ';', '\t', '\r', '\n', '\r\n', 'a', 'bc', ' ', '\uFEFF', 'é', '😀') },
			{ weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
		),
		{ maxLength: 60 },
	)
	.map((units) => units.join(''));

describe('ChunkedDelimitedReader (property-based)', () => {
	test('any text cut anywhere (between CR and LF, inside "", inside a surrogate pair): what one parseDelimitedWithLines gives', () => {
		fc.assert(
			fc.property(garbage, delimiter, fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), (text, d, stripBom, cuts) => {
				const whole = parseDelimitedWithLines(text, d, { stripBom });
				const read = readPieces(cutAt(text, cuts), d, { stripBom });
				expect(read).toEqual({ ...whole, unterminatedQuoteLine: whole.unterminatedQuoteLine, overlongLine: undefined });
			}),
			{ seed: SEED, numRuns: NUM_RUNS },
		);
	});

	test('one character at a time, and empty pieces between', () => {
		fc.assert(
			fc.property(garbage, delimiter, (text, d) => {
				const whole = parseDelimitedWithLines(text, d);
				const pieces = text.split('').flatMap((c) => ['', c]);
				expect(readPieces(pieces, d)).toEqual({ ...whole, unterminatedQuoteLine: whole.unterminatedQuoteLine, overlongLine: undefined });
			}),
			{ seed: SEED, numRuns: NUM_RUNS / 4 },
		);
	});
});

describe('ChunkedDelimitedReader', () => {
	test.each(DELIMITER_LIST)('records and lines across cuts, delimiter %j', (d) => {
		const text = `\uFEFFa${d}"b\r\n""c"""\r\n\r\nx${d}"y"z${d}\r\n"`;
		const whole = parseDelimitedWithLines(text, d);
		expect(whole.records).toEqual([
			['a', 'b\r\n"c"'],
			['x', 'yz', ''],
			[''],
		]);
		expect(whole.lines).toEqual([1, 4, 5]);
		expect(whole.unterminatedQuoteLine).toBe(5);
		for (let cut = 0; cut <= text.length; cut++) {
			expect(readPieces([text.slice(0, cut), text.slice(cut)], d)).toEqual({ ...whole, overlongLine: undefined });
		}
	});

	test('a CR ending a piece and an LF starting the next are one line break, inside quotes and out', () => {
		expect(readPieces(['a\r', '\nb\r', '\r\n', 'c'], ',')).toMatchObject({ records: [['a'], ['b'], ['c']], lines: [1, 2, 4] });
		expect(readPieces(['"a\r', '\nb",x\r', '\ny'], ',')).toMatchObject({ records: [['a\r\nb', 'x'], ['y']], lines: [1, 3] });
		expect(readPieces(['"a\r', '"\n', 'y'], ',')).toMatchObject({ records: [['a\r'], ['y']], lines: [1, 3] });
	});

	test('a delimiter ending the text adds an empty field, even in its own piece', () => {
		expect(readPieces(['a,b', ','], ',').records).toEqual([['a', 'b', '']]);
	});

	test('a BOM is dropped once, from the first character read, even after empty pieces', () => {
		expect(readPieces(['', '\uFEFF', '\uFEFFa'], ',').records).toEqual([['\uFEFFa']]);
		expect(readPieces(['\uFEFFa'], ',', { stripBom: false }).records).toEqual([['\uFEFFa']]);
	});

	test('a record longer than maxRecordChars: reading stops at its end, and names its line', () => {
		const long = 'x'.repeat(50);
		const text = `a,b\n1,2\n"${long}\n${long}",3\n4,5\n`;
		const pieces = text.match(/[^]{1,7}/g) as string[];
		expect(readPieces(pieces, ',', { maxRecordChars: 60 })).toEqual({
			records: [['a', 'b'], ['1', '2']],
			lines: [1, 2],
			unterminatedQuoteLine: undefined,
			overlongLine: 3,
		});
		// Within one piece too
		expect(readPieces([text], ',', { maxRecordChars: 60 }).overlongLine).toBe(3);
		// At the end of the text without a line break
		expect(readPieces([`a\n${long}`], ',', { maxRecordChars: 10 })).toMatchObject({ records: [['a']], overlongLine: 2 });
		// A record of exactly the limit is kept
		expect(readPieces(['abc\n', 'de'], ',', { maxRecordChars: 4 }).records).toEqual([['abc'], ['de']]);
	});

	test('a quote never closed is named as such, however long it runs, and its text is not kept', () => {
		const reader = new ChunkedDelimitedReader(',', { maxRecordChars: 100 });
		expect(reader.read('a\n"b').records).toEqual([['a']]);
		for (let i = 0; i < 1000; i++) expect(reader.read('y,\r\n'.repeat(100)).records).toEqual([]);
		// Only what one piece adds is held
		expect((reader as unknown as { value: string }).value).toBe('');
		expect(reader.end()).toEqual({ records: [], lines: [], unterminatedQuoteLine: 2 });
	});

	test('a record far longer than a piece is read once, not again from its start with every piece', () => {
		const size = 8 * 1024 * 1024;
		const piece = 1024;
		for (const open of ['"', 'x']) {
			const reader = new ChunkedDelimitedReader(';');
			const started = Date.now();
			expect(reader.read(`h\n${open}`).records).toEqual([['h']]);
			const filler = 'ab,\r\n'.repeat(piece / 8).slice(0, piece / 2) + 'é😀'.repeat(piece / 6);
			const body = open === '"' ? filler : filler.replace(/[\r\n]/g, ' ');
			let length = 0;
			let recordsOnTheWay = 0;
			while (length < size) {
				recordsOnTheWay += reader.read(body).records.length;
				length += body.length;
			}
			expect(recordsOnTheWay).toBe(0);
			const { records, unterminatedQuoteLine } = reader.end();
			expect(records).toHaveLength(1);
			// Read again from its start each time, this would be 8,192 pieces × 4 MB on average
			expect(Date.now() - started).toBeLessThan(3000);
			expect(records[0][0].length).toBe(open === '"' ? length : length + 1);
			expect(unterminatedQuoteLine).toBe(open === '"' ? 2 : undefined);
		}
	});
});
