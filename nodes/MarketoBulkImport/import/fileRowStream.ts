import { ChunkedDelimitedReader } from '../csv/chunkedReader';
import type { LastRecords } from '../csv/chunkedReader';
import type { Delimiter } from '../csv/formats';
import { detectDelimiter } from '../csv/formats';
import type { FileProblem, FileRow, WrongCellCountRow } from './fileRows';
import { allEmpty, duplicateNames, wrongCellCountRow } from './fileRows';

/**
 * One batch of data rows, sorted as readFileRows sorts them. Cells are slices of the text read:
 * a cell kept long after its batch keeps the stretch of text it was cut from (up to 64 KB)
 * alive with it. Keep a copy, not the cell, of what is kept for the whole import.
 */
export interface FileRowChunk {
	rows: FileRow[];
	wrongCellCount: WrongCellCountRow[];
	/** Rows of empty cells in this stretch of the file (the first chunk also counts those before the header). */
	skippedEmptyRows: number;
}

export type StreamedFileProblem =
	| FileProblem
	/**
	 * A record (starting on `line`) runs longer than `maxRecordChars` characters: no upload file
	 * could hold it, and reading it on would mean holding it whole.
	 */
	| { kind: 'recordTooLong'; line: number; maxRecordChars: number };

export interface StreamedHeader {
	/** Header names exactly as written; empty when there is none. */
	header: string[];
	/** Line of the header; absent when there is none. */
	headerLine?: number;
	/** The delimiter the file is read with (the one given, or the one detected). */
	delimiter: Delimiter;
	/** When set, the file cannot be imported and `chunks()` gives nothing. */
	problem?: StreamedFileProblem;
}

export interface StreamedFile {
	/** Resolves once the header is read (or a problem makes the file unreadable). Reads no further than it needs. */
	header(): Promise<StreamedHeader>;
	/**
	 * Data rows in batches of `batchRows` rows (rows and wrong-cell-count rows together), in
	 * file order. A batch has fewer rows (even none) when it is the last, or when
	 * BATCH_TEXT_CHARS of text were read for it: the text is read only as batches are asked for,
	 * so the work between two is bounded, and a consumer that gives the event loop a turn
	 * between batches keeps it responsive. Reads the header first if header() was not awaited.
	 * Can be iterated once. A problem found on the way (an unterminated quote at the end, a
	 * record too long) ends the iteration early: check `problem()` when it ends, and import
	 * nothing of the file if it is set. Leaving the loop early releases the source.
	 */
	chunks(batchRows?: number): AsyncIterable<FileRowChunk>;
	/** The file's problem, once known: from header() on, or when the iteration of chunks() has ended. */
	problem(): StreamedFileProblem | undefined;
	/** Stops reading and releases the source (ends the stream), for a consumer that stops after header(). */
	close(): Promise<void>;
}

export interface StreamFileRowsOptions {
	/** A record longer than this many characters is a problem instead of being held whole. */
	maxRecordChars?: number;
}

/** No upload file (under 10 MB) can hold a record this long. */
export const DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;
export const DEFAULT_BATCH_ROWS = 5000;

/**
 * A batch is also given once this much text has been read since the last, with fewer rows
 * (even none), so the work between two batches stays short (a few ms) however long the rows.
 */
export const BATCH_TEXT_CHARS = 512 * 1024;

/**
 * How much text the delimiter is detected from at most. detectDelimiter reads up to the first
 * line break outside quotes; a stray quote in the header could make that the whole file.
 */
export const DELIMITER_DETECTION_CHARS = 1024 * 1024;

/**
 * Bytes decoded at once. V8 makes a string of more than about 64K characters much more slowly
 * (30 ms for 1 MB where 32 pieces of 32 KB take 1 ms): decoding a 1 MB chunk whole would be
 * the longest stretch of work here.
 */
const DECODE_BYTES = 32 * 1024;

const CLOSED = 'The streamed file was closed before it was read to its end';

const QUOTE = 34;
const CR = 13;
const LF = 10;
const BOM = 0xfeff;

/**
 * Finds where detectDelimiter stops reading (the first line break outside quotes, after a BOM
 * and leading line breaks) in a text given in pieces, so only that much is held before the
 * delimiter is known.
 */
class HeaderLineFinder {
	private started = false;

	private leading = true;

	private inQuotes = false;

	/** Whether the header line has ended within this piece. */
	ended(text: string): boolean {
		let i = 0;
		if (!this.started && text.length > 0) {
			this.started = true;
			if (text.charCodeAt(0) === BOM) i = 1;
		}
		for (; i < text.length; i++) {
			const c = text.charCodeAt(i);
			if (this.leading) {
				if (c === CR || c === LF) continue;
				this.leading = false;
			}
			if (c === QUOTE) this.inQuotes = !this.inQuotes;
			else if (!this.inQuotes && (c === CR || c === LF)) return true;
		}
		return false;
	}
}

