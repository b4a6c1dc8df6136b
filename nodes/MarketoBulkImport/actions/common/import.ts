/**
 * The import engine shared by the lead, custom object and program member imports, as named
 * phases: check the input → refuse what cannot be sent → build files one ahead of the
 * uploads and submit them through Marketo's queue → trace each finished batch's reports →
 * account for every row → output. Rows are numbered in the order they go into files; a
 * RowLedger gives each row's input item (and file line), and everything shown to the user
 * names items and lines. Each resource's import.operation.ts says only what differs.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ImportTarget } from '../../api/bulkImport';
import type { DelimitedFormat, Delimiter } from '../../csv';
import { DELIMITERS, FILE_EXTENSIONS } from '../../csv';
import type { Refusal } from '../../import/cells';
import {
	buildFiles,
	DEFAULT_MAX_FILE_BYTES,
	MARKETO_MAX_BODY_BYTES,
	MULTIPART_ALLOWANCE_BYTES,
	RowLedger,
} from '../../import/fileBuilder';
import type { RowBatch } from '../../import/fileBuilder';
import { describeBatches, describeItems, describeLines } from '../../import/itemList';
import type { BatchAccount, BatchReport, ImportTotals } from '../../import/outcomes';
import { accountBatch, addCounts, emptyCounts, readBatchReport } from '../../import/outcomes';
import type { BatchRecord, PipelineResult } from '../../import/pipeline';
import { runImportPipeline } from '../../import/pipeline';
import { reasonField } from '../../import/reports';
import type { WaitSettings } from '../../import/waitForBatch';
import { asNodeError } from '../../transport';
import type { RetrySettings } from '../../transport/retryPolicy';
import { readRetrySettings } from './fields';
import type { FieldSource, ImportInput, SkippedFileRow, UnknownColumns } from './importInput';
import { describeSource, filesInput, itemsInput } from './importInput';
import { dryRunFileItems } from './dryRun';
import type { SkipSettings } from './skipUnchanged';
import { readSkipSettings, SkipUnchanged } from './skipUnchanged';
import { readWaitSettings } from './wait';

export { importOptions, inputProperties } from './importProperties';

const MEGABYTE = 1024 * 1024;
/** Rows handed from the input to the file builder at a time. */
const ROW_BATCH = 2_000;

/** What differs between the lead, custom object and program member imports. */
export interface ImportSpec {
	target: ImportTarget;
	/** One row, and many: "lead", "leads". */
	noun: string;
	plural: string;
	fieldSource: FieldSource;
	/** Whether the operation has "Fields to Send". */
	hasMapper: boolean;
	/** The column that identifies a row, to trace report rows to items by it. */
	lookupField?: string;
	/** Form fields sent with each file (read once the rows are ready). */
	formFields: () => Record<string, string | undefined>;
	/** Extra fields in each batch item. */
	summary?: (formFields: Record<string, string | undefined>) => IDataObject;
	/** Checks the file's columns before anything is uploaded. */
	checkColumns?: (columns: readonly string[]) => void;
	/** The columns Marketo finds existing records by (Skip Unchanged Rows tracks rows by them). */
	keyColumns: readonly string[];
}

/** The options of one import run, read and checked once. */
interface ImportSettings {
	format: DelimitedFormat;
	inputSource: 'items' | 'binaryFile';
	unknownColumns: UnknownColumns;
	maxFileBytes: number;
	maxInQueue: number;
	waitForCompletion: boolean;
	/** The timeout in it applies only when waiting (see the pipeline). */
	wait: WaitSettings;
	outputRows: boolean;
	baseName: string;
	retry: Partial<RetrySettings>;
	continueOnFail: boolean;
	/** Skip Unchanged Rows, when on. */
	skipUnchanged?: SkipSettings;
	dryRun: boolean;
}

