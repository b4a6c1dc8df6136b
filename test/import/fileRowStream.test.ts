/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
import { Readable } from 'stream';

import fc from 'fast-check';
import Papa from 'papaparse';

import { detectDelimiter, type Delimiter } from '../../nodes/MarketoBulkImport/csv';
import type { ReadFileRows } from '../../nodes/MarketoBulkImport/import/fileRows';
import { duplicateNames, readFileRows } from '../../nodes/MarketoBulkImport/import/fileRows';
import type { FileRowChunk, StreamedFileProblem } from '../../nodes/MarketoBulkImport/import/fileRowStream';
import { BATCH_TEXT_CHARS, DELIMITER_DETECTION_CHARS, streamFileRows } from '../../nodes/MarketoBulkImport/import/fileRowStream';
import { cell, DELIMITER_LIST } from '../csv/arbitraries';

/** Seeded; fast-check prints the seed and path of a failing run. Set FC_SEED to replay. */
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 400);

type Source = AsyncIterable<Buffer | Uint8Array | string>;

/** What the node reads today: the whole file as one string, the delimiter detected from it. */
function readWhole(bytes: Buffer, choice: Delimiter | 'auto'): ReadFileRows {
	const text = bytes.toString('utf8');
	const delimiter = choice === 'auto' ? (detectDelimiter(text.replace(/^\uFEFF?[\r\n]*/, '')) ?? ',') : choice;
	return readFileRows(text, delimiter);
}

interface Streamed {
	result: Omit<ReadFileRows, 'problem'> & { problem?: StreamedFileProblem };
	chunks: FileRowChunk[];
	headerProblem?: StreamedFileProblem;
}

/** Everything a consumer gets, put together in readFileRows' shape. */
async function readStreamed(source: Source, choice: Delimiter | 'auto', batchRows?: number): Promise<Streamed> {
	const file = streamFileRows(source, choice);
	const head = await file.header();
	const chunks: FileRowChunk[] = [];
	for await (const chunk of file.chunks(batchRows)) chunks.push(chunk);
	const problem = file.problem();
	if (problem !== undefined) {
		expect(head.problem === undefined || head.problem === problem).toBe(true);
		const result: Streamed['result'] = { header: head.header, rows: [], wrongCellCount: [], skippedEmptyRows: 0, problem };
		if (head.headerLine !== undefined) result.headerLine = head.headerLine;
		return { result, chunks, headerProblem: head.problem };
	}
	return {
		result: {
			header: head.header,
			headerLine: head.headerLine,
			rows: chunks.flatMap((c) => c.rows),
			wrongCellCount: chunks.flatMap((c) => c.wrongCellCount),
			skippedEmptyRows: chunks.reduce((sum, c) => sum + c.skippedEmptyRows, 0),
		},
		chunks,
	};
}

async function* sourceOf(pieces: ReadonlyArray<Buffer | Uint8Array | string>): AsyncGenerator<Buffer | Uint8Array | string> {
	for (const piece of pieces) yield piece;
}

/** Bytes cut at the given offsets (anywhere: inside a UTF-8 character too). */
function cutBytes(bytes: Buffer, points: readonly number[]): Buffer[] {
	const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
	const pieces: Buffer[] = [];
	let from = 0;
	for (const point of sorted) {
		pieces.push(bytes.subarray(from, point));
		from = point;
	}
	pieces.push(bytes.subarray(from));
	return pieces;
}

function everyBytes(bytes: Buffer, size: number): Buffer[] {
	const pieces: Buffer[] = [];
	for (let from = 0; from < bytes.length; from += size) pieces.push(bytes.subarray(from, from + size));
	return pieces;
}

// ---------------------------------------------------------------------------------------------
// Files: well-formed ones with ragged rows, empty rows, blank lines; and any text at all

type Drawn =
	| { kind: 'row'; cells: string[] }
	| { kind: 'empty'; width: number; quoted: boolean }
	| { kind: 'blank' };

