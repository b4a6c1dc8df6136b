import type { Delimiter } from './formats';

export interface ParseOptions {
	/** Drop a UTF-8 byte order mark (U+FEFF) at the very start of the text. Default true. */
	stripBom?: boolean;
}

export interface DelimitedRecords {
	header: string[];
	rows: string[][];
}

const QUOTE = 34;
const CR = 13;
const LF = 10;
const BOM = 0xfeff;
const DOUBLED_QUOTES = /""/g;

/**
 * RFC 4180 reader, lenient and total (never throws):
 * - fields may be quoted; `""` inside quotes is one `"`; delimiters and line breaks inside quotes are data
 * - records end at CRLF, LF or a lone CR (mixed is fine); a final line break adds no record
 * - physically empty lines are skipped (like papaparse `skipEmptyLines: true`), so a record that
 *   is a single empty unquoted field can't be represented; `""` on its own line is kept as ['']
 * - a quote that doesn't start a field is literal (`ab"c` → `ab"c`)
 * - text after a closing quote, up to the next delimiter or line break, is appended literally
 *   (`"ab"c` → `abc`)
 * - an unterminated quoted field takes the rest of the text, line breaks included, `""` collapsed
 * - rows are returned as found; no padding to the header width
 */
export function parseDelimited(
	text: string,
	delimiter: Delimiter,
	options?: ParseOptions,
): string[][] {
	const rows: string[][] = [];
	const length = text.length;
	const delimCode = delimiter.charCodeAt(0);
	let pos = options?.stripBom !== false && text.charCodeAt(0) === BOM ? 1 : 0;

	// Next positions of delimiter, LF and CR at or after pos (length when none is left), found
	// with indexOf and refreshed only once pos passes them, so each is scanned about once.
	// (Splitting quote-free lines natively was tried: slower than this loop.)
	let nextDelim = -1;
	let nextLf = -1;
	let nextCr = -1;

	// Fields of the current record go to a reused scratch array, copied out at the exact size:
	// less for the garbage collector to move than arrays grown by push
	const fields: string[] = [];
	let count = 0;
	while (pos < length) {
		let c = text.charCodeAt(pos);
		if (count === 0 && (c === LF || c === CR)) {
			// Blank line
			pos += c === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
			continue;
		}

		let value = '';
		let scan = true;
		if (c === QUOTE) {
			const start = pos + 1;
			let close = text.indexOf('"', start);
			let escaped = false;
			while (close !== -1 && text.charCodeAt(close + 1) === QUOTE) {
				escaped = true;
				close = text.indexOf('"', close + 2);
			}
			if (close === -1) {
				value = text.slice(start);
				fields[count++] = escaped ? value.replace(DOUBLED_QUOTES, '"') : value;
				rows.push(fields.slice(0, count));
				return rows;
			}
			value = text.slice(start, close);
			if (escaped) value = value.replace(DOUBLED_QUOTES, '"');
			pos = close + 1;
			c = text.charCodeAt(pos);
			// Anything but a field end after the closing quote is junk, kept literally below
			scan = pos < length && c !== delimCode && c !== LF && c !== CR;
		}

		if (scan) {
			if (nextDelim < pos && nextDelim !== length) {
				nextDelim = text.indexOf(delimiter, pos);
				if (nextDelim === -1) nextDelim = length;
			}
			if (nextLf < pos && nextLf !== length) {
				nextLf = text.indexOf('\n', pos);
				if (nextLf === -1) nextLf = length;
			}
			if (nextCr < pos && nextCr !== length) {
				nextCr = text.indexOf('\r', pos);
				if (nextCr === -1) nextCr = length;
			}
			const lineEnd = nextLf < nextCr ? nextLf : nextCr;
			const end = nextDelim < lineEnd ? nextDelim : lineEnd;
			// value is '' unless this is junk after a closing quote
			value += text.slice(pos, end);
			pos = end;
			c = text.charCodeAt(pos);
		}

		fields[count++] = value;
		if (pos >= length) break;
		if (c === delimCode) {
			// Another field follows, even at the very end of the text
			pos++;
			if (pos >= length) fields[count++] = '';
		} else {
			pos += c === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
			rows.push(fields.slice(0, count));
			count = 0;
		}
	}
	if (count > 0) rows.push(fields.slice(0, count));
	return rows;
}

/** First record as the header, the rest as rows. Empty text gives an empty header. */
export function parseDelimitedRecords(
	text: string,
	delimiter: Delimiter,
	options?: ParseOptions,
): DelimitedRecords {
	const rows = parseDelimited(text, delimiter, options);
	const header = rows.length > 0 ? rows[0] : [];
	rows.shift();
	return { header, rows };
}

/** Records with the physical line each starts on, for messages that point into a file. */
export interface LinedRecords {
	records: string[][];
	/**
	 * 1-based line where each record starts: one more than the line breaks before it (CRLF,
	 * LF and a lone CR are one break each; breaks inside quotes and blank lines count; a
	 * stripped BOM does not).
	 */
	lines: number[];
	/**
	 * Set when the text ends inside a quoted field: the line where that field's opening quote
	 * is. The last record then holds the rest of the text, exactly as parseDelimited returns
	 * it, and should not be trusted.
	 */
	unterminatedQuoteLine?: number;
}

/** What a scan carries from one chunk of a text to the next. */
export interface LineScanState {
	/** Line the next unread character is on. */
	line: number;
	/** Whether a BOM may still come (nothing has been read yet) and should be dropped. */
	bomPending: boolean;
}

export function createLineScanState(options?: ParseOptions): LineScanState {
	return { line: 1, bomPending: options?.stripBom !== false };
}

