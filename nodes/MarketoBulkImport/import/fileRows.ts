import type { Delimiter } from '../csv/formats';
import { parseDelimitedWithLines } from '../csv/reader';

/** A data row with exactly as many cells as the header. */
export interface FileRow {
	cells: string[];
	/** 1-based line of the file where the row starts (see parseDelimitedWithLines). */
	line: number;
}

/** A data row whose cell count differs from the header's: never imported, shifted or padded. */
export interface WrongCellCountRow {
	line: number;
	/** The header's cell count. */
	expected: number;
	found: number;
	/** The row's first cells (at most 3), each cut to 40 characters with '…' when longer. */
	firstCells: string[];
}

export type FileProblem =
	/** No header: the file holds nothing but blank lines and rows of empty cells. */
	| { kind: 'empty' }
	/** Header names written more than once, each once, in header order. Exact names: 'Email' and 'email' differ. */
	| { kind: 'duplicateColumns'; names: string[] }
	/** A quoted field never closes; line is where its opening quote is. */
	| { kind: 'unterminatedQuote'; line: number };

export interface ReadFileRows {
	/** Header names exactly as written (not trimmed). */
	header: string[];
	/** Line of the header; absent when there is none. */
	headerLine?: number;
	rows: FileRow[];
	wrongCellCount: WrongCellCountRow[];
	/** Rows whose cells are all empty (`;;;`, `""`), before or after the header. Blank lines are not counted. */
	skippedEmptyRows: number;
	/** When set, the file cannot be imported: rows and wrongCellCount are empty, skippedEmptyRows 0. */
	problem?: FileProblem;
}

const SHOWN_CELLS = 3;
const SHOWN_CHARACTERS = 40;

/** A row of empty cells (`;;;`, `""`): skipped and counted, before or after the header. */
export function allEmpty(cells: readonly string[]): boolean {
	for (const cell of cells) if (cell !== '') return false;
	return true;
}

/** Cut by characters (code points), so an emoji is never split in two. */
function shorten(cell: string): string {
	if (cell.length <= SHOWN_CHARACTERS) return cell;
	const characters = Array.from(cell);
	return characters.length <= SHOWN_CHARACTERS ? cell : characters.slice(0, SHOWN_CHARACTERS).join('') + '…';
}

/**
 * Blank names are left out: no field can take them, and the column check already names them
 * (or drops them), so two blank columns lose nothing that could be imported.
 */
export function duplicateNames(header: readonly string[]): string[] {
	const seen = new Set<string>();
	const duplicated = new Set<string>();
	for (const name of header) {
		if (name.trim() === '') continue;
		if (seen.has(name)) duplicated.add(name);
		else seen.add(name);
	}
	return [...duplicated];
}

export function wrongCellCountRow(cells: readonly string[], line: number, expected: number): WrongCellCountRow {
	return { line, expected, found: cells.length, firstCells: cells.slice(0, SHOWN_CELLS).map(shorten) };
}

function refused(header: string[], problem: FileProblem, headerLine?: number): ReadFileRows {
	const result: ReadFileRows = { header, rows: [], wrongCellCount: [], skippedEmptyRows: 0, problem };
	if (headerLine !== undefined) result.headerLine = headerLine;
	return result;
}

/**
 * Reads a delimited file given as input into the header and the rows that can be imported,
 * setting apart what cannot: rows with a wrong cell count, rows of empty cells, and whole-file
 * problems (no header, duplicate column names, a quote that never closes).
 *
 * The header is the first row with a non-empty cell; rows of empty cells before it are skipped
 * and counted like those after it (spreadsheets export empty top rows as `;;;`).
 *
 * A row with trailing empty cells beyond the header's width (`a;b;c;;` for 3 columns) is a
 * wrong cell count, not trimmed: an unquoted delimiter inside a value followed by an empty last
 * column looks exactly like that (`x;Smith; John;Beta;` for Email;First;Last;Company), and
 * trimming would import it shifted.
 */
export function readFileRows(text: string, delimiter: Delimiter): ReadFileRows {
	const { records, lines, unterminatedQuoteLine } = parseDelimitedWithLines(text, delimiter);
	let next = 0;
	let skippedEmptyRows = 0;
	while (next < records.length && allEmpty(records[next])) {
		next++;
		skippedEmptyRows++;
	}
	const header = next < records.length ? records[next] : [];
	const headerLine = next < records.length ? lines[next] : undefined;

	// Checked first: the records after the quote, the header perhaps too, are one swallowed field
	if (unterminatedQuoteLine !== undefined) {
		return refused(header, { kind: 'unterminatedQuote', line: unterminatedQuoteLine }, headerLine);
	}
	if (headerLine === undefined) return refused([], { kind: 'empty' });
	const duplicates = duplicateNames(header);
	if (duplicates.length > 0) return refused(header, { kind: 'duplicateColumns', names: duplicates }, headerLine);

	const width = header.length;
	const rows: FileRow[] = [];
	const wrongCellCount: WrongCellCountRow[] = [];
	for (let i = next + 1; i < records.length; i++) {
		const cells = records[i];
		if (allEmpty(cells)) {
			skippedEmptyRows++;
		} else if (cells.length !== width) {
			wrongCellCount.push(wrongCellCountRow(cells, lines[i], width));
		} else {
			rows.push({ cells, line: lines[i] });
		}
	}
	return { header, headerLine, rows, wrongCellCount, skippedEmptyRows };
}
