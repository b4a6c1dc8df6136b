import type { Delimiter } from '../csv';
import { detectDelimiter, parseDelimitedInPieces, parseDelimitedRecords } from '../csv';
import type { ReportKind } from '../api/bulkImport';
import { reasonColumn } from '../api/bulkImport';

/** One row of a failures or warnings file: the echoed columns and Marketo's reason. */
export interface ReportRow {
	values: Record<string, string>;
	reason: string;
}

export interface ParsedReport {
	/** The echoed columns, without the reason column. */
	columns: string[];
	rows: ReportRow[];
	delimiter: Delimiter;
}

/** Output field that carries Marketo's reason. */
export function reasonField(kind: ReportKind): string {
	return kind === 'failures' ? 'importFailureReason' : 'importWarningReason';
}

/** The delimiter of a report: the job's format when the caller knows it, else the header line's. */
function reportDelimiter(file: Buffer, delimiter: Delimiter | undefined): Delimiter {
	if (delimiter !== undefined) return delimiter;
	// The header line is near the start: no need to decode a 10 MB file to find it.
	const head = file.subarray(0, 64 * 1024).toString('utf8');
	const end = head.search(/\r|\n/);
	return detectDelimiter(end === -1 ? head : head.slice(0, end)) ?? ',';
}

function reportOf(header: string[], rows: string[][], kind: ReportKind, delimiter: Delimiter): ParsedReport {
	const expectedReason = reasonColumn(kind);
	let reasonIndex = header.indexOf(expectedReason);
	if (reasonIndex === -1) reasonIndex = header.length - 1;
	const columns = header.filter((_, index) => index !== reasonIndex);

	return {
		columns,
		delimiter,
		rows: rows.map((cells) => {
			const values: Record<string, string> = {};
			header.forEach((name, index) => {
				if (index !== reasonIndex) values[name] = cells[index] ?? '';
			});
			return { values, reason: cells[reasonIndex] ?? '' };
		}),
	};
}

/**
 * Reads a report file. The delimiter is the job's format, which the status call does not
 * echo, so it is taken from the header line unless the caller knows it.
 */
export function parseReport(file: Buffer, kind: ReportKind, delimiter?: Delimiter): ParsedReport {
	const chosen = reportDelimiter(file, delimiter);
	const { header, rows } = parseDelimitedRecords(file.toString('utf8'), chosen);
	return reportOf(header, rows, kind, chosen);
}

/** parseReport, read in pieces with `between()` awaited after each (a long report would hold the event loop). */
export async function parseReportInPieces(
	file: Buffer,
	kind: ReportKind,
	between: () => Promise<void>,
	delimiter?: Delimiter,
): Promise<ParsedReport> {
	const chosen = reportDelimiter(file, delimiter);
	const [header = [], ...rows] = await parseDelimitedInPieces(file, chosen, between);
	return reportOf(header, rows, kind, chosen);
}