const wellFormed = fc.integer({ min: 1, max: 5 }).chain((width) =>
	fc.record({
		header: fc.oneof(
			{ weight: 6, arbitrary: fc.uniqueArray(cell.filter((c) => c !== ''), { minLength: width, maxLength: width }) },
			// Duplicate names, blank names
			{ weight: 2, arbitrary: fc.array(fc.constantFrom('Email', 'Name', '', 'x'), { minLength: width, maxLength: width }) },
		),
		before: fc.array(fc.constantFrom<Drawn>({ kind: 'blank' }, { kind: 'empty', width: 3, quoted: false }), { maxLength: 2 }),
		rows: fc.array(
			fc.oneof(
				{ weight: 5, arbitrary: fc.array(cell, { minLength: width, maxLength: width }).map((cells): Drawn => ({ kind: 'row', cells })) },
				{ weight: 2, arbitrary: fc.array(cell, { minLength: 1, maxLength: width + 3 }).map((cells): Drawn => ({ kind: 'row', cells })) },
				{ weight: 1, arbitrary: fc.record({ kind: fc.constant('empty' as const), width: fc.integer({ min: 1, max: 7 }), quoted: fc.boolean() }) },
				{ weight: 1, arbitrary: fc.constant<Drawn>({ kind: 'blank' }) },
			),
			{ maxLength: 25 },
		),
		delimiter: fc.constantFrom<Delimiter>(...DELIMITER_LIST),
		newline: fc.constantFrom('\r\n', '\n', '\r'),
		boms: fc.constantFrom(0, 0, 1, 2),
		trailingNewline: fc.boolean(),
		// A quote left open somewhere: the whole file is refused
		openQuoteAt: fc.option(fc.nat(), { freq: 5 }),
	}),
);

function writeFile(file: typeof wellFormed extends fc.Arbitrary<infer T> ? T : never): string {
	const { header, before, rows, delimiter: d, newline, boms, trailingNewline, openQuoteAt } = file;
	const write = (drawn: Drawn) =>
		drawn.kind === 'blank'
			? ''
			: drawn.kind === 'empty'
				? Array(drawn.width).fill(drawn.quoted || drawn.width === 1 ? '""' : '').join(d)
				: Papa.unparse([drawn.cells], { delimiter: d, newline });
	const lines = [...before.map(write), Papa.unparse([header], { delimiter: d, newline }), ...rows.map(write)];
	if (openQuoteAt !== null) {
		const i = openQuoteAt % lines.length;
		lines[i] = `${lines[i]}${d}"never closed`;
	}
	return '\uFEFF'.repeat(boms) + lines.join(newline) + (trailingNewline ? newline : '');
}

const anyText = fc
	.array(
		fc.oneof(
			{ weight: 8, arbitrary: fc.constantFrom('"', '""', ',', ';', '\t', '\r', '\n', '\r\n', 'a', 'Email', ' ', '\uFEFF', 'é', '中', '😀') },
			{ weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
		),
		{ maxLength: 80 },
	)
	.map((units) => units.join(''));

/** Bytes of a text, sometimes with stray bytes that are not UTF-8 (each becomes U+FFFD, as Buffer.toString makes it). */
const fileBytes = fc
	.tuple(
		fc.oneof({ weight: 2, arbitrary: wellFormed.map(writeFile) }, { weight: 1, arbitrary: anyText }),
		fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x80, 0xbf, 0xc3, 0xe2, 0xf0, 0xff, 0xef, 0xbb)), { maxLength: 3 }),
	)
	.map(([text, stray]) => {
		const bytes = [...Buffer.from(text, 'utf8')];
		for (const [at, byte] of stray) bytes.splice(at % (bytes.length + 1), 0, byte);
		return Buffer.from(bytes);
	});

const split = fc.oneof(
	fc.record({ kind: fc.constant('size' as const), size: fc.integer({ min: 1, max: 64 }) }),
	fc.record({ kind: fc.constant('cuts' as const), cuts: fc.array(fc.nat(), { maxLength: 20 }) }),
	fc.constant({ kind: 'whole' as const }),
);

describe('streamFileRows (property-based)', () => {
	test('any file, cut anywhere, read in any batch size: what readFileRows gives for the whole file', async () => {
		await fc.assert(
			fc.asyncProperty(
				fileBytes,
				split,
				fc.constantFrom<Delimiter | 'auto'>('auto', ...DELIMITER_LIST),
				fc.integer({ min: 1, max: 12 }),
				fc.constantFrom('buffer', 'uint8array', 'readable'),
				async (bytes, how, choice, batchRows, as) => {
					const cut = how.kind === 'size' ? everyBytes(bytes, how.size) : how.kind === 'cuts' ? cutBytes(bytes, how.cuts) : [bytes];
					const pieces = as === 'uint8array' ? cut.map((b) => new Uint8Array(b)) : cut;
					const source = as === 'readable' ? Readable.from(pieces, { objectMode: false }) : sourceOf(pieces);
					const expected = readWhole(bytes, choice);
					const { result, chunks, headerProblem } = await readStreamed(source, choice, batchRows);

					if (result.problem?.kind === 'duplicateColumns' && expected.problem?.kind === 'unterminatedQuote') {
						// Told at once from the header, without reading on for the quote further down
						expect(headerProblem).toEqual(result.problem);
						expect(result.header).toEqual(expected.header);
						expect(result.headerLine).toBe(expected.headerLine);
						expect(result.problem.names).toEqual(duplicateNames(expected.header));
						return;
					}
					expect(result).toEqual(expected);
					// Batches of exactly batchRows rows but the last
					chunks.forEach((chunk, i) => {
						const size = chunk.rows.length + chunk.wrongCellCount.length;
						if (i < chunks.length - 1) expect(size).toBe(batchRows);
						else expect(size).toBeLessThanOrEqual(batchRows);
					});
					if (expected.problem?.kind === 'duplicateColumns' || expected.problem?.kind === 'empty') {
						expect(headerProblem).toEqual(expected.problem);
						expect(chunks).toEqual([]);
					}
				},
			),
			{ seed: SEED, numRuns: NUM_RUNS },
		);
	});
});