function readImportSettings(fns: IExecuteFunctions, spec: ImportSpec): ImportSettings {
	const node = fns.getNode();
	const options = fns.getNodeParameter('options', 0, {}) as IDataObject;
	const maxInQueue = options.maxInQueue === undefined ? 4 : Number(options.maxInQueue);
	if (!Number.isInteger(maxInQueue) || maxInQueue < 1 || maxInQueue > 10) {
		throw new NodeOperationError(node, `"Max Batches in Queue" is ${JSON.stringify(options.maxInQueue)}, not a whole number from 1 to 10`, {
			description: 'Set Options → Max Batches in Queue to a whole number from 1 to 10 (4 suits most instances).',
		});
	}
	const maxFileMb = options.maxFileSizeMb === undefined ? undefined : Number(options.maxFileSizeMb);
	if (maxFileMb !== undefined && !(maxFileMb > 0)) {
		throw new NodeOperationError(node, `"Max File Size (MB)" is ${JSON.stringify(options.maxFileSizeMb)}, not a size above 0`, {
			description: 'Set Options → Max File Size (MB) to a number above 0 and at most 10 (9.5 by default).',
		});
	}
	const waitForCompletion = options.waitForCompletion === true;
	const dryRun = options.dryRun === true;
	return {
		format: fns.getNodeParameter('format', 0) as DelimitedFormat,
		inputSource: fns.getNodeParameter('inputSource', 0, 'items') === 'binaryFile' ? 'binaryFile' : 'items',
		unknownColumns: (options.unknownColumns ?? 'error') as UnknownColumns,
		maxFileBytes: Math.min(
			maxFileMb === undefined ? DEFAULT_MAX_FILE_BYTES : Math.floor(maxFileMb * MEGABYTE),
			MARKETO_MAX_BODY_BYTES - MULTIPART_ALLOWANCE_BYTES,
		),
		maxInQueue,
		waitForCompletion,
		wait: readWaitSettings(fns, 0),
		outputRows: waitForCompletion && options.outputRows === true,
		baseName: String(options.fileName ?? spec.plural).trim() || spec.plural,
		retry: readRetrySettings(fns, 0),
		continueOnFail: fns.continueOnFail(),
		// Shown only with Wait for Completion (n8n drops it otherwise): only confirmed rows are remembered.
		skipUnchanged: options.skipUnchanged === true && waitForCompletion ? readSkipSettings(fns, options, dryRun) : undefined,
		dryRun,
	};
}

/**
 * What an import outputs, by the node's two outputs: Batches (batch items, and the error item
 * of a stopped run) and Rows to Fix (rows that failed, warned, or were never sent).
 */
export interface ImportOutput {
	batches: INodeExecutionData[];
	rowsToFix: INodeExecutionData[];
}

/** The import itself, for any of Marketo's three bulk imports. */
export async function executeImport(
	fns: IExecuteFunctions,
	items: INodeExecutionData[],
	spec: ImportSpec,
): Promise<ImportOutput> {
	const progress: ImportProgress = { uploadsStarted: false };
	try {
		return await runImport(fns, items, spec, progress);
	} catch (error) {
		// Once files go to Marketo the run accounts for itself (stoppedRunError); before that,
		// nothing was sent, and Continue On Fail says so item by item, with totals.
		if (progress.uploadsStarted || !fns.continueOnFail()) throw asNodeError(fns.getNode(), error);
		return { batches: [nothingSentItem(error as Error, items, progress.rows)], rowsToFix: [] };
	}
}

interface ImportProgress {
	uploadsStarted: boolean;
	/** Rows of the input, once it has been read (item input: one row per item). */
	rows?: number;
}

/** The error item of an import that stopped before its first upload: every item not submitted. */
function nothingSentItem(error: Error, items: INodeExecutionData[], rows: number | undefined): INodeExecutionData {
	const all = items.map((_, item) => item);
	return {
		json: {
			error: error.message,
			acceptedBatchIds: [],
			notSubmittedItems: all,
			// Rows of Binary File input are unknown when reading the files is what failed.
			...(rows === undefined ? {} : { totals: { items: rows, ...emptyCounts(), notSubmitted: rows } }),
		},
		pairedItem: all.map((item) => ({ item })),
	};
}

