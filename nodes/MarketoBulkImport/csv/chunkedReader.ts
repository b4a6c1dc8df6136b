import type { Delimiter } from './formats';

const QUOTE = 34;
const CR = 13;
const LF = 10;
const BOM = 0xfeff;

// Where the reader stands between two characters. Every state survives the end of a piece,
// so a record that crosses pieces is never read again from its start.
/** Between records: a line break here is a blank line. */
const RECORD_START = 0;
/** Right after a delimiter: a field starts, quoted or not. */
const FIELD_START = 1;
/** Inside an unquoted field, or in text after a closing quote (kept literally). */
const UNQUOTED = 2;
/** Inside a quoted field. */
const QUOTED = 3;
/** Inside a quoted field whose piece ended on a quote: a closing quote, or the first of `""`. */
const QUOTE_AT_PIECE_END = 4;
/** Right after a closing quote. */
const AFTER_CLOSE = 5;

export interface ChunkedReaderOptions {
	/** Drop a UTF-8 byte order mark (U+FEFF) at the very start of the text. Default true. */
	stripBom?: boolean;
	/**
	 * A record whose text runs longer than this many characters (line break included) is not
	 * kept: the reader stops at it and names its line (`overlongLine`). Its text is let go as it
	 * is read, so memory stays bounded however long it runs. Default: no limit.
	 */
	maxRecordChars?: number;
}

/** The records a piece of text completed, in order, with the line each starts on. */
export interface ReadRecords {
	records: string[][];
	/** 1-based line where each record starts, counted as parseDelimitedWithLines counts them. */
	lines: number[];
	/** Set when a record longer than `maxRecordChars` ended in this piece: its line. Nothing is read after it. */
	overlongLine?: number;
}

export interface LastRecords extends ReadRecords {
	/** As in parseDelimitedWithLines: the text ended inside a quoted field opened on this line. */
	unterminatedQuoteLine?: number;
}

/**
 * parseDelimitedWithLines for a text that comes in pieces of any size: the same records, on
 * the same lines, whatever the cuts (between CR and LF, inside `""`, right after a delimiter),
 * each character read once. Give the pieces in order to `read`, then call `end`.
 */
export class ChunkedDelimitedReader {
	private readonly delimiter: Delimiter;

	private readonly delimCode: number;

	private readonly maxRecordChars: number;

	private bomPending: boolean;

	private state = RECORD_START;

	/** Line of the next character. */
	private line = 1;

	/** A CR ended the last piece outside quotes: an LF starting the next belongs to it. */
	private skipLf = false;

	/** Inside quotes, the last piece ended on a CR: an LF starting the next is the same line break. */
	private quotedCrCarried = false;

	/** Fields of the current record (a scratch array, copied out at the exact size). */
	private readonly fields: string[] = [];

	private count = 0;

	/** The current field's text so far. */
	private value = '';

	private recordLine = 1;

	private quoteLine = 1;

	/** Offset in the whole text of the current record's first character, and of the current piece's. */
	private recordStart = 0;

	private pieceStart = 0;

	/** The current record has run past maxRecordChars: its text is no longer kept. */
	private overlong = false;

	private stopped = false;

	constructor(delimiter: Delimiter, options?: ChunkedReaderOptions) {
		this.delimiter = delimiter;
		this.delimCode = delimiter.charCodeAt(0);
		this.maxRecordChars = options?.maxRecordChars ?? Infinity;
		this.bomPending = options?.stripBom !== false;
	}

