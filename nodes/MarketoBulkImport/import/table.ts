/**
 * Turns n8n items into the rows of an import file. Knows nothing of n8n: it takes plain
 * objects and reports the items it cannot turn into a row, so the caller decides whether
 * that stops the run or becomes an error item (Continue On Fail).
 */

export interface RejectedItem {
	itemIndex: number;
	field: string;
	message: string;
	/** How to fix it, when it differs from the usual advice about nested values. */
	fix?: string;
}

export interface ImportTable {
	/** Union of the accepted items' top-level field names, in first-seen order. */
	columns: string[];
	/** One row per accepted item, in input order. */
	rows: string[][];
	/** Input index of each row. */
	itemIndexes: number[];
	rejected: RejectedItem[];
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

export function buildImportTable(records: ReadonlyArray<Record<string, unknown>>): ImportTable {
	const rejected: RejectedItem[] = [];
	const accepted: number[] = [];
	const columnIndex = new Map<string, number>();
	const columns: string[] = [];

	records.forEach((record, itemIndex) => {
		for (const field of Object.keys(record)) {
			const problem = describeUnsupported(record[field]);
			if (problem !== undefined) {
				rejected.push({
					itemIndex,
					field,
					message: `Field "${field}" of item ${itemIndex} holds ${problem}, which Marketo cannot store in a lead field`,
				});
				return;
			}
		}
		accepted.push(itemIndex);
		for (const field of Object.keys(record)) {
			if (!columnIndex.has(field)) {
				columnIndex.set(field, columns.length);
				columns.push(field);
			}
		}
	});

	// A row of empty cells is a blank line, which Marketo skips without a word: refuse it here.
	for (let a = accepted.length - 1; a >= 0; a--) {
		const record = records[accepted[a]];
		if (Object.values(record).every((value) => cellText(value) === '')) {
			rejected.push({
				itemIndex: accepted[a],
				field: '',
				message: `Item ${accepted[a]} has no values to import`,
				fix: 'Remove empty items before this node (for example with a Filter node), or give them a lookup value.',
			});
			accepted.splice(a, 1);
		}
	}
	rejected.sort((x, y) => x.itemIndex - y.itemIndex);

	const rows = accepted.map((itemIndex) => {
		const record = records[itemIndex];
		const row = new Array<string>(columns.length).fill('');
		for (const field of Object.keys(record)) {
			row[columnIndex.get(field) as number] = cellText(record[field]);
		}
		return row;
	});

	return { columns, rows, itemIndexes: accepted, rejected };
}
