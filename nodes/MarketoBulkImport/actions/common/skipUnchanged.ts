/**
 * Skip Unchanged Rows, with n8n: the history is kept in n8n's processed-data store (the one
 * the Remove Duplicates node uses), scope 'node': per workflow and node (by node ID, so
 * renaming the node keeps it). n8n's helpers only check-and-record, so the run asks about
 * every fingerprint (recording the new ones), at once forgets what Marketo has not confirmed,
 * and records rows only once their batch is settled. A crash between the check and the
 * forgetting (a few milliseconds) leaves new rows recorded unconfirmed: see the README.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RowBatch, RowLedger } from '../../import/fileBuilder';
import type { BatchAccount } from '../../import/outcomes';
import type { BatchConfirmation } from '../../import/rememberedRows';
import { confirmedFileRows, RowFingerprinter, SkipPlan } from '../../import/rememberedRows';
import type { ImportInput } from './importInput';

export const DEFAULT_REMEMBERED_ROWS_LIMIT = 1_200_000;

const SCOPE = 'node';

export interface SkipSettings {
	/** Clear Remembered Rows: forget the history before this run. */
	clear: boolean;
	/** Remembered Rows Limit, handed to n8n's store (it drops the oldest entries beyond it). */
	limit: number;
	/** Whether this run may change the history (not in manual executions, unless asked; never in a dry run). */
	record: boolean;
}

/** Reads the options of Skip Unchanged Rows; `dryRun` never writes. */
export function readSkipSettings(fns: IExecuteFunctions, options: IDataObject, dryRun: boolean): SkipSettings {
	const limit = options.rememberedRowsLimit === undefined ? DEFAULT_REMEMBERED_ROWS_LIMIT : Number(options.rememberedRowsLimit);
	if (!Number.isInteger(limit) || limit < 1) {
		throw new NodeOperationError(fns.getNode(), `"Remembered Rows Limit" is ${JSON.stringify(options.rememberedRowsLimit)}, not a whole number above 0`, {
			description: `Set Options → Remembered Rows Limit to a whole number at least as large as the rows of one run (${DEFAULT_REMEMBERED_ROWS_LIMIT.toLocaleString('en-US')} by default).`,
		});
	}
	const manual = fns.getMode() === 'manual';
	return {
		clear: options.clearRememberedRows === true && !dryRun,
		limit,
		record: !dryRun && (!manual || options.rememberManualExecutions === true),
	};
}

/** The keys Marketo finds existing records by, which the history tracks rows by. */
export interface SkipKey {
	/** Target and form fields, as one string: a change sends every row again. */
	context: string;
	keyColumns: readonly string[];
}

/** One run of Skip Unchanged Rows: built before the upload, told the outcome after it. */
export class SkipUnchanged {
	private readonly skippedItems = new Set<number>();

	private constructor(
		private readonly fns: IExecuteFunctions,
		private readonly settings: SkipSettings,
		private readonly plan: SkipPlan,
	) {}

	/**
	 * Fingerprints every row, asks the history which it knows, and forgets at once what the
	 * check recorded (so that nothing unconfirmed stays recorded while Marketo imports).
	 */
	static async prepare(
		fns: IExecuteFunctions,
		input: ImportInput,
		key: SkipKey,
		settings: SkipSettings,
		batchRows: number,
	): Promise<SkipUnchanged> {
		const helpers = fns.helpers;
		const options = { mode: 'entries' as const, maxEntries: settings.limit };
		if (settings.clear) await helpers.clearAllProcessedItems(SCOPE, options);

		const fingerprinter = new RowFingerprinter(key.context, input.columns, key.keyColumns);
		const plan = new SkipPlan();
		for await (const batch of input.rows(batchRows)) for (const cells of batch.cells) plan.add(fingerprinter.of(cells));

		const known = new Set<string>();
		// An empty history knows nothing: no need to ask (and record) at all.
		if ((await helpers.getProcessedDataCount(SCOPE, options)) > 0) {
			const fingerprints = plan.distinctFingerprints();
			// Read only: no limit on the check, so that it cannot push out older entries.
			const answer = await helpers.checkProcessedAndRecord(fingerprints, SCOPE, settings.record ? options : { mode: 'entries' });
			for (const fingerprint of answer.processed) known.add(String(fingerprint));
			plan.decide(known);
			const forget = plan.fingerprintsToForget(known);
			if (forget.length > 0) {
				if (settings.record) {
					// Rebuilt from the skipped rows: this also drops older fingerprints of changed keys, which
					// are known no more (one per key, Marketo's latest). Keys not in this run are forgotten too.
					await helpers.clearAllProcessedItems(SCOPE, options);
					const keep = plan.skippedFingerprints();
					if (keep.length > 0) await helpers.checkProcessedAndRecord(keep, SCOPE, options);
				} else {
					// Read only: exactly what the check added is taken out again.
					const added = fingerprints.filter((fingerprint) => !known.has(fingerprint));
					if (added.length > 0) await helpers.removeProcessed(added, SCOPE, options);
				}
			}
		} else {
			plan.decide(known);
		}
		return new SkipUnchanged(fns, settings, plan);
	}

