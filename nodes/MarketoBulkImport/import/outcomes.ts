import type { BatchStatus, CallOptions, ImportTarget, ReportKind } from '../api/bulkImport';
import { downloadReport } from '../api/bulkImport';
import type { MarketoFunctions } from '../transport';
import type { Delimiter } from '../csv';
import { parseDelimitedInPieces } from '../csv';
import { fileRows } from './fileBuilder';
import type { BatchRecord } from './pipeline';
import type { ReportRow } from './reports';
import { parseReportInPieces } from './reports';
import { eventLoopTurn as turn } from './yieldPoint';
import type { TraceResult, TracedRow } from './rowTracing';
import { traceReportRows } from './rowTracing';

/**
 * Where the rows of an import ended up. Every row is counted in exactly one outcome, so the
 * counts add up to the rows; and for every finished batch, `failed` and
 * `importedWithWarning` are Marketo's own counters, whether or not its report rows could
 * be traced back to input rows.
 */
export interface OutcomeCounts {
	imported: number;
	importedWithWarning: number;
	failed: number;
	/** Never sent to Marketo (refused before upload, or the run stopped before its file). */
	notSubmitted: number;
	/** Sent, but the batch had not finished when the node stopped waiting (or did not wait). */
	pending: number;
	/**
	 * Marketo has the rows but their outcome is not known: an upload whose answer was lost,
	 * or the rest of a batch whose failed or warned rows could not all be traced. Never
	 * counted as imported.
	 */
	outcomeUnknown: number;
}

export interface ImportTotals extends OutcomeCounts {
	/** Rows (items, or data rows of input files), refused ones included. */
	items: number;
	/**
	 * Rows not sent because Marketo already holds them as they are (Skip Unchanged Rows; only
	 * present with that option). `items` is the sum of every outcome, this one included.
	 */
	skippedUnchanged?: number;
}

/** A finished batch's report rows, traced to the rows of the file; or why they could not be read. */
export interface BatchReport {
	batch: BatchRecord;
	failures: TraceResult;
	warnings: TraceResult;
	/** Reading a report failed: its rows are not known. */
	error?: Error;
}

/** What is known of one batch (or one file that never became a batch). */
export interface BatchAccount {
	batch: BatchRecord;
	counts: OutcomeCounts;
	/** Failed rows, by row index, that were traced; warned rows likewise. */
	failedRows: TracedRow[];
	warnedRows: TracedRow[];
	/** Why the rest of the batch counts as outcomeUnknown (when it does). */
	unknownReason?: string;
}

export function emptyCounts(): OutcomeCounts {
	return { imported: 0, importedWithWarning: 0, failed: 0, notSubmitted: 0, pending: 0, outcomeUnknown: 0 };
}

const EMPTY_TRACE: TraceResult = { traced: [], untraced: [] };

async function downloadTraced(
	fns: MarketoFunctions,
	target: ImportTarget,
	batch: BatchRecord,
	kind: ReportKind,
	rowsOfFile: () => Promise<{ columns: string[]; rowOf: (rowIndex: number) => readonly string[] } | undefined>,
	lookupField: string | undefined,
	call: CallOptions,
): Promise<TraceResult> {
	const status = batch.status as BatchStatus;
	const count = kind === 'failures' ? status.numOfRowsFailed : status.numOfRowsWithWarning;
	// Marketo answers 404 when there is no file; asking only when the counter says so saves calls.
	if (!(count > 0)) return EMPTY_TRACE;
	const file = await downloadReport(fns, target, batch.batchId as number, kind, call);
	if (file === undefined) return EMPTY_TRACE;
	const report = await parseReportInPieces(file, kind, turn);
	const sent = await rowsOfFile();
	if (sent === undefined) return { traced: [], untraced: report.rows };
	return traceReportRows(report, sent.columns, sent.rowOf, fileRows(batch.file), lookupField);
}

/**
 * Downloads the reports of a Complete batch and traces their rows to the rows of its file,
 * read back from the file's own bytes (exactly what Marketo received). A report that cannot
 * be read is kept as the batch's error.
 */
export async function readBatchReport(
	fns: MarketoFunctions,
	target: ImportTarget,
	batch: BatchRecord,
	delimiter: Delimiter,
	lookupField: string | undefined,
	call: CallOptions,
): Promise<BatchReport | undefined> {
	if (batch.status?.status !== 'Complete') return undefined;
	let parsed: { columns: string[]; rowOf: (rowIndex: number) => readonly string[] } | undefined | null = null;
	const rowsOfFile = async () => {
		if (parsed === null) {
			const content = batch.file.content;
			const records = content === undefined ? [] : await parseDelimitedInPieces(content, delimiter, turn);
			const [columns = [], ...rows] = records;
			// The file holds exactly its rows (empty rows are never written), so row k is record k + 1.
			parsed =
				rows.length === batch.file.rowCount
					? { columns, rowOf: (rowIndex: number) => rows[rowIndex - batch.file.firstRow] }
					: undefined;
		}
		return parsed;
	};
	try {
		const failures = await downloadTraced(fns, target, batch, 'failures', rowsOfFile, lookupField, call);
		const warnings = await downloadTraced(fns, target, batch, 'warnings', rowsOfFile, lookupField, call);
		return { batch, failures, warnings };
	} catch (error) {
		return { batch, failures: EMPTY_TRACE, warnings: EMPTY_TRACE, error: error as Error };
	}
}