async function runImport(fns: IExecuteFunctions, items: INodeExecutionData[], spec: ImportSpec, progress: ImportProgress): Promise<ImportOutput> {
	const node = fns.getNode();
	if (items.length === 0) {
		throw new NodeOperationError(node, 'There are no items to import', {
			description: `Connect a node that outputs the ${spec.plural} to import, one item per ${spec.noun}.`,
		});
	}
	const settings = readImportSettings(fns, spec);
	if (settings.inputSource !== 'binaryFile') progress.rows = items.length;
	const delimiter = DELIMITERS[settings.format];
	// The Timeout (when waiting) counts from here, and a Stop ends any call or wait.
	const signal = fns.getExecutionCancelSignal?.();
	const deadline = settings.waitForCompletion ? Date.now() + settings.wait.timeoutMs : undefined;
	const call = { retry: settings.retry, signal, deadline };

	// 1. The whole input is checked before anything is uploaded.
	const inputSettings = {
		call,
		unknownColumns: settings.unknownColumns,
		fieldSource: spec.fieldSource,
		hasMapper: spec.hasMapper,
		maxFileBytes: settings.maxFileBytes,
		delimiter,
	};
	const input =
		settings.inputSource === 'binaryFile'
			? await filesInput(fns, items, inputSettings)
			: await itemsInput(fns, items, inputSettings);
	const refused = [...input.refused].sort((a, b) => a.itemIndex - b.itemIndex || (a.line ?? 0) - (b.line ?? 0));
	progress.rows = input.rowCount + countRefusedRows(refused, input);

	// 2. What cannot be sent stops the run, or becomes error items (Continue On Fail).
	// A dry run lists what it refuses instead of stopping at the first.
	const output: ImportOutput = { batches: [], rowsToFix: refusalItems(fns, refused, spec, settings.continueOnFail || settings.dryRun) };
	if (input.rowCount === 0) {
		if (output.rowsToFix.length === 0 && input.skippedRows.length === 0) {
			throw new NodeOperationError(node, 'There are no rows to import', {
				description: `The input items (or files) hold no ${spec.noun} rows.`,
			});
		}
		output.rowsToFix.push(...skippedRowItems(input.skippedRows));
		hintAboutRows(fns, undefined, [], input, output.rowsToFix.length, settings.outputRows);
		return output;
	}
	spec.checkColumns?.(input.columns);
	const fields = spec.formFields();

	// Skip Unchanged Rows: rows Marketo already holds as they are are left out of the files.
	const skip =
		settings.skipUnchanged === undefined
			? undefined
			: await SkipUnchanged.prepare(fns, input, { context: JSON.stringify([spec.target, fields]), keyColumns: spec.keyColumns }, settings.skipUnchanged, ROW_BATCH);
	const ledger = new RowLedger();
	const rowsToSend = input.rowCount - (skip?.skippedRows ?? 0);
	const rows = skip ? skip.rowsToSend(input.rows(ROW_BATCH), ledger) : input.rows(ROW_BATCH);
	const fileName = (n: number, single: boolean) =>
		`${settings.baseName}${single ? '' : `-${String(n).padStart(3, '0')}`}${FILE_EXTENSIONS[settings.format]}`;
	if (settings.dryRun) {
		const dry = await dryRunOutput(fns, { input, rows, ledger, rowsToSend, fileName, delimiter, settings, spec, fields, refused, skip });
		output.batches.push(...dry.batches);
		output.rowsToFix.push(...dry.rowsToFix);
		return output;
	}

	// 3. Files, built one ahead of the uploads → Marketo. A Stop in the editor (or an execution
	// timeout) ends every wait and upload; each finished batch's reports are traced at once.
	const reports = new Map<BatchRecord, BatchReport>();
	// Each batch's paired items, made as Marketo accepts it: a million of them at the end would
	// hold the event loop in one go.
	const pairs = new Map<BatchRecord, IPairedItemData[]>();
	const pairOf = (batch: BatchRecord): IPairedItemData[] => {
		let pair = pairs.get(batch);
		if (pair === undefined) {
			pair = ledger.itemsOf(batch.file.firstRow, batch.file.rowCount).map((item) => ({ item }));
			pairs.set(batch, pair);
		}
		return pair;
	};
	progress.uploadsStarted = true;
	const result = await runImportPipeline(
		fns,
		buildFiles(rows, input.columns, delimiter, { maxBytes: settings.maxFileBytes, totalRows: rowsToSend }, ledger),
		{
			target: spec.target,
			format: settings.format,
			fields,
			fileName,
			maxInQueue: settings.maxInQueue,
			waitForCompletion: settings.waitForCompletion,
			wait: settings.wait,
			call: { retry: settings.retry },
			signal,
			deadline,
			totalRows: rowsToSend,
			// Logged as they happen: if the run is stopped or the worker dies, the log says what Marketo holds.
			onAccepted: (batch) => {
				fns.logger.info(
					`Marketo Bulk Import: file ${batch.fileNumber} accepted as batch ${batch.batchId} (${batch.file.rowCount} rows)`,
					{ node: node.name, batchId: batch.batchId },
				);
				pairOf(batch);
			},
			onFinished: async (batch, pipelineCall) => {
				if (signal?.aborted) return;
				const report = await readBatchReport(fns, spec.target, batch, delimiter, spec.lookupField, pipelineCall);
				if (report !== undefined) reports.set(batch, report);
			},
		},
	);

	// 4. Every row accounted for, batch by batch; rows never built into a file were not submitted.
	const accounts = result.batches.map((batch) => accountBatch(batch, batch === result.uncertainFile, reports.get(batch)));
	const totals: ImportTotals = { items: 0, ...emptyCounts() };
	for (const account of accounts) addCounts(totals, account.counts);
	// Rows past the last file taken for upload were never sent (a file may have been built ahead).
	const lastBatch = result.batches[result.batches.length - 1];
	const sentEnd = lastBatch === undefined ? 0 : lastBatch.file.firstRow + lastBatch.file.rowCount;
	const neverBuilt = rowsToSend - sentEnd;
	const refusedRows = countRefusedRows(refused, input);
	totals.notSubmitted += neverBuilt + refusedRows;
	totals.items = input.rowCount + refusedRows;
	if (skip) {
		totals.skippedUnchanged = skip.skippedRows;
		// Before any error is raised: what Marketo confirmed is remembered even when the run stopped later.
		await skip.remember(accounts);
	}

	// 5. Output.
	const fileCount = result.allBuilt ? result.batches.length : undefined;
	const common: IDataObject = {
		format: settings.format,
		...(spec.summary?.(fields) ?? {}),
		columns: input.columns,
		...(input.droppedColumns.length > 0 ? { droppedColumns: input.droppedColumns.map(({ column }) => column) } : {}),
		totals: { ...totals },
	};
	for (const account of accounts) {
		if (account.batch.batchId === undefined) continue;
		output.batches.push({
			json: batchJson(account, fileCount, input, common),
			pairedItem: pairOf(account.batch),
		});
	}
	const notSentShown = output.rowsToFix.length + input.skippedRows.length;
	if (settings.outputRows) output.rowsToFix.push(...reportRowItems([...reports.values()], ledger, pairOf));
	output.rowsToFix.push(...skippedRowItems(input.skippedRows));
	// What Skip Unchanged Rows left out is an account of the run, not a row to fix.
	if (skip) output.batches.push(...skip.outputItem({ ...totals }));
	hintAboutRows(fns, totals, accounts, input, notSentShown, settings.outputRows);

	if (result.error !== undefined) {
		const stop = stoppedRunError(fns, result, accounts, ledger, input, totals, sentEnd);
		if (!settings.continueOnFail) throw stop.error;
		output.batches.push({ json: stop.json, pairedItem: stop.pairedItem });
	}
	return output;
}