// ---------------------------------------------------------------------------------------------
// Each boundary, cut at every byte

async function expectSameAtEveryCut(text: string, choice: Delimiter | 'auto'): Promise<ReadFileRows> {
	const bytes = Buffer.from(text, 'utf8');
	const expected = readWhole(bytes, choice);
	for (let cut = 0; cut <= bytes.length; cut++) {
		const { result } = await readStreamed(sourceOf([bytes.subarray(0, cut), bytes.subarray(cut)]), choice, 2);
		expect({ cut, result }).toEqual({ cut, result: expected });
	}
	const { result } = await readStreamed(sourceOf(everyBytes(bytes, 1)), choice, 1);
	expect(result).toEqual(expected);
	return expected;
}

describe('streamFileRows at chunk boundaries', () => {
	test('a quote, a doubled quote, a quoted line break', async () => {
		const expected = await expectSameAtEveryCut('Email;Note\r\na@b.c;"say ""hi""\r\nthen; go"\r\nb@c.d;"x"y\r\n', ';');
		expect(expected.rows).toEqual([
			{ cells: ['a@b.c', 'say "hi"\r\nthen; go'], line: 2 },
			{ cells: ['b@c.d', 'xy'], line: 4 },
		]);
	});

	test('CRLF cut between CR and LF: at a record end, in a blank line, inside quotes; lone CRs', async () => {
		const expected = await expectSameAtEveryCut('a,b\r\n\r\n1,"2\r\n3"\r\n\r4,5\r6,7\r\n', ',');
		expect(expected.rows.map((r) => r.line)).toEqual([3, 6, 7]);
	});

	test('a delimiter at a cut, and at the very end', async () => {
		const expected = await expectSameAtEveryCut('a\tb\tc\n1\t\t3\n4\t5\t', '\t');
		expect(expected.rows).toEqual([
			{ cells: ['1', '', '3'], line: 2 },
			{ cells: ['4', '5', ''], line: 3 },
		]);
	});

	test('multibyte characters cut inside (2, 3 and 4 bytes, and a ZWJ sequence)', async () => {
		const expected = await expectSameAtEveryCut('Nom,Ville\nÉlodie,Zürich\n中文,한국\n😀,👩‍💻\n', ',');
		expect(expected.rows.map((r) => r.cells)).toEqual([
			['Élodie', 'Zürich'],
			['中文', '한국'],
			['😀', '👩‍💻'],
		]);
	});

	test('chunks larger than the decoding step (32 KB): decoded in parts, characters cut between parts', async () => {
		// 17 bytes a row: the 32 KB steps fall at every place in a row, inside characters too
		const rows = 'x😀,"é\r\n中"\r\n'.repeat(12_000);
		for (let shift = 0; shift < 4; shift++) {
			const bytes = Buffer.from(`h1,h2\r\n${'y'.repeat(shift)}${rows}`);
			const expected = readWhole(bytes, 'auto');
			expect(expected.rows).toHaveLength(12_000);
			for (const pieces of [[bytes], everyBytes(bytes, 40_000 + shift), everyBytes(bytes, 70_001)]) {
				expect((await readStreamed(Readable.from(pieces), 'auto', 1000)).result).toEqual(expected);
			}
		}
	});

	test('a BOM cut over the first chunks is dropped; a second BOM is text', async () => {
		const one = await expectSameAtEveryCut('\uFEFFEmail\nx', 'auto');
		expect(one.header).toEqual(['Email']);
		const two = await expectSameAtEveryCut('\uFEFF\uFEFFEmail\nx', ',');
		expect(two.header).toEqual(['\uFEFFEmail']);
	});

	test('auto: the delimiter from the header line, after a BOM and blank lines, quoted delimiters not counted', async () => {
		const text = '\uFEFF\r\n\n"a,b,c";d;e\r\n1;2;3\r\n';
		const expected = await expectSameAtEveryCut(text, 'auto');
		expect(expected.header).toEqual(['a,b,c', 'd', 'e']);
		const file = streamFileRows(sourceOf(everyBytes(Buffer.from(text), 1)), 'auto');
		expect((await file.header()).delimiter).toBe(';');
		await expectSameAtEveryCut('Email\r\nx,y;z\r\n', 'auto');
		await expectSameAtEveryCut('a\tb;c\tb\r\n1\t2;3\t4\r\n', 'auto');
	});

	test('auto: a header line longer than the detection window is detected from its start', async () => {
		const header = `a;b;${'x'.repeat(DELIMITER_DETECTION_CHARS)},c,d,e\n1;2;3\n`;
		const file = streamFileRows(sourceOf(everyBytes(Buffer.from(header), 64 * 1024)), 'auto');
		expect((await file.header()).delimiter).toBe(';');
		await file.close();
	});
});

