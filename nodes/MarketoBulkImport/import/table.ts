/**
 * Turns n8n items into the rows of an import file. Knows nothing of n8n: it takes plain
 * objects and reports the items it cannot turn into a row, so the caller decides whether
 * that stops the run or becomes an error item (Continue On Fail).
 */

/** A record (or a whole file) that is not imported, and why. */
export interface Refusal {
	itemIndex: number;
	/** For file input: the line of the file where the row starts. */
	line?: number;
	field?: string;
	/** What is wrong, without saying where (the caller adds the item and line). */
	message: string;
	/** How to fix it, when it differs from the usual advice about nested values. */
	fix?: string;
	/** The whole input item (a file) is refused, not one row of it. */
	wholeItem?: boolean;
}

export interface ImportTable {
	/** Union of the records' field names, in first-seen order. */
	columns: string[];
	/** One row per accepted record, in input order. */
	rows: string[][];
	/** Input item index of each row. */
	itemOf: number[];
	/** For file input: the line of its file where each row starts. */
	lineOf?: number[];
	refused: Refusal[];
}

/** Why a value has no text form in a Marketo file; undefined when it has one. */
export function describeUnsupported(value: unknown): string | undefined {
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object' && value !== null && !(value instanceof Date) && !isDateTimeLike(value)) {
		return 'an object';
	}
	if (typeof value === 'number' && !Number.isFinite(value)) return `the number ${String(value)}`;
	if (value instanceof Date && Number.isNaN(value.getTime())) return 'an invalid date';
	if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
	return undefined;
}

/** Luxon DateTime (what n8n expressions produce) without importing luxon. */
function isDateTimeLike(value: unknown): value is { toISO: () => string | null } {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { toISO?: unknown }).toISO === 'function' &&
		(value as { isLuxonDateTime?: unknown }).isLuxonDateTime === true
	);
}

/** Text form of a value: strings as they are, numbers and booleans as text, dates as ISO 8601. */
export function cellText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
		return String(value);
	}
	if (value instanceof Date) return value.toISOString();
	if (isDateTimeLike(value)) return value.toISO() ?? '';
	return String(value);
}

/**
 * Records → rows under one header. A record of empty cells would be a blank line, which
 * Marketo skips without a word: it is refused here instead.
 */
export function buildImportTable(
	records: ReadonlyArray<Record<string, unknown>>,
	itemOf: readonly number[],
	lineOf?: readonly number[],
): ImportTable {
	const refused: Refusal[] = [];
	const columnIndex = new Map<string, number>();
	const columns: string[] = [];
	const rows: string[][] = [];
	const keptItems: number[] = [];
	const keptLines: number[] = [];

	for (const record of records) {
		for (const field in record) {
			if (!columnIndex.has(field)) {
				columnIndex.set(field, columns.length);
				columns.push(field);
			}
		}
	}
	records.forEach((record, index) => {
		const row = new Array<string>(columns.length).fill('');
		let empty = true;
		for (const field in record) {
			const text = cellText(record[field]);
			if (text !== '') empty = false;
			row[columnIndex.get(field) as number] = text;
		}
		if (empty) {
			refused.push({
				itemIndex: itemOf[index],
				line: lineOf?.[index],
				message: 'no values to import',
				fix: 'Remove empty items before this node (for example with a Filter node), or give them a lookup value.',
			});
			return;
		}
		rows.push(row);
		keptItems.push(itemOf[index]);
		if (lineOf) keptLines.push(lineOf[index]);
	});

	return { columns, rows, itemOf: keptItems, lineOf: lineOf && keptLines, refused };
}