function clamp(value: number, max: number): number {
	return Number.isFinite(value) ? Math.min(Math.max(0, Math.floor(value)), max) : 0;
}

/**
 * The outcome counts of one file: from its batch's state, Marketo's counters and the traced
 * report rows. `interrupted` marks the file whose upload was cut off before its answer.
 */
export function accountBatch(batch: BatchRecord, interrupted: boolean, report: BatchReport | undefined): BatchAccount {
	const rows = batch.file.rowCount;
	const counts = emptyCounts();
	const account: BatchAccount = { batch, counts, failedRows: [], warnedRows: [] };
	if (batch.batchId === undefined) {
		if (interrupted) {
			counts.outcomeUnknown = rows;
			account.unknownReason = 'the upload was interrupted before Marketo answered';
		} else {
			counts.notSubmitted = rows;
		}
		return account;
	}
	const state = batch.status?.status;
	const raw = batch.status?.raw ?? {};
	const reportsProcessed = raw.numOfLeadsProcessed !== undefined || raw.numOfObjectsProcessed !== undefined;
	const processed = reportsProcessed ? clamp(batch.status?.numOfRowsProcessed ?? 0, rows) : undefined;
	if (state === 'Failed') {
		// Marketo failed the whole job: its rows were not imported, unless it says it imported some first.
		counts.failed = rows - (processed ?? 0);
		if (processed) {
			counts.outcomeUnknown = processed;
			account.unknownReason = `Marketo failed the batch after importing ${processed} of its rows, without saying which`;
		}
		return account;
	}
	if (state !== 'Complete') {
		counts.pending = rows;
		return account;
	}
	const status = batch.status as BatchStatus;
	counts.failed = clamp(status.numOfRowsFailed, rows);
	counts.importedWithWarning = clamp(status.numOfRowsWithWarning, rows - counts.failed);
	let rest = rows - counts.failed - counts.importedWithWarning;
	// Rows Marketo neither imported nor failed (its processed counter counts imported rows,
	// warned ones included): their outcome is not known.
	const shortfall = processed === undefined ? 0 : Math.max(0, rows - counts.failed - processed);
	if (shortfall > 0) {
		rest -= Math.min(rest, shortfall);
		counts.outcomeUnknown = Math.min(shortfall, rows - counts.failed - counts.importedWithWarning);
		account.unknownReason = `Marketo counted ${shortfall} of its rows neither imported nor failed`;
	}
	account.failedRows = report?.failures.traced ?? [];
	account.warnedRows = report?.warnings.traced ?? [];
	const expectsReports = counts.failed > 0 || counts.importedWithWarning > 0;
	// Rows Marketo counted that no traced row accounts for (or report rows that matched nothing).
	const untraced =
		Math.max(counts.failed - account.failedRows.length, report?.failures.untraced.length ?? 0, 0) +
		Math.max(counts.importedWithWarning - account.warnedRows.length, report?.warnings.untraced.length ?? 0, 0);
	// Traced rows must match the counters exactly: a report longer than its counter is not trusted either.
	const fullyTraced =
		report !== undefined &&
		report.error === undefined &&
		untraced === 0 &&
		account.failedRows.length === counts.failed &&
		account.warnedRows.length === counts.importedWithWarning;
	if (!expectsReports || fullyTraced) {
		counts.imported = rest;
		return account;
	}
	// Some failed or warned rows are not known by row: any of the other rows could be one of
	// them, so none of those is counted as cleanly imported.
	counts.outcomeUnknown += rest;
	account.unknownReason =
		report?.error !== undefined
			? `its failures and warnings could not be read (${report.error.message})`
			: untraced > 0
				? `${untraced} of its failed or warned rows could not be traced to input rows`
				: "its failures and warnings reports do not match Marketo's counters";
	return account;
}

export function addCounts(into: OutcomeCounts, counts: OutcomeCounts): void {
	into.imported += counts.imported;
	into.importedWithWarning += counts.importedWithWarning;
	into.failed += counts.failed;
	into.notSubmitted += counts.notSubmitted;
	into.pending += counts.pending;
	into.outcomeUnknown += counts.outcomeUnknown;
}

export function sumCounts(counts: OutcomeCounts): number {
	return (
		counts.imported +
		counts.importedWithWarning +
		counts.failed +
		counts.notSubmitted +
		counts.pending +
		counts.outcomeUnknown
	);
}

/** Every row of a run in one outcome: the sum that must equal `items`. */
export function sumTotals(totals: ImportTotals): number {
	return sumCounts(totals) + (totals.skippedUnchanged ?? 0);
}

export type { ReportRow };