function countRefusedRows(refused: readonly Refusal[], input: ImportInput): number {
	return refused.reduce((rows, refusal) => rows + (refusal.wholeItem ? (refusal.rows ?? 0) : 1), 0) + input.skippedRows.length;
}

/** Dry Run: the files a real run would upload, the refused rows, and what would be skipped. */
async function dryRunOutput(
	fns: IExecuteFunctions,
	run: {
		input: ImportInput;
		rows: AsyncIterable<RowBatch>;
		ledger: RowLedger;
		rowsToSend: number;
		fileName: (n: number, single: boolean) => string;
		delimiter: Delimiter;
		settings: ImportSettings;
		spec: ImportSpec;
		fields: Record<string, string | undefined>;
		refused: readonly Refusal[];
		skip: SkipUnchanged | undefined;
	},
): Promise<ImportOutput> {
	const { input, settings, skip } = run;
	const refusedRows = countRefusedRows(run.refused, input);
	const totals: IDataObject = {
		items: input.rowCount + refusedRows,
		toSend: run.rowsToSend,
		notSubmitted: refusedRows,
		...(skip ? { skippedUnchanged: skip.skippedRows } : {}),
	};
	const files = await dryRunFileItems(fns, {
		rows: run.rows,
		ledger: run.ledger,
		columns: input.columns,
		delimiter: run.delimiter,
		format: settings.format,
		maxFileBytes: settings.maxFileBytes,
		rowsToSend: run.rowsToSend,
		fileName: run.fileName,
		common: {
			format: settings.format,
			...(run.spec.summary?.(run.fields) ?? {}),
			columns: input.columns,
			...(input.droppedColumns.length > 0 ? { droppedColumns: input.droppedColumns.map(({ column }) => column) } : {}),
			totals,
		},
	});
	return { batches: [...files, ...(skip?.outputItem({ ...totals }) ?? [])], rowsToFix: skippedRowItems(input.skippedRows) };
}

