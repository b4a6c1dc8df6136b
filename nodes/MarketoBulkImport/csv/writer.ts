import type { Delimiter } from './formats';

/** RFC 4180 line break, also papaparse's `unparse` default. */
export const LINE_END = '\r\n';

const SPACE = 32;
const QUOTES = /"/g;

// One precompiled character class per delimiter: a single native scan per cell.
// \uFEFF is included because papaparse quotes it too (a BOM inside a cell must survive a BOM strip).
const SPECIAL: Readonly<Record<Delimiter, RegExp>> = {
	',': /[",\r\n\uFEFF]/,
	'\t': /["\t\r\n\uFEFF]/,
	';': /[";\r\n\uFEFF]/,
};

/**
 * Quoting rule, identical to papaparse `unparse` defaults (quotes: false, escapeFormulae: false):
 * a cell is wrapped in `"` (inner `"` doubled) when it contains the delimiter, `"`, CR, LF or U+FEFF,
 * or when it starts or ends with a space (U+0020 only; tabs and other whitespace don't count
 * unless tab is the delimiter). The empty string is never quoted.
 */
function needsQuotes(value: string, special: RegExp): boolean {
	const last = value.length - 1;
	return (
		last >= 0 &&
		(value.charCodeAt(0) === SPACE || value.charCodeAt(last) === SPACE || special.test(value))
	);
}

function quote(value: string): string {
	return '"' + (value.indexOf('"') === -1 ? value : value.replace(QUOTES, '""')) + '"';
}

export function encodeCell(value: string, delimiter: Delimiter): string {
	return needsQuotes(value, SPECIAL[delimiter]) ? quote(value) : value;
}

function encodeRowWith(cells: readonly string[], delimiter: Delimiter, special: RegExp): string {
	// Most rows need no quoting at all: let the native join build them, copying the row only if needed
	let quoted: string[] | undefined;
	for (let i = 0; i < cells.length; i++) {
		const cell = cells[i];
		if (needsQuotes(cell, special)) {
			if (quoted === undefined) quoted = cells.slice();
			quoted[i] = quote(cell);
		}
	}
	return (quoted === undefined ? cells : quoted).join(delimiter);
}

/** One record without its line end. */
export function encodeRow(cells: readonly string[], delimiter: Delimiter): string {
	return encodeRowWith(cells, delimiter, SPECIAL[delimiter]);
}

/**
 * Header then rows, joined with CRLF and with NO line end after the last row, exactly like
 * `Papa.unparse([header, ...rows], { delimiter, newline: '\r\n' })`. Rows are written as given
 * (no padding to the header width). A row with no cells, or with a single empty cell, becomes a
 * blank line, which readers (ours, papaparse with skipEmptyLines, Marketo) skip.
 */
export function writeDelimited(
	header: readonly string[],
	rows: readonly (readonly string[])[],
	delimiter: Delimiter,
): string {
	const special = SPECIAL[delimiter];
	// Appending to one string builds a rope that V8 flattens once; faster than collecting lines
	let text = encodeRowWith(header, delimiter, special);
	for (let i = 0; i < rows.length; i++) {
		text += LINE_END + encodeRowWith(rows[i], delimiter, special);
	}
	return text;
}