	read(text: string): ReadRecords {
		const records: string[][] = [];
		const lines: number[] = [];
		const length = text.length;
		if (length === 0 || this.stopped) return { records, lines };

		const { delimiter, delimCode, fields } = this;
		let pos = 0;
		if (this.bomPending) {
			this.bomPending = false;
			if (text.charCodeAt(0) === BOM) pos = 1;
		}
		if (this.skipLf) {
			this.skipLf = false;
			if (text.charCodeAt(pos) === LF) pos++;
		}
		let { state, line, count, value, recordLine, quoteLine, recordStart } = this;
		let overlongLine: number | undefined;

		// Next positions of delimiter, LF and CR at or after pos (length when none is left), each
		// found with indexOf and refreshed only once pos passes it, so each is scanned about once.
		let nextDelim = -1;
		let nextLf = -1;
		let nextCr = -1;

		while (pos < length) {
			if (state === RECORD_START) {
				const c = text.charCodeAt(pos);
				if (c === LF || c === CR) {
					// Blank line
					line++;
					pos++;
					if (c === CR) {
						if (pos === length) this.skipLf = true;
						else if (text.charCodeAt(pos) === LF) pos++;
					}
					continue;
				}
				recordLine = line;
				recordStart = this.pieceStart + pos;
				state = FIELD_START;
			}
			if (state === FIELD_START) {
				if (text.charCodeAt(pos) === QUOTE) {
					state = QUOTED;
					quoteLine = line;
					value = '';
					pos++;
					continue;
				}
				state = UNQUOTED;
				value = '';
			}

			if (state === QUOTED) {
				const close = text.indexOf('"', pos);
				const stop = close === -1 ? length : close;
				// Line breaks inside quotes: every CR, and every LF not right after a CR (CRLF is one)
				if (nextLf < pos) {
					nextLf = text.indexOf('\n', pos);
					if (nextLf === -1) nextLf = length;
				}
				while (nextLf < stop) {
					const afterCr = nextLf === 0 ? this.quotedCrCarried : text.charCodeAt(nextLf - 1) === CR;
					if (!afterCr) line++;
					nextLf = text.indexOf('\n', nextLf + 1);
					if (nextLf === -1) nextLf = length;
				}
				if (nextCr < pos) {
					nextCr = text.indexOf('\r', pos);
					if (nextCr === -1) nextCr = length;
				}
				while (nextCr < stop) {
					line++;
					nextCr = text.indexOf('\r', nextCr + 1);
					if (nextCr === -1) nextCr = length;
				}
				value += text.slice(pos, stop);
				if (close === -1) {
					pos = length;
					break;
				}
				pos = close + 1;
				if (pos === length) {
					state = QUOTE_AT_PIECE_END;
					break;
				}
				if (text.charCodeAt(pos) === QUOTE) {
					// `""` is one quote
					value += '"';
					pos++;
					continue;
				}
				state = AFTER_CLOSE;
			} else if (state === QUOTE_AT_PIECE_END) {
				if (text.charCodeAt(pos) === QUOTE) {
					value += '"';
					pos++;
					state = QUOTED;
					continue;
				}
				state = AFTER_CLOSE;
			}

			if (state === AFTER_CLOSE) {
				const c = text.charCodeAt(pos);
				// Anything but a field end after the closing quote is kept literally, up to the field end
				if (c !== delimCode && c !== LF && c !== CR) state = UNQUOTED;
			}

			if (state === UNQUOTED) {
				if (nextDelim < pos) {
					nextDelim = text.indexOf(delimiter, pos);
					if (nextDelim === -1) nextDelim = length;
				}
				if (nextLf < pos) {
					nextLf = text.indexOf('\n', pos);
					if (nextLf === -1) nextLf = length;
				}
				if (nextCr < pos) {
					nextCr = text.indexOf('\r', pos);
					if (nextCr === -1) nextCr = length;
				}
				const lineEnd = nextLf < nextCr ? nextLf : nextCr;
				const end = nextDelim < lineEnd ? nextDelim : lineEnd;
				value += text.slice(pos, end);
				pos = end;
				if (pos === length) break;
			}

			// A field ends here, at a delimiter or a line break
			const c = text.charCodeAt(pos);
			fields[count++] = value;
			value = '';
			pos++;
			if (c === delimCode) {
				state = FIELD_START;
				continue;
			}
			line++;
			if (c === CR) {
				if (pos === length) this.skipLf = true;
				else if (text.charCodeAt(pos) === LF) pos++;
			}
			state = RECORD_START;
			if (this.overlong || this.pieceStart + pos - recordStart > this.maxRecordChars) {
				overlongLine = recordLine;
				this.stop();
				return { records, lines, overlongLine };
			}
			records.push(fields.slice(0, count));
			lines.push(recordLine);
			count = 0;
		}

		this.quotedCrCarried = state === QUOTED && text.charCodeAt(length - 1) === CR;
		this.pieceStart += length;
		if (state !== RECORD_START && this.pieceStart - recordStart > this.maxRecordChars) {
			// Too long to keep: read on to its end only to know where that is
			this.overlong = true;
			fields.length = 0;
			count = 0;
			value = '';
		}
		this.state = state;
		this.line = line;
		this.count = count;
		this.value = value;
		this.recordLine = recordLine;
		this.quoteLine = quoteLine;
		this.recordStart = recordStart;
		return { records, lines };
	}

	/** The last record, which needs no line break after it, and whether the text ended inside quotes. */
	end(): LastRecords {
		const records: string[][] = [];
		const lines: number[] = [];
		const state = this.state;
		if (this.stopped || state === RECORD_START) {
			this.stop();
			return { records, lines };
		}
		const { fields } = this;
		let count = this.count;
		// After a delimiter at the very end, another (empty) field follows; otherwise the field read so far
		fields[count++] = state === FIELD_START ? '' : this.value;
		const last: LastRecords = { records, lines };
		if (state === QUOTED) last.unterminatedQuoteLine = this.quoteLine;
		if (this.overlong) {
			// An unterminated quote says more: it is why the record ran on
			if (last.unterminatedQuoteLine === undefined) last.overlongLine = this.recordLine;
		} else {
			records.push(fields.slice(0, count));
			lines.push(this.recordLine);
		}
		this.stop();
		return last;
	}

	private stop(): void {
		this.stopped = true;
		this.fields.length = 0;
		this.count = 0;
		this.value = '';
	}
}
