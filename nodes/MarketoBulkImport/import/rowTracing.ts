import type { ParsedReport, ReportRow } from './reports';

/**
 * Marketo's failures and warnings files carry no row number, only the row's values (and
 * in any order). Rows are traced back to the rows (and so the input items) that produced them by value:
 * first by every echoed column, then with values trimmed and lower-cased (in case Marketo
 * normalised them), then by the lookup field alone. Duplicate rows are handed out in
 * input order, so two identical input rows match two identical report rows.
 */
export interface TracedRow {
	rowIndex: number;
	row: ReportRow;
}

export interface TraceResult {
	traced: TracedRow[];
	/** Report rows no row of the batch could be matched with. */
	untraced: ReportRow[];
}

const SEPARATOR = '\u0001';

function normalise(value: string): string {
	return value.trim().toLowerCase();
}

export function traceReportRows(
	report: ParsedReport,
	columns: readonly string[],
	rowOf: (rowIndex: number) => readonly string[],
	rowIndexes: readonly number[],
	lookupField: string | undefined,
): TraceResult {
	const columnIndex = new Map(columns.map((name, index) => [name, index]));
	// Only columns we sent can be compared; a report may drop some (an empty lookup column).
	const shared = report.columns.filter((name) => columnIndex.has(name));
	const positions = shared.map((name) => columnIndex.get(name) as number);
	const used = new Set<number>();
	// A column Marketo left out of the report is one it found empty in that row (the
	// lookup-column quirk), so only items with those columns empty can match.
	const dropped = columns.map((name, index) => ({ name, index })).filter(({ name }) => !report.columns.includes(name));
	const fitsDropped = (cells: readonly string[]) => dropped.every(({ index }) => (cells[index] ?? '') === '');
	if (shared.length === 0) return { traced: [], untraced: report.rows };

	const strategies: Array<{
		keyOfItem: (cells: readonly string[]) => string | undefined;
		keyOfRow: (row: ReportRow) => string | undefined;
	}> = [
		{
			keyOfItem: (cells) => positions.map((p) => cells[p] ?? '').join(SEPARATOR),
			keyOfRow: (row) => shared.map((name) => row.values[name] ?? '').join(SEPARATOR),
		},
		{
			keyOfItem: (cells) => positions.map((p) => normalise(cells[p] ?? '')).join(SEPARATOR),
			keyOfRow: (row) => shared.map((name) => normalise(row.values[name] ?? '')).join(SEPARATOR),
		},
	];
	const lookupPosition = lookupField === undefined ? undefined : columnIndex.get(lookupField);
	if (lookupPosition !== undefined && lookupField !== undefined && report.columns.includes(lookupField)) {
		strategies.push({
			keyOfItem: (cells) => (cells[lookupPosition] ? normalise(cells[lookupPosition]) : undefined),
			keyOfRow: (row) => (row.values[lookupField] ? normalise(row.values[lookupField]) : undefined),
		});
	}

	const traced: TracedRow[] = [];
	let pending: ReportRow[] = report.rows;
	for (const strategy of strategies) {
		if (pending.length === 0) break;
		const candidates = new Map<string, number[]>();
		for (const rowIndex of rowIndexes) {
			if (used.has(rowIndex)) continue;
			const cells = rowOf(rowIndex);
			if (!fitsDropped(cells)) continue;
			const key = strategy.keyOfItem(cells);
			if (key === undefined) continue;
			const list = candidates.get(key);
			if (list) list.push(rowIndex);
			else candidates.set(key, [rowIndex]);
		}
		const stillPending: ReportRow[] = [];
		for (const row of pending) {
			const key = strategy.keyOfRow(row);
			const list = key === undefined ? undefined : candidates.get(key);
			let rowIndex = list?.shift();
			while (rowIndex !== undefined && used.has(rowIndex)) rowIndex = list?.shift();
			if (rowIndex === undefined) {
				stillPending.push(row);
				continue;
			}
			used.add(rowIndex);
			traced.push({ rowIndex, row });
		}
		pending = stillPending;
	}
	traced.sort((a, b) => a.rowIndex - b.rowIndex);
	return { traced, untraced: pending };
}
