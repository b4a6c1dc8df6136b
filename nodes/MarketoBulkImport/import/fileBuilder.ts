/**
 * Rows → upload files under the size limit, one file at a time, as the pipeline asks for the
 * next one: a million rows never exist as rows at once, only as the files in flight.
 */
import type { Delimiter } from '../csv';
import { encodeRow, LINE_END } from '../csv';
import { YieldPoint } from './yieldPoint';

/** Marketo refuses bulk bodies over 10 MiB (HTTP 413). */
export const MARKETO_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Default file cap: 95 % of the limit leaves room for the multipart envelope and any miscount. */
export const DEFAULT_MAX_FILE_BYTES = Math.floor(MARKETO_MAX_BODY_BYTES * 0.95);
/** Room the multipart envelope (boundaries, part headers, form fields) needs around the file. */
export const MULTIPART_ALLOWANCE_BYTES = 2048;

/** Converted rows in input order, with the input item (and file line) of each. */
export interface RowBatch {
	cells: string[][];
	items: number[];
	lines?: number[];
}

export interface ImportFile {
	/** The file's bytes; dropped once they are no longer needed (uploaded, or its batch traced). */
	content: Buffer | undefined;
	bytes: number;
	/** The file holds rows firstRow … firstRow + rowCount - 1 of the import (see RowLedger). */
	firstRow: number;
	rowCount: number;
}

/** Where each row of the import came from, compactly: its input item and, for files, its line. */
export class RowLedger {
	private readonly items: number[] = [];

	private readonly lines: number[] = [];

	/** Rows built (or passed over) so far per input item. */
	private readonly perItem: number[] = [];

	get count(): number {
		return this.items.length;
	}

	add(item: number, line?: number): void {
		this.items.push(item);
		if (line !== undefined) this.lines.push(line);
		this.perItem[item] = (this.perItem[item] ?? 0) + 1;
	}

	/** Counts a row of `item` that is deliberately not sent (Skip Unchanged Rows): it is not missing. */
	passOver(item: number): void {
		this.perItem[item] = (this.perItem[item] ?? 0) + 1;
	}

	itemOf(row: number): number {
		return this.items[row];
	}

	lineOf(row: number): number | undefined {
		return this.lines.length > 0 ? this.lines[row] : undefined;
	}

	builtRowsOf(item: number): number {
		return this.perItem[item] ?? 0;
	}

	/** The distinct input items of rows first … first + count - 1, in order. */
	itemsOf(first: number, count: number): number[] {
		const result: number[] = [];
		for (let row = first; row < first + count; row++) {
			const item = this.items[row];
			if (result[result.length - 1] !== item) result.push(item);
		}
		return result;
	}
}

export function fileRows(file: ImportFile): number[] {
	return Array.from({ length: file.rowCount }, (_, i) => file.firstRow + i);
}

/**
 * A check of one row's size against the file limit, for the input check before any upload.
 * It counts the exact UTF-8 bytes only when a cheap upper bound says the row might not fit.
 */
export function rowSizeCheck(
	columns: readonly string[],
	delimiter: Delimiter,
	maxBytes: number,
): (cells: readonly string[]) => string | undefined {
	const headerBytes = Buffer.byteLength(encodeRow(columns, delimiter), 'utf8');
	const room = maxBytes - headerBytes - LINE_END.length;
	return (cells) => {
		let bound = cells.length;
		// A UTF-16 unit is at most 3 UTF-8 bytes; a doubled quote is 2; plus 2 quotes per cell.
		for (const cell of cells) bound += 3 * cell.length + 2;
		if (bound <= room) return undefined;
		const bytes = Buffer.byteLength(encodeRow(cells, delimiter), 'utf8');
		return bytes <= room
			? undefined
			: `the row alone makes a ${bytes + headerBytes + LINE_END.length}-byte file, more than the ${maxBytes}-byte file limit`;
	};
}

/**
 * Packs rows into files of at most `maxBytes` (UTF-8, header included), each starting with the
 * header, rows never split and in order; records each row's origin in `ledger`. Rows must fit
 * (see rowSizeCheck): one that does not is put alone in a file rather than lost.
 */
export async function* buildFiles(
	batches: AsyncIterable<RowBatch>,
	columns: readonly string[],
	delimiter: Delimiter,
	maxBytes: number,
	ledger: RowLedger,
): AsyncGenerator<ImportFile> {
	const header = encodeRow(columns, delimiter);
	const headerBytes = Buffer.byteLength(header, 'utf8');
	const separatorBytes = LINE_END.length;
	const pause = new YieldPoint();

	let lines: string[] = [header];
	let bytes = headerBytes;
	let firstRow = ledger.count;
	const take = (): ImportFile => {
		const content = Buffer.from(lines.join(LINE_END), 'utf8');
		const file = { content, bytes: content.length, firstRow, rowCount: lines.length - 1 };
		lines = [header];
		bytes = headerBytes;
		firstRow = ledger.count;
		return file;
	};

	for await (const batch of batches) {
		for (let r = 0; r < batch.cells.length; r++) {
			const line = encodeRow(batch.cells[r], delimiter);
			const lineBytes = separatorBytes + Buffer.byteLength(line, 'utf8');
			if (lines.length > 1 && bytes + lineBytes > maxBytes) yield take();
			lines.push(line);
			bytes += lineBytes;
			ledger.add(batch.items[r], batch.lines?.[r]);
			await pause.maybe();
		}
	}
	if (lines.length > 1) yield take();
}