	get skippedRows(): number {
		return this.plan.skippedCount;
	}

	/** Rows still to send, in input order; each sent one is numbered in file order. */
	async *rowsToSend(rows: AsyncIterable<RowBatch>, ledger: RowLedger): AsyncGenerator<RowBatch> {
		let inputRow = 0;
		for await (const batch of rows) {
			const kept: RowBatch = { cells: [], items: [], ...(batch.lines ? { lines: [] } : {}) };
			for (let r = 0; r < batch.cells.length; r++, inputRow++) {
				if (this.plan.isSkipped(inputRow)) {
					this.skippedItems.add(batch.items[r]);
					ledger.passOver(batch.items[r]);
					continue;
				}
				this.plan.sent(inputRow);
				kept.cells.push(batch.cells[r]);
				kept.items.push(batch.items[r]);
				if (batch.lines) kept.lines?.push(batch.lines[r]);
			}
			if (kept.cells.length > 0) yield kept;
		}
	}

	/** Remembers the rows Marketo confirmed (when this run may record). */
	async remember(accounts: readonly BatchAccount[]): Promise<number> {
		const batches: BatchConfirmation[] = accounts.map(({ batch, counts, failedRows }) => ({
			firstRow: batch.file.firstRow,
			rowCount: batch.file.rowCount,
			settled:
				batch.batchId !== undefined &&
				batch.status?.status === 'Complete' &&
				counts.pending === 0 &&
				counts.outcomeUnknown === 0 &&
				failedRows.length === counts.failed &&
				counts.imported + counts.importedWithWarning + counts.failed === batch.file.rowCount,
			failedRows: failedRows.map((row) => row.rowIndex),
		}));
		const confirmed = this.plan.confirmedFingerprints(confirmedFileRows(batches));
		if (!this.settings.record || confirmed.length === 0) return 0;
		try {
			await this.fns.helpers.checkProcessedAndRecord(confirmed, SCOPE, { mode: 'entries', maxEntries: this.settings.limit });
		} catch (error) {
			// The import itself went through: not remembering only means sending these rows again next time.
			this.fns.logger.warn(
				`Marketo Bulk Import: ${confirmed.length} imported rows could not be remembered for Skip Unchanged Rows (${(error as Error).message}); they will be sent again next time`,
				{ node: this.fns.getNode().name },
			);
			return 0;
		}
		return confirmed.length;
	}

	/** One item for the skipped rows, paired with every input item that had one. */
	outputItem(totals: IDataObject): INodeExecutionData[] {
		if (this.plan.skippedCount === 0) return [];
		const items = [...this.skippedItems].sort((a, b) => a - b);
		const pairedItem: IPairedItemData[] = items.map((item) => ({ item }));
		return [
			{
				json: {
					outcome: 'skippedUnchanged',
					rows: this.plan.skippedCount,
					reason: 'Unchanged since Marketo last confirmed these rows from this node (Skip Unchanged Rows)',
					remembered: this.settings.record,
					totals,
				},
				pairedItem,
			},
		];
	}
}