/** The delimiter readFileRows' callers detect from a whole text: from its header line, `,` when none is there. */
export function detectFileDelimiter(text: string): Delimiter {
	return detectDelimiter(text.replace(/^\uFEFF?[\r\n]*/, '')) ?? ',';
}

/** The records of a stretch of the file, and the problem it ended on, if any. */
type Piece = LastRecords;

/**
 * Reads a delimited file from a stream of bytes (UTF-8, a BOM ignored) or text, giving what
 * readFileRows gives for the whole file, without ever holding the whole file: the header first,
 * then the rows in batches, then the problem found at the end, if any. Memory is bounded by the
 * source's chunk size, the batch size and the longest record (itself bounded by maxRecordChars).
 *
 * Differences with readFileRows, all on files that cannot be imported anyway: a duplicate
 * header is reported at once, without reading on for an unterminated quote further down (which
 * readFileRows would name instead); a record longer than maxRecordChars is its own problem; and
 * with 'auto', a header line over DELIMITER_DETECTION_CHARS is detected from its start.
 */
export function streamFileRows(
	source: AsyncIterable<Buffer | Uint8Array | string>,
	delimiter: Delimiter | 'auto',
	options?: StreamFileRowsOptions,
): StreamedFile {
	return new FileRowStream(source, delimiter, options?.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS);
}

class FileRowStream implements StreamedFile {
	private iterator: AsyncIterator<Buffer | Uint8Array | string> | undefined;

	private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

	private reader: ChunkedDelimitedReader | undefined;

	private delimiter: Delimiter | undefined;

	/** Text read while detecting the delimiter, to be read as records next. */
	private held: string | undefined;

	private sourceDone = false;

	/** A chunk of the source not decoded to its end yet, and how far it is. */
	private undecoded: Uint8Array | undefined;

	private decodedUpTo = 0;

	/** Characters read into records so far. */
	private charsRead = 0;

	private ended = false;

	private closed = false;

	private headerRead: Promise<StreamedHeader> | undefined;

	private found: StreamedFileProblem | undefined;

	/** Records read past the header in its piece, and the problem that piece ended on. */
	private leftover: Piece = { records: [], lines: [] };

	private skippedBeforeHeader = 0;

	private iterated = false;

	constructor(
		private readonly source: AsyncIterable<Buffer | Uint8Array | string>,
		delimiterChoice: Delimiter | 'auto',
		private readonly maxRecordChars: number,
	) {
		if (delimiterChoice !== 'auto') this.start(delimiterChoice);
	}

	header(): Promise<StreamedHeader> {
		this.headerRead ??= this.readHeader();
		return this.headerRead;
	}

	problem(): StreamedFileProblem | undefined {
		return this.found;
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.ended = true;
		const iterator = this.iterator;
		if (iterator !== undefined && !this.sourceDone && iterator.return !== undefined) await iterator.return();
	}

	chunks(batchRows = DEFAULT_BATCH_ROWS): AsyncIterable<FileRowChunk> {
		if (this.iterated) throw new Error('The rows of a streamed file can be iterated once');
		this.iterated = true;
		const size = Math.max(1, Math.floor(batchRows));
		return { [Symbol.asyncIterator]: () => this.batches(size) };
	}

	private start(delimiter: Delimiter): void {
		this.delimiter = delimiter;
		this.reader = new ChunkedDelimitedReader(delimiter, { maxRecordChars: this.maxRecordChars });
	}

