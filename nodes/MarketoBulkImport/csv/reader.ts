import { ChunkedDelimitedReader } from './chunkedReader';
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

/**
 * parseDelimited with the line each record starts on and the line of a quote that never
 * closes. A separate function so parseDelimited's own loop stays as fast as it is.
 */
export function parseDelimitedWithLines(
	text: string,
	delimiter: Delimiter,
	options?: ParseOptions,
): LinedRecords {
	// The chunked reader, given the whole text as its only piece: one implementation of line counting.
	const reader = new ChunkedDelimitedReader(delimiter, options);
	const { records, lines } = reader.read(text);
	const last = reader.end();
	records.push(...last.records);
	lines.push(...last.lines);
	return last.unterminatedQuoteLine === undefined
		? { records, lines }
		: { records, lines, unterminatedQuoteLine: last.unterminatedQuoteLine };
}
