/**
 * Rows → upload files under the size limit, one file at a time, as the pipeline asks for the
 * next one: a million rows never exist as rows at once, only as the files in flight.
 */
import type { Delimiter } from '../csv';
import { encodeRow, LINE_END } from '../csv';
import { FRAME_ROOM } from '../multipart';
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
	/**
	 * The buffer `content` lies in, with room around it for the multipart envelope (FRAME_ROOM):
	 * the upload body is framed in place, without a copy of the file.
	 */
	room?: Buffer;
	bytes: number;
	/** The file holds rows firstRow … firstRow + rowCount - 1 of the import (see RowLedger). */
	firstRow: number;
	rowCount: number;
}

/** A typed array of whole numbers that doubles as it fills. */
class GrowingInts {
	private values = new Int32Array(1024);

	length = 0;

	push(value: number): void {
		if (this.length === this.values.length) this.grow(this.length * 2);
		this.values[this.length++] = value;
	}

	at(index: number): number {
		return this.values[index];
	}

	/** Adds one at `index`, growing (zero-filled) to hold it. */
	increment(index: number): void {
		if (index >= this.values.length) this.grow(Math.max(index + 1, this.values.length * 2));
		this.values[index]++;
		this.length = Math.max(this.length, index + 1);
	}

	private grow(capacity: number): void {
		const grown = new Int32Array(capacity);
		grown.set(this.values.subarray(0, this.length));
		this.values = grown;
	}
}

/**
 * Where each row of the import came from, compactly: its input item and, for files, its line.
 * Typed arrays (4 bytes a row each) rather than JS arrays: a million rows cost 4-8 MB, and the
 * garbage collector has nothing to walk in them.
 */
export class RowLedger {
	private readonly items = new GrowingInts();

	private readonly lines = new GrowingInts();

	/** Rows built (or passed over) so far per input item. */
	private readonly perItem = new GrowingInts();

	get count(): number {
		return this.items.length;
	}

	add(item: number, line?: number): void {
		this.items.push(item);
		if (line !== undefined) this.lines.push(line);
		this.perItem.increment(item);
	}

	/** Counts a row of `item` that is deliberately not sent (Skip Unchanged Rows): it is not missing. */
	passOver(item: number): void {
		this.perItem.increment(item);
	}

	itemOf(row: number): number {
		return this.items.at(row);
	}

	lineOf(row: number): number | undefined {
		return this.lines.length > 0 ? this.lines.at(row) : undefined;
	}

	builtRowsOf(item: number): number {
		return item < this.perItem.length ? this.perItem.at(item) : 0;
	}

