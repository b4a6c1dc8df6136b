/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import fc from 'fast-check';

import { parseDelimited, writeDelimited } from '../../nodes/MarketoBulkImport/csv';
import type { ImportFile, RowBatch } from '../../nodes/MarketoBulkImport/import/fileBuilder';
import {
	buildFiles,
	FileSplit,
	RAMP,
	RowLedger,
	SMALLEST_RAMP_FILE_BYTES,
} from '../../nodes/MarketoBulkImport/import/fileBuilder';
import { FRAME_ROOM } from '../../nodes/MarketoBulkImport/multipart';
import { cell, DELIMITER_LIST } from '../csv/arbitraries';

/** Seeded; fast-check prints the seed and path of a failing run. Set FC_SEED to replay. */
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const NUM_RUNS = 300;
// Hundreds of thousands of rows on a shared, loaded machine.
jest.setTimeout(120_000);

async function* inBatches(rows: string[][], size: number, items?: number[]): AsyncGenerator<RowBatch> {
	for (let i = 0; i < rows.length; i += size) {
		yield { cells: rows.slice(i, i + size), items: (items ?? rows.map((_, r) => r)).slice(i, i + size) };
	}
}

async function collect(source: AsyncIterable<ImportFile>): Promise<ImportFile[]> {
	const files: ImportFile[] = [];
	for await (const file of source) files.push(file);
	return files;
}

const MIB = 1024 * 1024;

/** `count` rows of about `bytes` UTF-8 bytes each (with quoting and non-ASCII). */
function rowsOf(count: number, bytes = 80): string[][] {
	return Array.from({ length: count }, (_, i) => [`lead${i}@example.com`, `Zoë "${i}"`, 'x'.repeat(Math.max(1, bytes - 40 - String(i).length * 2)), `Acme, ${i}`]);
}

describe('buildFiles', () => {
	test('files hold every row once, in order, each within the limit, byte for byte what writeDelimited writes (property-based)', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 60 }),
				fc.constantFrom(...DELIMITER_LIST),
				fc.integer({ min: 40, max: 600 }),
				fc.integer({ min: 1, max: 7 }),
				async (rows, delimiter, maxBytes, batchRows) => {
					const columns = ['a', 'b', 'c'];
					const ledger = new RowLedger();
					const files = await collect(buildFiles(inBatches(rows, batchRows), columns, delimiter, { maxBytes, totalRows: rows.length }, ledger));
					let next = 0;
					for (const file of files) {
						const content = file.content as Buffer;
						expect(file.firstRow).toBe(next);
						expect(file.bytes).toBe(content.length);
						const expected = Buffer.from(writeDelimited(columns, rows.slice(next, next + file.rowCount), delimiter), 'utf8');
						expect(content.equals(expected)).toBe(true);
						// Over the limit only a row alone in its file, which must not be lost.
						if (file.rowCount > 1) expect(file.bytes).toBeLessThanOrEqual(maxBytes);
						// The multipart envelope fits around it in place.
						const room = file.room as Buffer;
						expect(room.buffer).toBe(content.buffer);
						expect(content.byteOffset - room.byteOffset).toBe(FRAME_ROOM.before);
						expect(room.length - content.length - FRAME_ROOM.before).toBe(FRAME_ROOM.after);
						next += file.rowCount;
					}
					expect(next).toBe(rows.length);
					expect(ledger.count).toBe(rows.length);
					for (let r = 0; r < rows.length; r++) expect(ledger.itemOf(r)).toBe(r);
				},
			),
			{ seed: SEED, numRuns: NUM_RUNS },
		);
	});

	test('a row larger than the limit goes alone in a file of its own', async () => {
		const rows = [['a'], ['é'.repeat(300)], ['b']];
		const files = await collect(buildFiles(inBatches(rows, 2), ['x'], ',', { maxBytes: 100 }, new RowLedger()));
		expect(files.map((file) => file.rowCount)).toEqual([1, 1, 1]);
		expect(parseDelimited((files[1].content as Buffer).toString('utf8'), ',')).toEqual([['x'], ['é'.repeat(300)]]);
	});

	test('a large import: the first files ramp up, the rest are an even number of equal files', async () => {
		const maxBytes = 2 * MIB;
		const rows = rowsOf(200_000);
		const files = await collect(buildFiles(inBatches(rows, 2000), ['email', 'name', 'text', 'company'], ',', { maxBytes, totalRows: rows.length }, new RowLedger()));
		const ramp = files.slice(0, RAMP.length);
		ramp.forEach((file, index) => {
			const step = Math.max(SMALLEST_RAMP_FILE_BYTES, RAMP[index] * maxBytes);
			// Full to within one row of its step.
			expect(file.bytes).toBeLessThanOrEqual(step);
			expect(file.bytes).toBeGreaterThan(step - 200);
		});
		const rest = files.slice(RAMP.length);
		expect(rest.length % 2).toBe(0);
		const sizes = rest.map((file) => file.rowCount);
		expect(Math.max(...sizes.slice(0, -1)) - Math.min(...sizes.slice(0, -1))).toBeLessThanOrEqual(1);
		expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(sizes[0]);
		for (const file of files) expect(file.bytes).toBeLessThanOrEqual(maxBytes);
		expect(files.reduce((sum, file) => sum + file.rowCount, 0)).toBe(rows.length);
	});

	test('a small import stays one file; without totalRows files are packed full', async () => {
		const rows = rowsOf(1000);
		const one = await collect(buildFiles(inBatches(rows, 100), ['a', 'b', 'c', 'd'], ',', { maxBytes: 9 * MIB, totalRows: rows.length }, new RowLedger()));
		expect(one).toHaveLength(1);
		const many = rowsOf(50_000);
		const packed = await collect(buildFiles(inBatches(many, 1000), ['a', 'b', 'c', 'd'], ',', { maxBytes: MIB }, new RowLedger()));
		for (const file of packed.slice(0, -1)) expect(file.bytes).toBeGreaterThan(MIB - 200);
	});
});