// ---------------------------------------------------------------------------------------------
// When things are known, and what is given

describe('streamFileRows', () => {
	test('rows in batches, in file order, empty rows before the header counted in the first', async () => {
		const text = ';;\n\nEmail;Name\n' + Array.from({ length: 7 }, (_, i) => `e${i};n${i}`).join('\n') + '\n;\nx;y;z\n';
		const { chunks } = await readStreamed(sourceOf([text]), ';', 3);
		expect(chunks.map((c) => c.rows.map((r) => r.line))).toEqual([[4, 5, 6], [7, 8, 9], [10]]);
		expect(chunks.map((c) => c.wrongCellCount.map((r) => r.line))).toEqual([[], [], [12]]);
		expect(chunks.map((c) => c.skippedEmptyRows)).toEqual([1, 0, 1]);
	});

	test('long rows, or only empty ones: a batch is also given every BATCH_TEXT_CHARS of text, with fewer rows', async () => {
		const long = 'z'.repeat(100_000);
		const rows = Array.from({ length: 40 }, (_, i) => `${i},"${long}"`);
		const bytes = Buffer.from(`n,text\n${rows.join('\n')}\n`);
		const { chunks, result } = await readStreamed(Readable.from(everyBytes(bytes, 64 * 1024)), ',', 5000);
		expect(result).toEqual(readWhole(bytes, ','));
		expect(result.rows).toHaveLength(40);
		expect(chunks.length).toBeGreaterThanOrEqual(Math.floor(bytes.length / BATCH_TEXT_CHARS));
		for (const chunk of chunks) {
			expect(chunk.rows.length).toBeLessThanOrEqual(Math.ceil(BATCH_TEXT_CHARS / long.length) + 1);
		}
		// Rows of empty cells only: batches with no rows, counting them
		const empty = Buffer.from(`a;b\n${';\n'.repeat(300_000)}`);
		const read = await readStreamed(Readable.from([empty]), ';', 5000);
		expect(read.chunks.length).toBeGreaterThan(1);
		expect(read.result).toEqual({ header: ['a', 'b'], headerLine: 1, rows: [], wrongCellCount: [], skippedEmptyRows: 300_000 });
	});

	test('header() reads only as far as the header; the rest is read as the rows are asked for', async () => {
		let pulled = 0;
		async function* pieces() {
			for (const piece of ['Email,Na', 'me\n1,2\n', '3,4\n', '5,6\n']) {
				pulled++;
				yield piece;
			}
		}
		const file = streamFileRows(pieces(), ',');
		expect(await file.header()).toEqual({ header: ['Email', 'Name'], headerLine: 1, delimiter: ',' });
		expect(pulled).toBe(2);
		const lines: number[] = [];
		for await (const chunk of file.chunks(1)) {
			lines.push(...chunk.rows.map((r) => r.line));
			expect(pulled).toBeLessThanOrEqual(lines.length + 1);
		}
		expect(lines).toEqual([2, 3, 4]);
		expect(file.problem()).toBeUndefined();
	});

	test('an unterminated quote is told after the rows, by problem(); header() knew nothing of it', async () => {
		const text = 'Email;Name\r\na@b.c;Ann\r\nb@c.d;"Bob\r\nc@d.e;Cy\r\n';
		const file = streamFileRows(sourceOf([text]), ';');
		expect((await file.header()).problem).toBeUndefined();
		const rows: number[] = [];
		for await (const chunk of file.chunks(1)) rows.push(...chunk.rows.map((r) => r.line));
		// Given before the quote was known to stay open; the rows of an unfinished batch are not
		expect(rows).toEqual([2]);
		expect(file.problem()).toEqual({ kind: 'unterminatedQuote', line: 3 });
	});

	test('an unterminated quote in the header: header() resolves at the end, with the problem', async () => {
		const file = streamFileRows(sourceOf(['"Email;Name\r\n', 'a;b\r\n']), ';');
		expect(await file.header()).toEqual({
			header: ['Email;Name\r\na;b\r\n'],
			headerLine: 1,
			delimiter: ';',
			problem: { kind: 'unterminatedQuote', line: 1 },
		});
		expect([...(await collect(file.chunks()))]).toEqual([]);
	});

	test('a duplicate header is told by header(), the rest is not read and the source is let go', async () => {
		let pulled = 0;
		let released = false;
		async function* pieces() {
			try {
				for (;;) {
					pulled++;
					yield pulled === 1 ? 'Email;Name;Email\r\n' : 'a;b;c\r\n';
				}
			} finally {
				released = true;
			}
		}
		const file = streamFileRows(pieces(), ';');
		expect(await file.header()).toEqual({
			header: ['Email', 'Name', 'Email'],
			headerLine: 1,
			delimiter: ';',
			problem: { kind: 'duplicateColumns', names: ['Email'] },
		});
		expect(pulled).toBe(1);
		expect(released).toBe(true);
		expect(await collect(file.chunks())).toEqual([]);
		expect(file.problem()).toEqual({ kind: 'duplicateColumns', names: ['Email'] });
	});

	test.each(['', '\uFEFF', '\r\n\n\r', ';;;\r\n;;\r\n""'])('no header at all: %j', async (text) => {
		const file = streamFileRows(sourceOf(everyBytes(Buffer.from(text), 1)), ';');
		expect(await file.header()).toEqual({ header: [], delimiter: ';', problem: { kind: 'empty' } });
		expect(await collect(file.chunks())).toEqual([]);
	});

	test('leaving the rows early lets the source go', async () => {
		let released = false;
		async function* pieces() {
			try {
				yield 'a\n';
				for (let i = 0; ; i++) yield `${i}\n`;
			} finally {
				released = true;
			}
		}
		const file = streamFileRows(pieces(), ',');
		for await (const chunk of file.chunks(10)) {
			expect(chunk.rows).toHaveLength(10);
			break;
		}
		expect(released).toBe(true);
	});

	test('close() after header() lets the source go', async () => {
		const source = Readable.from(['Email\n', 'a\n', 'b\n']);
		const file = streamFileRows(source, ',');
		await file.header();
		await file.close();
		expect(source.destroyed).toBe(true);
		await expect(collect(file.chunks())).rejects.toThrow('closed');
	});

	test('a record longer than maxRecordChars is a problem, not held whole; an open quote stays an open quote', async () => {
		const long = 'y'.repeat(5000);
		const pieces = (text: string) => sourceOf(everyBytes(Buffer.from(text), 100));
		let file = streamFileRows(pieces(`Email;Note\na;b\nc;"${long}"\nd;e\n`), ';', { maxRecordChars: 1000 });
		expect(await collect(file.chunks(1))).toEqual([{ rows: [{ cells: ['a', 'b'], line: 2 }], wrongCellCount: [], skippedEmptyRows: 0 }]);
		expect(file.problem()).toEqual({ kind: 'recordTooLong', line: 3, maxRecordChars: 1000 });

		file = streamFileRows(pieces(`Email;Note\na;b\nc;"${long}\nd;e\n`), ';', { maxRecordChars: 1000 });
		await collect(file.chunks());
		expect(file.problem()).toEqual({ kind: 'unterminatedQuote', line: 3 });

		file = streamFileRows(pieces(`${long}\na\n`), 'auto', { maxRecordChars: 1000 });
		expect(await file.header()).toEqual({ header: [], delimiter: ',', problem: { kind: 'recordTooLong', line: 1, maxRecordChars: 1000 } });
	});

	test('an error of the source reaches the consumer', async () => {
		async function* failing() {
			yield 'Email\na\n';
			throw new Error('disk gone');
		}
		const file = streamFileRows(failing(), ',');
		await expect(collect(file.chunks())).rejects.toThrow('disk gone');
	});

	test('rows can be iterated once', async () => {
		const file = streamFileRows(sourceOf(['a\n1\n']), ',');
		await collect(file.chunks());
		expect(() => file.chunks()).toThrow('once');
	});
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
	const all: T[] = [];
	for await (const item of iterable) all.push(item);
	return all;
}