	/** The distinct input items of rows first … first + count - 1, in order. */
	itemsOf(first: number, count: number): number[] {
		const result: number[] = [];
		const end = Math.min(first + count, this.items.length);
		for (let row = first; row < end; row++) {
			const item = this.items.at(row);
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

/** The first files' sizes, as shares of the file limit: small, so the first upload leaves soon. */
export const RAMP = [1 / 32, 1 / 32, 1 / 8, 1 / 8, 1 / 2, 1 / 2] as const;
/** No ramp file is smaller (each costs a create call and a batch); limits at or below it get no ramp. */
export const SMALLEST_RAMP_FILE_BYTES = 64 * 1024;
/** Balanced files are counted with this much spare, so a slightly wider row does not add a file. */
const BALANCE_SPARE = 1.02;

/** What the next file may hold: at most `bytes` (header included) and `rows`. */
export interface FileLimit {
	bytes: number;
	rows: number;
}

/**
 * How large each next file may be. Marketo imports two files at a time, and the time that
 * counts runs from the node's start to the last batch's finish:
 *  - the first files ramp up (RAMP): the first upload leaves after a small file is built, sent
 *    and parsed instead of a full one, and each next file, a few times larger, is ready before
 *    the ones before it finish, so both slots fill early and stay busy;
 *  - the rest is split in files of equal rows, an even number of them: the two slots then finish
 *    together instead of one running the last file alone.
 * The ramp stops once its next step would not be smaller than the equal files. Limits of
 * SMALLEST_RAMP_FILE_BYTES or less keep plain packing: such files start quickly anyway.
 */
export class FileSplit {
	private files = 0;

	/** Rows of each equal file, once the ramp is over. */
	private equalRows: number | undefined;

	constructor(private readonly maxBytes: number) {}

	/** A planned equal file was cut by the byte limit (wider rows than measured): plan the rest again. */
	replan(): void {
		this.equalRows = undefined;
	}

	/** The next file's limit, given the rows still to place and their mean size so far (none yet: undefined). */
	next(rowsLeft: number, bytesPerRow: number | undefined): FileLimit {
		const { maxBytes } = this;
		const index = this.files++;
		const plain = { bytes: maxBytes, rows: Number.POSITIVE_INFINITY };
		if (maxBytes <= SMALLEST_RAMP_FILE_BYTES) return plain;
		if (this.equalRows !== undefined) return { bytes: maxBytes, rows: this.equalRows };
		const step = index < RAMP.length ? Math.min(maxBytes, Math.max(SMALLEST_RAMP_FILE_BYTES, RAMP[index] * maxBytes)) : undefined;
		// Nothing measured yet (the first file): ramp.
		if (bytesPerRow === undefined) return step === undefined ? plain : { bytes: step, rows: Number.POSITIVE_INFINITY };
		const bytesLeft = rowsLeft * bytesPerRow;
		let files = Math.max(1, Math.ceil((bytesLeft * BALANCE_SPARE) / maxBytes));
		if (files % 2 === 1 && bytesLeft >= 2 * SMALLEST_RAMP_FILE_BYTES) files++;
		if (step !== undefined && step < bytesLeft / files) return { bytes: step, rows: Number.POSITIVE_INFINITY };
		this.equalRows = Math.max(1, Math.ceil(rowsLeft / files));
		return { bytes: maxBytes, rows: this.equalRows };
	}
}

export interface BuildOptions {
	/** The file limit (UTF-8 bytes, header included). */
	maxBytes: number;
	/** Rows the batches hold in all: with it, files follow fileLimit's split, else they are packed full. */
	totalRows?: number;
}

/** A file being written: its lines are encoded into its buffer as they are added. */
class FileWriter {
	private buffer: Buffer;

	/** Where the file starts in the buffer (room for the multipart envelope before it). */
	private readonly start = FRAME_ROOM.before;

	private end: number;

	rows = 0;

	constructor(
		header: string,
		headerBytes: number,
		readonly limit: FileLimit,
	) {
		this.buffer = Buffer.allocUnsafe(FRAME_ROOM.before + Math.max(limit.bytes, headerBytes) + FRAME_ROOM.after);
		this.end = this.start + this.buffer.write(header, this.start, 'utf8');
	}

	get bytes(): number {
		return this.end - this.start;
	}

	/**
	 * Adds the line when it fits the limit (a file's first row always goes in, growing the
	 * buffer if it must, rather than be lost); false when the file is full.
	 */
	add(line: string): boolean {
		if (this.rows >= this.limit.rows) return false;
		const room = this.start + this.limit.bytes - this.end - LINE_END.length;
		// A UTF-16 unit is at most 3 UTF-8 bytes: count exactly only near the end of the file.
		if (3 * line.length > room) {
			const lineBytes = Buffer.byteLength(line, 'utf8');
			if (lineBytes > room) {
				if (this.rows > 0) return false;
				this.reserve(this.end + LINE_END.length + lineBytes + FRAME_ROOM.after);
			}
		}
		this.buffer[this.end++] = 13;
		this.buffer[this.end++] = 10;
		this.end += this.buffer.write(line, this.end, 'utf8');
		this.rows++;
		return true;
	}

	take(firstRow: number): ImportFile {
		const room = this.buffer.subarray(0, this.end + FRAME_ROOM.after);
		return { content: room.subarray(this.start, this.end), room, bytes: this.bytes, firstRow, rowCount: this.rows };
	}

	private reserve(size: number): void {
		if (size <= this.buffer.length) return;
		const grown = Buffer.allocUnsafe(size);
		this.buffer.copy(grown, 0, 0, this.end);
		this.buffer = grown;
	}
}

/**
 * Packs rows into files (UTF-8, header included) within fileLimit's sizes, each starting with
 * the header, rows never split and in order; records each row's origin in `ledger`. Each line
 * is encoded into its file's buffer as it comes (no joining of a 10 MB file in one go), and
 * the loop yields to the event loop between pieces. Rows must fit the limit (see
 * rowSizeCheck): one that does not is put alone in a file rather than lost.
 */
export async function* buildFiles(
	batches: AsyncIterable<RowBatch>,
	columns: readonly string[],
	delimiter: Delimiter,
	options: BuildOptions,
	ledger: RowLedger,
): AsyncGenerator<ImportFile> {
	const { maxBytes, totalRows } = options;
	const header = encodeRow(columns, delimiter);
	const headerBytes = Buffer.byteLength(header, 'utf8');
	const pause = new YieldPoint();
	const split = new FileSplit(maxBytes);
	let rowBytes = 0;
	const firstRowOfImport = ledger.count;
	const nextFile = () => {
		const done = ledger.count - firstRowOfImport;
		const limit =
			totalRows === undefined
				? { bytes: maxBytes, rows: Number.POSITIVE_INFINITY }
				: split.next(Math.max(0, totalRows - done), done > 0 ? rowBytes / done : undefined);
		return new FileWriter(header, headerBytes, limit);
	};

	let file = nextFile();
	let firstRow = ledger.count;
	for await (const batch of batches) {
		for (let r = 0; r < batch.cells.length; r++) {
			const line = encodeRow(batch.cells[r], delimiter);
			let bytesBefore = file.bytes;
			if (!file.add(line)) {
				if (file.rows < file.limit.rows && Number.isFinite(file.limit.rows)) split.replan();
				yield file.take(firstRow);
				file = nextFile();
				firstRow = ledger.count;
				bytesBefore = file.bytes;
				file.add(line);
			}
			rowBytes += file.bytes - bytesBefore;
			ledger.add(batch.items[r], batch.lines?.[r]);
			if (pause.due()) await pause.turn();
		}
	}
	if (file.rows > 0) yield file.take(firstRow);
}