describe('FileSplit', () => {
	test('limits at or below the smallest ramp file pack files full', () => {
		const split = new FileSplit(SMALLEST_RAMP_FILE_BYTES);
		for (let index = 0; index < 10; index++) {
			expect(split.next(1e6, index === 0 ? undefined : 100)).toEqual({ bytes: SMALLEST_RAMP_FILE_BYTES, rows: Number.POSITIVE_INFINITY });
		}
	});

	test('the ramp stops once its step is not smaller than the equal files that follow', () => {
		const max = 2 * MIB;
		const split = new FileSplit(max);
		// Rows of 100 bytes: 1/32 and 1/8 of the limit (at least 64 KiB), then 1/2 = 1 MiB…
		expect(split.next(40_000, undefined).bytes).toBe(SMALLEST_RAMP_FILE_BYTES);
		expect(split.next(39_345, 100).bytes).toBe(SMALLEST_RAMP_FILE_BYTES);
		expect(split.next(38_690, 100).bytes).toBe(MIB / 4);
		expect(split.next(36_069, 100).bytes).toBe(MIB / 4);
		expect(split.next(33_448, 100).bytes).toBe(MIB);
		// …until the equal files would be no larger than the step: 1.6 MB left, two files of 0.8 MB.
		expect(split.next(16_000, 100)).toEqual({ bytes: max, rows: 8_000 });
		// The equal files keep their size to the end.
		expect(split.next(8_000, 100)).toEqual({ bytes: max, rows: 8_000 });
		// Wider rows than measured cut a file by bytes: the rest is planned again, still an even count.
		split.replan();
		expect(split.next(7_000, 150)).toEqual({ bytes: max, rows: 3_500 });
	});

	test('after the ramp, the rest is planned as an even number of equal files within the limit (property-based)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 4 * SMALLEST_RAMP_FILE_BYTES, max: 10 * MIB }),
				fc.integer({ min: 10_000, max: 200_000 }),
				fc.double({ min: 5, max: 1000, noNaN: true }),
				(maxBytes, rows, bytesPerRow) => {
					const split = new FileSplit(maxBytes);
					let left = rows;
					let limit = split.next(left, undefined);
					const equal: number[] = [];
					let files = 0;
					while (left > 0) {
						expect(limit.bytes).toBeLessThanOrEqual(maxBytes);
						// Rows of bytesPerRow: the file holds what its limit lets in.
						const taken = Math.min(left, limit.rows, Math.max(1, Math.floor(limit.bytes / bytesPerRow)));
						if (Number.isFinite(limit.rows)) equal.push(taken);
						else expect(files).toBeLessThan(RAMP.length);
						files++;
						left -= taken;
						if (left > 0) limit = split.next(left, bytesPerRow);
					}
					// Rows far smaller than the limit: the planned files hold them, an even number of
					// files of equal rows (the last one short by rounding).
					if (bytesPerRow < maxBytes / 100 && equal.length > 0) {
						// (ceil(rows / ceil(rows / n)) is n when n² ≤ rows: true of real imports, 10-20 files.)
						if (equal.length ** 2 <= rows) expect(equal.length % 2 === 0 || equal.length === 1).toBe(true);
						expect(new Set(equal.slice(0, -1)).size).toBeLessThanOrEqual(1);
						expect(equal[equal.length - 1]).toBeLessThanOrEqual(equal[0]);
					}
					expect(files).toBeGreaterThan(0);
					
				},
			),
			{ seed: SEED, numRuns: 300 },
		);
	});
});

describe('RowLedger', () => {
	test('items, lines and rows per item, past the first growth of its arrays', () => {
		const ledger = new RowLedger();
		const items: number[] = [];
		for (let row = 0; row < 5000; row++) {
			const item = Math.floor(row / 3);
			items.push(item);
			ledger.add(item, row + 2);
		}
		expect(ledger.count).toBe(5000);
		expect(ledger.itemOf(4999)).toBe(1666);
		expect(ledger.lineOf(1234)).toBe(1236);
		expect(ledger.builtRowsOf(1666)).toBe(2);
		expect(ledger.builtRowsOf(100)).toBe(3);
		expect(ledger.builtRowsOf(99_999)).toBe(0);
		expect(ledger.itemsOf(3, 7)).toEqual([1, 2, 3]);
		expect(ledger.itemsOf(4998, 10)).toEqual([1666]);
		const noLines = new RowLedger();
		noLines.add(7);
		expect(noLines.lineOf(0)).toBeUndefined();
		expect(noLines.builtRowsOf(7)).toBe(1);
	});
});