export interface ScannedChunk extends LinedRecords {
	/**
	 * How much of the text was read. Before the last chunk, the unfinished last record is left
	 * unread: give `text.slice(consumed)` again at the start of the next chunk. The last scan
	 * reads everything.
	 */
	consumed: number;
}

/**
 * parseDelimited's reading rules, with the line each record starts on and whether the text
 * ended inside quotes. Reads a text in one go, or in chunks (see ScannedChunk.consumed) with
 * `final` false for all but the last: before the last chunk a record counts only once its line
 * break is seen, and a CR at the very end waits for a possible LF.
 *
 * A record that crosses chunks is read again from its start, so a record far longer than a
 * chunk (an unterminated quote) costs time quadratic in its length; fine for whole texts.
 */
export function scanDelimitedChunk(
	text: string,
	delimiter: Delimiter,
	state: LineScanState,
	final: boolean,
): ScannedChunk {
	const records: string[][] = [];
	const lines: number[] = [];
	const length = text.length;
	const delimCode = delimiter.charCodeAt(0);
	let pos = 0;
	if (length > 0) {
		if (state.bomPending && text.charCodeAt(0) === BOM) pos = 1;
		state.bomPending = false;
	}

	let line = state.line;
	// Start and line of what is not part of a finished record yet
	let consumed = pos;
	let consumedLine = line;
	let recordLine = line;
	let unterminatedQuoteLine: number | undefined;

	// As in parseDelimited: next delimiter, LF and CR at or after pos, each scanned about once.
	// Line breaks inside quoted fields are counted from the same LF and CR positions.
	let nextDelim = -1;
	let nextLf = -1;
	let nextCr = -1;

	const fields: string[] = [];
	let count = 0;
	while (pos < length) {
		let c = text.charCodeAt(pos);
		if (count === 0) {
			if (c === LF || c === CR) {
				// Blank line
				if (c === CR && pos + 1 === length && !final) break;
				pos += c === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
				line++;
				consumed = pos;
				consumedLine = line;
				continue;
			}
			recordLine = line;
		}

		let value = '';
		let scan = true;
		if (c === QUOTE) {
			const start = pos + 1;
			let close = text.indexOf('"', start);
			let escaped = false;
			while (close !== -1 && text.charCodeAt(close + 1) === QUOTE) {
				escaped = true;
				close = text.indexOf('"', close + 2);
			}
			if (close === -1) {
				// Perhaps closed in the next chunk
				if (!final) break;
				unterminatedQuoteLine = line;
				value = text.slice(start);
				if (escaped) value = value.replace(DOUBLED_QUOTES, '"');
				fields[count++] = value;
				pos = length;
				break;
			}
			if (nextLf < start && nextLf !== length) {
				nextLf = text.indexOf('\n', start);
				if (nextLf === -1) nextLf = length;
			}
			while (nextLf < close) {
				line++;
				nextLf = text.indexOf('\n', nextLf + 1);
				if (nextLf === -1) nextLf = length;
			}
			if (nextCr < start && nextCr !== length) {
				nextCr = text.indexOf('\r', start);
				if (nextCr === -1) nextCr = length;
			}
			while (nextCr < close) {
				// The LF of a CRLF was counted above
				if (text.charCodeAt(nextCr + 1) !== LF) line++;
				nextCr = text.indexOf('\r', nextCr + 1);
				if (nextCr === -1) nextCr = length;
			}
			value = text.slice(start, close);
			if (escaped) value = value.replace(DOUBLED_QUOTES, '"');
			pos = close + 1;
			c = text.charCodeAt(pos);
			scan = pos < length && c !== delimCode && c !== LF && c !== CR;
		}

		if (scan) {
			if (nextDelim < pos && nextDelim !== length) {
				nextDelim = text.indexOf(delimiter, pos);
				if (nextDelim === -1) nextDelim = length;
			}
			if (nextLf < pos && nextLf !== length) {
				nextLf = text.indexOf('\n', pos);
				if (nextLf === -1) nextLf = length;
			}
			if (nextCr < pos && nextCr !== length) {
				nextCr = text.indexOf('\r', pos);
				if (nextCr === -1) nextCr = length;
			}
			const lineEnd = nextLf < nextCr ? nextLf : nextCr;
			const end = nextDelim < lineEnd ? nextDelim : lineEnd;
			value += text.slice(pos, end);
			pos = end;
			c = text.charCodeAt(pos);
		}

		fields[count++] = value;
		if (pos >= length) break;
		if (c === delimCode) {
			pos++;
			if (pos >= length) fields[count++] = '';
		} else {
			if (c === CR && pos + 1 === length && !final) break;
			pos += c === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
			line++;
			records.push(fields.slice(0, count));
			lines.push(recordLine);
			count = 0;
			consumed = pos;
			consumedLine = line;
		}
	}

	if (final) {
		// The text ended without a line break after its last record
		if (count > 0) {
			records.push(fields.slice(0, count));
			lines.push(recordLine);
		}
		state.line = line;
		const scanned: ScannedChunk = { records, lines, consumed: length };
		if (unterminatedQuoteLine !== undefined) scanned.unterminatedQuoteLine = unterminatedQuoteLine;
		return scanned;
	}
	state.line = consumedLine;
	return { records, lines, consumed };
}

/**
 * parseDelimited with the line each record starts on and the line of a quote that never
 * closes. A separate function so parseDelimited's own loop stays as fast as it is.
 */
export function parseDelimitedWithLines(
	text: string,
	delimiter: Delimiter,
	options?: ParseOptions,
): LinedRecords {
	const { records, lines, unterminatedQuoteLine } = scanDelimitedChunk(
		text,
		delimiter,
		createLineScanState(options),
		true,
	);
	return unterminatedQuoteLine === undefined ? { records, lines } : { records, lines, unterminatedQuoteLine };
}