	/**
	 * The next stretch of the source as text ('' when it held only part of a character), or
	 * undefined at the end. A chunk of bytes is decoded DECODE_BYTES at a time, as it is read.
	 */
	private async nextText(): Promise<string | undefined> {
		if (this.undecoded === undefined) {
			if (this.sourceDone) return undefined;
			this.iterator ??= this.source[Symbol.asyncIterator]();
			const next = await this.iterator.next();
			if (next.done === true) {
				this.sourceDone = true;
				return undefined;
			}
			const chunk = next.value;
			if (typeof chunk === 'string') return chunk;
			this.undecoded = chunk;
			this.decodedUpTo = 0;
		}
		const bytes = this.undecoded;
		const from = this.decodedUpTo;
		const to = Math.min(from + DECODE_BYTES, bytes.length);
		if (to === bytes.length) this.undecoded = undefined;
		this.decodedUpTo = to;
		return this.decoder.decode(from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to), { stream: true });
	}

	/** The records of the next stretch of the file, or undefined once everything has been read. */
	private async nextPiece(): Promise<Piece | undefined> {
		if (this.closed) throw new Error(CLOSED);
		if (this.ended) return undefined;
		if (this.reader === undefined) await this.detect();
		const reader = this.reader as ChunkedDelimitedReader;
		if (this.held !== undefined) {
			const held = this.held;
			this.held = undefined;
			this.charsRead += held.length;
			return reader.read(held);
		}
		const text = await this.nextText();
		if (this.closed) throw new Error(CLOSED);
		if (text !== undefined) {
			this.charsRead += text.length;
			return reader.read(text);
		}
		this.ended = true;
		const last: Piece = reader.read(this.decoder.decode());
		if (last.overlongLine !== undefined) return last;
		const end = reader.end();
		return {
			...end,
			records: last.records.concat(end.records),
			lines: last.lines.concat(end.lines),
		};
	}

	private async detect(): Promise<void> {
		const finder = new HeaderLineFinder();
		const pieces: string[] = [];
		let length = 0;
		for (;;) {
			const text = await this.nextText();
			if (text === undefined) {
				const tail = this.decoder.decode();
				pieces.push(tail);
				length += tail.length;
				break;
			}
			pieces.push(text);
			length += text.length;
			if (finder.ended(text) || length > DELIMITER_DETECTION_CHARS) break;
		}
		const held = pieces.join('');
		this.start(detectFileDelimiter(held.slice(0, DELIMITER_DETECTION_CHARS)));
		this.held = held;
	}

	private async readHeader(): Promise<StreamedHeader> {
		let skipped = 0;
		for (;;) {
			const piece = await this.nextPiece();
			const delimiter = this.delimiter as Delimiter;
			// The end was read with the last piece, below
			if (piece === undefined) return this.refuse({ header: [], delimiter }, { kind: 'empty' });
			const { records, lines } = piece;
			for (let i = 0; i < records.length; i++) {
				if (allEmpty(records[i])) {
					skipped++;
					continue;
				}
				const header = records[i];
				const found: StreamedHeader = { header, headerLine: lines[i], delimiter };
				if (piece.unterminatedQuoteLine !== undefined) {
					return this.refuse(found, { kind: 'unterminatedQuote', line: piece.unterminatedQuoteLine });
				}
				const duplicates = duplicateNames(header);
				if (duplicates.length > 0) return this.refuse(found, { kind: 'duplicateColumns', names: duplicates });
				this.skippedBeforeHeader = skipped;
				this.leftover = {
					...piece,
					records: records.slice(i + 1),
					lines: lines.slice(i + 1),
				};
				return found;
			}
			if (piece.unterminatedQuoteLine !== undefined) {
				return this.refuse({ header: [], delimiter }, { kind: 'unterminatedQuote', line: piece.unterminatedQuoteLine });
			}
			if (piece.overlongLine !== undefined) {
				return this.refuse({ header: [], delimiter }, this.tooLong(piece.overlongLine));
			}
			if (this.ended) return this.refuse({ header: [], delimiter }, { kind: 'empty' });
		}
	}

	private tooLong(line: number): StreamedFileProblem {
		return { kind: 'recordTooLong', line, maxRecordChars: this.maxRecordChars };
	}

	private async refuse(header: StreamedHeader, problem: StreamedFileProblem): Promise<StreamedHeader> {
		this.found = problem;
		await this.close();
		return { ...header, problem };
	}

	private async *batches(batchRows: number): AsyncGenerator<FileRowChunk> {
		const { header, problem } = await this.header();
		if (problem !== undefined) return;
		// Rows cut short without a problem would pass for the whole file
		if (this.closed) throw new Error(CLOSED);
		const width = header.length;
		let batch: FileRowChunk = { rows: [], wrongCellCount: [], skippedEmptyRows: this.skippedBeforeHeader };
		let batchStart = this.charsRead;
		let piece: Piece | undefined = this.leftover;
		this.leftover = { records: [], lines: [] };
		try {
			while (piece !== undefined) {
				if (piece.unterminatedQuoteLine !== undefined) {
					// Rows already given are part of what cannot be imported
					this.found = { kind: 'unterminatedQuote', line: piece.unterminatedQuoteLine };
					return;
				}
				const { records, lines } = piece;
				for (let i = 0; i < records.length; i++) {
					const cells = records[i];
					if (allEmpty(cells)) {
						batch.skippedEmptyRows++;
						continue;
					}
					if (cells.length === width) batch.rows.push({ cells, line: lines[i] });
					else batch.wrongCellCount.push(wrongCellCountRow(cells, lines[i], width));
					if (batch.rows.length + batch.wrongCellCount.length >= batchRows) {
						yield batch;
						batch = { rows: [], wrongCellCount: [], skippedEmptyRows: 0 };
						batchStart = this.charsRead;
					}
				}
				if (piece.overlongLine !== undefined) {
					this.found = this.tooLong(piece.overlongLine);
					return;
				}
				if (this.charsRead - batchStart >= BATCH_TEXT_CHARS) {
					// Long rows, or none: the consumer gets its turn (and can give the event loop one) all the same
					yield batch;
					batch = { rows: [], wrongCellCount: [], skippedEmptyRows: 0 };
					batchStart = this.charsRead;
				}
				piece = await this.nextPiece();
			}
			if (batch.rows.length > 0 || batch.wrongCellCount.length > 0 || batch.skippedEmptyRows > 0) yield batch;
		} finally {
			// Left early (by the consumer, or at a record too long): let the source go
			if (!this.sourceDone) await this.close();
		}
	}
}
