import type { BatchStatus, CallOptions, ImportTarget, ReportKind } from '../api/bulkImport';
import { downloadReport } from '../api/bulkImport';
import type { MarketoFunctions } from '../transport';
import type { BatchRecord } from './pipeline';
import type { ParsedReport, ReportRow } from './reports';
import { parseReport } from './reports';
import type { TracedRow } from './rowTracing';
import { traceReportRows } from './rowTracing';

/**
 * Where each input item ended up. Every item is in exactly one category, so the totals
 * add up to the number of input items.
 */
export type ItemOutcome =
	| 'imported'
	| 'importedWithWarning'
	| 'failed'
	| 'notSubmitted'
	/** Submitted, but the batch had not finished when the node stopped waiting (or did not wait). */
	| 'pending';

export interface ImportTotals {
	items: number;
	imported: number;
	importedWithWarning: number;
	failed: number;
	notSubmitted: number;
	pending: number;
}

export interface BatchRows {
	batch: BatchRecord;
	failures: TracedRow[];
	warnings: TracedRow[];
	untracedFailures: ReportRow[];
	untracedWarnings: ReportRow[];
}

export function countTotals(outcomes: readonly ItemOutcome[]): ImportTotals {
	const totals: ImportTotals = {
		items: outcomes.length,
		imported: 0,
		importedWithWarning: 0,
		failed: 0,
		notSubmitted: 0,
		pending: 0,
	};
	for (const outcome of outcomes) totals[outcome]++;
	return totals;
}

async function tracedReport(
	fns: MarketoFunctions,
	target: ImportTarget,
	batch: BatchRecord,
	kind: ReportKind,
	columns: readonly string[],
	rowOf: (itemIndex: number) => readonly string[],
	lookupField: string | undefined,
	call: CallOptions,
): Promise<{ traced: TracedRow[]; untraced: ReportRow[] }> {
	const status = batch.status as BatchStatus;
	const count = kind === 'failures' ? status.numOfRowsFailed : status.numOfRowsWithWarning;
	// Marketo answers 404 when there is no file; asking only when the counter says so saves calls.
	if (!(count > 0)) return { traced: [], untraced: [] };
	const file = await downloadReport(fns, target, batch.batchId as number, kind, call);
	if (file === undefined) return { traced: [], untraced: [] };
	const report: ParsedReport = parseReport(file, kind);
	return traceReportRows(report, columns, rowOf, batch.file.itemIndexes, lookupField);
}

/** Downloads the reports of the finished batches and traces their rows to input items. */
export async function collectBatchRows(
	fns: MarketoFunctions,
	target: ImportTarget,
	batches: readonly BatchRecord[],
	columns: readonly string[],
	rowOf: (itemIndex: number) => readonly string[],
	lookupField: string | undefined,
	call: CallOptions,
): Promise<BatchRows[]> {
	const result: BatchRows[] = [];
	for (const batch of batches) {
		if (batch.status?.status !== 'Complete') continue;
		const failures = await tracedReport(fns, target, batch, 'failures', columns, rowOf, lookupField, call);
		const warnings = await tracedReport(fns, target, batch, 'warnings', columns, rowOf, lookupField, call);
		result.push({
			batch,
			failures: failures.traced,
			warnings: warnings.traced,
			untracedFailures: failures.untraced,
			untracedWarnings: warnings.untraced,
		});
	}
	return result;
}

/** One outcome per input item, from the batches' final states and their traced rows. */
export function itemOutcomes(
	itemCount: number,
	batches: readonly BatchRecord[],
	rows: readonly BatchRows[],
	rejected: readonly number[],
): ItemOutcome[] {
	const outcomes = new Array<ItemOutcome>(itemCount).fill('notSubmitted');
	for (const batch of batches) {
		if (batch.batchId === undefined) continue;
		const state = batch.status?.status;
		const outcome: ItemOutcome = state === 'Complete' ? 'imported' : state === 'Failed' ? 'failed' : 'pending';
		for (const itemIndex of batch.file.itemIndexes) outcomes[itemIndex] = outcome;
	}
	for (const { warnings, failures } of rows) {
		for (const { itemIndex } of warnings) outcomes[itemIndex] = 'importedWithWarning';
		for (const { itemIndex } of failures) outcomes[itemIndex] = 'failed';
	}
	for (const itemIndex of rejected) outcomes[itemIndex] = 'notSubmitted';
	return outcomes;
}