/** Refused records and files: one error (the first, naming how many more), or one error item each. */
function refusalItems(
	fns: IExecuteFunctions,
	refused: readonly Refusal[],
	spec: ImportSpec,
	continueOnFail: boolean,
): INodeExecutionData[] {
	const node = fns.getNode();
	const describe = (refusal: Refusal) => {
		const where = refusal.wholeItem ? '' : `${describeSource(refusal.itemIndex, refusal.line)}: `;
		const text = `${where}${refusal.message}`;
		return text.charAt(0).toUpperCase() + text.slice(1);
	};
	const fixOf = (refusal: Refusal) =>
		refusal.fix ??
		`Marketo ${spec.noun} fields hold text, numbers, booleans and dates. Flatten the value first (for example with an Edit Fields node), or remove the field.`;
	if (refused.length === 0) return [];
	if (!continueOnFail) {
		const [first] = refused;
		const others = refused.slice(1);
		const items = new Set(others.map((refusal) => refusal.itemIndex));
		// Rows of one file are named by their lines; otherwise by their items.
		const where =
			items.size === 1 && others.every((refusal) => refusal.line !== undefined)
				? `${describeLines(others.map((refusal) => refusal.line as number))} of the file in item ${others[0].itemIndex}`
				: describeItems(items);
		const more = others.length > 0 ? ` (${others.length.toLocaleString('en-US')} more refused: ${where})` : '';
		throw new NodeOperationError(node, `${describe(first)}${more}`, {
			itemIndex: first.itemIndex,
			description: `Nothing was uploaded. ${fixOf(first)}`,
		});
	}
	return refused.map((refusal) => ({
		json: {
			error: describe(refusal),
			itemIndex: refusal.itemIndex,
			...(refusal.line !== undefined ? { line: refusal.line } : {}),
			...(refusal.field !== undefined ? { field: refusal.field } : {}),
			outcome: 'notSubmitted',
		},
		pairedItem: { item: refusal.itemIndex },
	}));
}

function skippedRowItems(skipped: readonly SkippedFileRow[]): INodeExecutionData[] {
	return skipped.map((row) => ({
		json: { outcome: 'notSubmitted', reason: row.reason, itemIndex: row.itemIndex, line: row.line, cells: row.cells },
		pairedItem: { item: row.itemIndex },
	}));
}

