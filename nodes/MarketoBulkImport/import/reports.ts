import type { Delimiter } from '../csv';
import { detectDelimiter, parseDelimitedRecords } from '../csv';
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

/**
 * Reads a report file. The delimiter is the job's format, which the status call does not
 * echo, so it is taken from the header line unless the caller knows it.
 */
export function parseReport(file: Buffer, kind: ReportKind, delimiter?: Delimiter): ParsedReport {
	const text = file.toString('utf8');
	const firstLine = text.slice(0, text.search(/\r|\n/) === -1 ? text.length : text.search(/\r|\n/));
	const chosen = delimiter ?? detectDelimiter(firstLine) ?? ',';
	const { header, rows } = parseDelimitedRecords(text, chosen);

	const expectedReason = reasonColumn(kind);
	let reasonIndex = header.indexOf(expectedReason);
	if (reasonIndex === -1) reasonIndex = header.length - 1;
	const columns = header.filter((_, index) => index !== reasonIndex);

	return {
		columns,
		delimiter: chosen,
		rows: rows.map((cells) => {
			const values: Record<string, string> = {};
			header.forEach((name, index) => {
				if (index !== reasonIndex) values[name] = cells[index] ?? '';
			});
			return { values, reason: cells[reasonIndex] ?? '' };
		}),
	};
}
