 
/**
 * Delimited-file reading and report writing for the emulator, built on papaparse (an
 * implementation independent of the product's own CSV code).
 */
import Papa from 'papaparse';

export type ImportFormat = 'csv' | 'tsv' | 'ssv';

export const DELIMITERS: Record<ImportFormat, string> = { csv: ',', tsv: '\t', ssv: ';' };

export interface DecodedFile {
	text: string;
	hadBom: boolean;
}

/** UTF-8 decode (lenient: invalid bytes become U+FFFD); the BOM is reported and removed. */
export function decodeFile(buf: Buffer): DecodedFile {
	const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(buf);
	if (text.charCodeAt(0) === 0xfeff) return { text: text.slice(1), hadBom: true };
	return { text, hadBom: false };
}

export interface ParsedFile {
	rows: string[][];
	/** Set when the file is not parseable (e.g. an unterminated quoted field). */
	error?: string;
}

/** RFC 4180 parse with the job's delimiter: quoted fields, "" escapes, CRLF or LF, blank lines skipped. */
export function parseDelimited(text: string, delimiter: string): ParsedFile {
	const result = Papa.parse<string[]>(text, {
		delimiter,
		quoteChar: '"',
		escapeChar: '"',
		header: false,
		dynamicTyping: false,
		skipEmptyLines: true,
	});
	const quoteError = result.errors.find((e) => e.type === 'Quotes');
	const rows = result.data.map((r) => r.map((c) => (c === undefined || c === null ? '' : String(c))));
	if (quoteError) {
		const where = typeof quoteError.row === 'number' ? ` in row ${quoteError.row + 1}` : '';
		return { rows, error: `${quoteError.message}${where}` };
	}
	return { rows };
}

/** One record per line, RFC 4180 quoting where needed, the given delimiter, CRLF line ends. */
export function writeDelimited(records: string[][], delimiter: string, trailingNewline: boolean): string {
	const lines = records.map((r) =>
		r.length === 0 ? '' : Papa.unparse([r], { delimiter, newline: '\r\n', quotes: false, header: false }),
	);
	return lines.join('\r\n') + (trailingNewline && lines.length > 0 ? '\r\n' : '');
}