function batchJson(account: BatchAccount, fileCount: number | undefined, input: ImportInput, common: IDataObject): IDataObject {
	const { batch, counts } = account;
	const raw = batch.status?.raw ?? {};
	// A batch's rows were all submitted: notSubmitted has no place here.
	const rows = {
		imported: counts.imported,
		importedWithWarning: counts.importedWithWarning,
		failed: counts.failed,
		pending: counts.pending,
		outcomeUnknown: counts.outcomeUnknown,
	};
	return {
		...raw,
		batchId: batch.batchId,
		...(batch.timedOut ? { timedOut: true } : {}),
		file: {
			number: batch.fileNumber,
			...(fileCount !== undefined ? { of: fileCount } : {}),
			rows: batch.file.rowCount,
			bytes: batch.file.bytes,
			...(input.fileInput ? { skippedEmptyRows: input.skippedEmptyRows } : {}),
		},
		rows,
		...(account.unknownReason !== undefined ? { outcomeUnknownReason: account.unknownReason } : {}),
		...common,
	};
}

/** One item per failed or warned row, with Marketo's reason, paired with its input item. */
function reportRowItems(
	reports: readonly BatchReport[],
	ledger: RowLedger,
	pairOf: (batch: BatchRecord) => IPairedItemData[],
): INodeExecutionData[] {
	const output: INodeExecutionData[] = [];
	for (const report of reports) {
		const batchId = report.batch.batchId;
		for (const [kind, trace] of [
			['failures', report.failures],
			['warnings', report.warnings],
		] as const) {
			const outcome = kind === 'failures' ? 'failed' : 'warning';
			for (const { rowIndex, row } of trace.traced) {
				const line = ledger.lineOf(rowIndex);
				output.push({
					json: { ...row.values, [reasonField(kind)]: row.reason, outcome, batchId, ...(line !== undefined ? { line } : {}) },
					pairedItem: { item: ledger.itemOf(rowIndex) },
				});
			}
			for (const row of trace.untraced) {
				// Marketo changed the values beyond recognition: keep the row, linked to its whole batch.
				output.push({
					json: { ...row.values, [reasonField(kind)]: row.reason, outcome, batchId, traced: false },
					pairedItem: pairOf(report.batch),
				});
			}
		}
	}
	return output;
}

/** Says on the canvas when rows need attention, so a green run is not read as "all imported". */
function hintAboutRows(
	fns: IExecuteFunctions,
	totals: ImportTotals | undefined,
	accounts: readonly BatchAccount[],
	input: ImportInput,
	/** Refused items and skipped file rows, which are always on Rows to Fix. */
	notSentShown: number,
	outputRows: boolean,
): void {
	if (typeof fns.addExecutionHints !== 'function') return;
	const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
	const hints: string[] = [];
	if (input.droppedColumns.length > 0) {
		const [first] = input.droppedColumns;
		hints.push(
			`${count(input.droppedColumns.length, 'column was', 'columns were')} dropped as not Marketo fields, for example "${first.column}"${first.suggestions.length > 0 ? ` (did you mean ${first.suggestions.join(', ')}?)` : ''}: see "droppedColumns" in the first output (Batches)`,
		);
	}
	const failed = totals?.failed ?? 0;
	const warned = totals?.importedWithWarning ?? 0;
	if (failed + warned > 0) {
		const what = [
			...(failed > 0 ? [`${count(failed, 'row', 'rows')} failed`] : []),
			...(warned > 0 ? [`${count(warned, 'row was', 'rows were')} imported with a warning`] : []),
		].join(' and ');
		hints.push(
			outputRows
				? `${what}: see the second output (Rows to Fix) for each row with Marketo's reason`
				: `${what}: turn on Options → Output Failed and Warned Rows to get each row with Marketo's reason on the second output (Rows to Fix)`,
		);
	}
	if (notSentShown > 0) {
		hints.push(`${count(notSentShown, 'row or item was', 'rows or items were')} not sent to Marketo: see the second output (Rows to Fix) for why`);
	}
	if (totals !== undefined && totals.outcomeUnknown > 0) {
		const batches = accounts.filter((a) => a.counts.outcomeUnknown > 0 && a.batch.batchId !== undefined).map((a) => a.batch.batchId);
		hints.push(
			`The outcome of ${count(totals.outcomeUnknown, 'row', 'rows')} is unknown${batches.length > 0 ? `: check ${describeBatches(batches as number[])} with Get Failures and Get Warnings` : ''}`,
		);
	}
	fns.addExecutionHints(...hints.map((message) => ({ message, location: 'outputPane' as const })));
}

/** The error for a run that stopped early: what Marketo holds, what was not sent, what is unknown. */
function stoppedRunError(
	fns: IExecuteFunctions,
	result: PipelineResult,
	accounts: readonly BatchAccount[],
	ledger: RowLedger,
	input: ImportInput,
	totals: ImportTotals,
	/** Rows before it went into files taken for upload; the rest were never sent. */
	sentEnd: number,
): { error: Error; json: IDataObject; pairedItem: IPairedItemData[] } {
	const node = fns.getNode();
	const acceptedIds = accounts.flatMap((a) => (a.batch.batchId === undefined ? [] : [a.batch.batchId]));
	const interrupted = result.uncertainFile;
	const interruptedItems = interrupted ? ledger.itemsOf(interrupted.file.firstRow, interrupted.file.rowCount) : [];
	// Rows not sent: those of files built but not accepted, and those never built into a file.
	const notSentItems = new Set<number>();
	let notSentRows = 0;
	for (const { batch } of accounts) {
		if (batch.batchId !== undefined || batch === interrupted) continue;
		for (const item of ledger.itemsOf(batch.file.firstRow, batch.file.rowCount)) notSentItems.add(item);
		notSentRows += batch.file.rowCount;
	}
	for (const item of ledger.itemsOf(sentEnd, ledger.count - sentEnd)) notSentItems.add(item);
	for (const item of input.itemsWithRowsAfter(ledger)) notSentItems.add(item);
	notSentRows += input.rowCount - sentEnd;

	const summary =
		acceptedIds.length > 0 ? `Already accepted by Marketo: ${describeBatches(acceptedIds)}.` : 'No batch was accepted by Marketo.';
	const unsent =
		notSentRows > 0
			? ` Not submitted: ${describeItems(notSentItems)} (${notSentRows.toLocaleString('en-US')} of ${input.rowCount.toLocaleString('en-US')} rows).`
			: '';
	const uncertain =
		interruptedItems.length > 0 ? ` In the interrupted upload (check in Marketo before resending): ${describeItems(interruptedItems)}.` : '';
	const cause = result.error as Error & { description?: string; httpCode?: string | null };
	const message = `${cause.message.replace(/\.+$/, '')}. ${summary}${unsent}${uncertain}`;
	const description = [cause.description, 'To resume without duplicates, import only the items not submitted; check accepted batches with Get Status.']
		.filter(Boolean)
		.join(' ');
	const error =
		cause instanceof NodeApiError
			? new NodeApiError(node, { message: cause.message, acceptedBatchIds: acceptedIds } as unknown as JsonObject, {
					message,
					description,
					httpCode: cause.httpCode ?? undefined,
				})
			: new NodeOperationError(node, message, { description });
	const affected = [...new Set([...interruptedItems, ...notSentItems])].sort((a, b) => a - b);
	return {
		error,
		json: {
			error: message,
			acceptedBatchIds: acceptedIds,
			notSubmittedItems: [...notSentItems].sort((a, b) => a - b),
			...(interruptedItems.length > 0 ? { interruptedUploadItems: interruptedItems } : {}),
			totals: { ...totals },
		},
		pairedItem: (affected.length > 0 ? affected : input.itemsWithRows()).map((item) => ({ item })),
	};
}
