/**
 * The import engine shared by the lead, custom object and program member imports: items or
 * files → records → files under the size limit → Marketo's queue → outcomes and traced rows.
 * Each resource's import.operation.ts says only what differs (an ImportSpec).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IPairedItemData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ImportTarget } from '../../api/bulkImport';
import type { DelimitedFormat } from '../../csv';
import { DELIMITERS, FILE_EXTENSIONS } from '../../csv';
import { DEFAULT_MAX_FILE_BYTES, MARKETO_MAX_BODY_BYTES, MULTIPART_ALLOWANCE_BYTES, RowTooLargeError, splitIntoFiles } from '../../import/files';
import type { BatchRows } from '../../import/outcomes';
import { collectBatchRows, countTotals, itemOutcomes } from '../../import/outcomes';
import type { BatchRecord } from '../../import/pipeline';
import { runImportPipeline } from '../../import/pipeline';
import { reasonField } from '../../import/reports';
import { buildImportTable } from '../../import/table';
import { readRetrySettings, retryOptions } from './fields';
import type { FieldSource, UnknownColumns } from './importRecords';
import { recordsFromFiles, recordsFromItems } from './importRecords';
import { readWaitSettings, waitOptions } from './wait';

const MEGABYTE = 1024 * 1024;

/** Input, Input Binary Field, Input File Delimiter and File Format: shared by every import. */
export function inputProperties(noun: string, plural: string): INodeProperties[] {
	return [
		{
			displayName: 'Input',
			name: 'inputSource',
			type: 'options',
			default: 'items',
			options: [
				{ name: 'Items', value: 'items', description: `Each incoming item is one ${noun}` },
				{
					name: 'Binary File',
					value: 'binaryFile',
					description: `Each incoming item holds a CSV, TSV or SSV file of ${plural} (for example a downloaded export)`,
				},
			],
		},
		{
			displayName: 'Input Binary Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			displayOptions: { show: { inputSource: ['binaryFile'] } },
			hint: 'The name of the input binary field holding the file',
		},
		{
			displayName: 'Input File Delimiter',
			name: 'inputDelimiter',
			type: 'options',
			default: 'auto',
			displayOptions: { show: { inputSource: ['binaryFile'] } },
			options: [
				{ name: 'Detect From Header', value: 'auto' },
				{ name: 'Comma', value: 'csv' },
				{ name: 'Tab', value: 'tsv' },
				{ name: 'Semicolon', value: 'ssv' },
			],
		},
		{
			displayName: 'File Format',
			name: 'format',
			type: 'options',
			default: 'csv',
			options: [
				{ name: 'CSV (Comma-Separated)', value: 'csv' },
				{ name: 'TSV (Tab-Separated)', value: 'tsv' },
				{ name: 'SSV (Semicolon-Separated)', value: 'ssv' },
			],
			description: 'How the rows are written in the files sent to Marketo',
		},
	];
}

/** Import options shared by every import (the lead import adds Static List and Partition). */
export function importOptions(noun: string, defaultFileName: string): INodeProperties[] {
	return [
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: false,
			description:
				'Whether to wait until Marketo has finished every batch and output their final status and counters',
		},
		...waitOptions.map((option) => ({
			...option,
			displayOptions: { show: { waitForCompletion: [true] } },
		})),
		{
			displayName: 'Output Failed and Warned Rows',
			name: 'outputRows',
			type: 'boolean',
			default: false,
			displayOptions: { show: { waitForCompletion: [true] } },
			description:
				"Whether to also output one item per failed or warned row, with Marketo's reason, linked to the input item that produced it. Marketo's reports have no row numbers, so rows are matched to items by their values.",
		},
		{
			displayName: 'Max File Size (MB)',
			name: 'maxFileSizeMb',
			type: 'number',
			typeOptions: { minValue: 0.001, maxValue: 10, numberPrecision: 3 },
			default: 9.5,
			description:
				'Items are split into as many files (batches) as needed, each under this size. Marketo refuses files of 10 MB or more.',
		},
		{
			displayName: 'Max Batches in Queue',
			name: 'maxInQueue',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 4,
			description:
				"How many of this node's batches may wait or run in Marketo's import queue at once. Marketo runs 2 at a time and queues at most 10 for the whole instance, shared with other integrations.",
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: defaultFileName,
			description: 'Base name of the uploaded files, as Marketo shows it',
		},
		...retryOptions,
		{
			displayName: 'Unknown Columns',
			name: 'unknownColumns',
			type: 'options',
			default: 'error',
			options: [
				{
					name: 'Stop With an Error',
					value: 'error',
					description: 'Check columns against Marketo\'s fields before uploading, and name the unknown ones',
				},
				{ name: 'Drop', value: 'drop', description: 'Leave columns that are not writable Marketo fields out of the file' },
				{
					name: 'Send As They Are',
					value: 'send',
					description: 'Skip the check and the type conversion (no field list is read); Marketo refuses files with unknown columns',
				},
			],
			description: `What to do with columns that are not writable Marketo ${noun} fields`,
		},
		{
			displayName: 'Queue Full Wait (Seconds)',
			name: 'queueWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 2 },
			default: 30,
			description:
				'First wait when Marketo answers 1016 (10 imports already queued). Each further wait doubles, up to a minute.',
		},
		{
			displayName: 'Max Queue Wait (Minutes)',
			name: 'maxQueueWaitMinutes',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 30,
			description: 'How long to keep retrying when the queue is full before giving up with an error',
		},
	];
}

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
}

function batchJson(batch: BatchRecord, fileCount: number, common: IDataObject): IDataObject {
	const raw = batch.status?.raw ?? {};
	return {
		...raw,
		batchId: batch.batchId,
		...(batch.timedOut ? { timedOut: true } : {}),
		file: {
			number: batch.fileNumber,
			of: fileCount,
			rows: batch.file.itemIndexes.length,
			bytes: batch.file.content.length,
		},
		...common,
	};
}

/** The import itself, for any of Marketo's three bulk imports. */
export async function executeImport(
	fns: IExecuteFunctions,
	items: INodeExecutionData[],
	spec: ImportSpec,
): Promise<INodeExecutionData[]> {
	const node = fns.getNode();
	const { target, noun, plural, lookupField } = spec;
	if (items.length === 0) {
		throw new NodeOperationError(node, 'There are no items to import', {
			description: `Connect a node that outputs the ${plural} to import, one item per ${noun}.`,
		});
	}
	const format = fns.getNodeParameter('format', 0) as DelimitedFormat;
	const options = fns.getNodeParameter('options', 0, {}) as IDataObject;
	const continueOnFail = fns.continueOnFail();
	const output: INodeExecutionData[] = [];

	// 1. Items → records → rows. Items that cannot become a row stop the run, or become error items.
	const unknownColumns = (options.unknownColumns ?? 'error') as UnknownColumns;
	const input =
		fns.getNodeParameter('inputSource', 0, 'items') === 'binaryFile'
			? await recordsFromFiles(fns, items, unknownColumns, spec.fieldSource)
			: await recordsFromItems(fns, items, unknownColumns, spec.fieldSource, spec.hasMapper);
	// From here on, "item" indexes are record indexes; sourceOf maps them back to input items.
	const { sourceOf } = input;
	const pairAll = (recordIndexes: readonly number[]): IPairedItemData[] =>
		[...new Set(recordIndexes.map((r) => sourceOf[r]))].map((item) => ({ item }));
	const table = buildImportTable(input.records);
	for (const rejected of [...input.rejected, ...table.rejected.map((r) => ({ ...r, itemIndex: sourceOf[r.itemIndex] }))]) {
		const error = new NodeOperationError(node, `${rejected.message} [item ${rejected.itemIndex}]`, {
			itemIndex: rejected.itemIndex,
			description:
				rejected.fix ??
				`Marketo ${noun} fields hold text, numbers, booleans and dates. Flatten the value first (for example with an Edit Fields node), or remove the field.`,
		});
		if (!continueOnFail) throw error;
		output.push({ json: { error: error.message, itemIndex: rejected.itemIndex }, pairedItem: { item: rejected.itemIndex } });
	}
	if (table.rows.length === 0) {
		if (output.length === 0) {
			throw new NodeOperationError(node, 'There are no rows to import', {
				description: `The input items (or files) hold no ${noun} rows.`,
			});
		}
		return output;
	}

	spec.checkColumns?.(table.columns);

	// 2. Rows → files under the size limit.
	const maxFileBytes = Math.min(
		options.maxFileSizeMb === undefined ? DEFAULT_MAX_FILE_BYTES : Math.floor(Number(options.maxFileSizeMb) * MEGABYTE),
		MARKETO_MAX_BODY_BYTES - MULTIPART_ALLOWANCE_BYTES,
	);
	const files = splitIntoFiles(table.columns, table.rows, table.itemIndexes, DELIMITERS[format], maxFileBytes);
	if (files instanceof RowTooLargeError) {
		throw new NodeOperationError(node, `${files.message} [item ${files.itemIndex}]`, {
			itemIndex: files.itemIndex,
			description: 'Marketo refuses files of 10 MB or more. Shorten the values of this item, or raise "Max File Size".',
		});
	}

	// 3. Files → Marketo.
	const waitForCompletion = options.waitForCompletion === true;
	const call = { retry: readRetrySettings(fns, 0) };
	const baseName = String(options.fileName ?? plural).trim() || plural;
	const fields = spec.formFields();
	const result = await runImportPipeline(fns, files, {
		target,
		format,
		fields,
		fileName: (n) =>
			`${baseName}${files.length > 1 ? `-${String(n).padStart(3, '0')}` : ''}${FILE_EXTENSIONS[format]}`,
		maxInQueue: Math.max(1, Math.min(10, Number(options.maxInQueue ?? 4))),
		waitForCompletion,
		wait: readWaitSettings(fns, 0),
		call,
	});

	// 4. Reports → rows traced to input items.
	const rowOf = (() => {
		const byItem = new Map<number, string[]>();
		table.itemIndexes.forEach((itemIndex, row) => byItem.set(itemIndex, table.rows[row]));
		return (itemIndex: number) => byItem.get(itemIndex) ?? [];
	})();
	let traced: BatchRows[] = [];
	let reportError: Error | undefined;
	if (waitForCompletion && result.error === undefined) {
		// The batches are imported by now: a failed report download must not hide their IDs.
		traced = await collectBatchRows(fns, target, result.batches, table.columns, rowOf, lookupField, call).catch(
			(error: Error) => {
				reportError = error;
				return [];
			},
		);
	}
	const outcomes = itemOutcomes(input.records.length, result.batches, traced, []);
	const totals = countTotals(outcomes);
	// Items refused before they became records count too (those refused as rows are already
	// in the outcomes, as not submitted): every input is accounted for.
	const refused = input.rejected.length;
	totals.items += refused;
	totals.notSubmitted += refused;

	const common: IDataObject = {
		format,
		...(spec.summary?.(fields) ?? {}),
		columns: table.columns,
		totals: { ...totals },
	};
	const accepted = result.batches.filter((batch) => batch.batchId !== undefined);
	for (const batch of accepted) {
		output.push({ json: batchJson(batch, files.length, common), pairedItem: pairAll(batch.file.itemIndexes) });
	}

	if (options.outputRows === true) {
		for (const rows of traced) {
			const batchId = rows.batch.batchId;
			for (const [kind, list, untraced] of [
				['failures', rows.failures, rows.untracedFailures],
				['warnings', rows.warnings, rows.untracedWarnings],
			] as const) {
				const outcome = kind === 'failures' ? 'failed' : 'warning';
				for (const { itemIndex, row } of list) {
					output.push({
						json: { ...row.values, [reasonField(kind)]: row.reason, outcome, batchId },
						pairedItem: { item: sourceOf[itemIndex] },
					});
				}
				for (const row of untraced) {
					// Marketo changed the values beyond recognition: keep the row, linked to its whole batch.
					output.push({
						json: { ...row.values, [reasonField(kind)]: row.reason, outcome, batchId, traced: false },
						pairedItem: pairAll(rows.batch.file.itemIndexes),
					});
				}
			}
		}
	}

	if (reportError !== undefined) {
		const ids = accepted.map((batch) => batch.batchId).join(', ');
		const message = `Every file was imported (batches ${ids}), but reading their failures and warnings failed: ${reportError.message}`;
		const description = 'The totals count rows of those reports as imported. Read them later with Get Failures and Get Warnings.';
		if (!continueOnFail) throw new NodeOperationError(node, message, { description });
		output.push({ json: { error: message, acceptedBatchIds: ids }, pairedItem: pairAll(table.itemIndexes) });
	}

	if (result.error !== undefined) {
		const uncertainItems = result.uncertainFile?.file.itemIndexes ?? [];
		const notSent = result.batches.filter((batch) => batch.batchId === undefined && batch !== result.uncertainFile);
		const notSentItems = notSent.flatMap((batch) => batch.file.itemIndexes);
		const acceptedIds = accepted.map((batch) => batch.batchId);
		const summary =
			acceptedIds.length > 0
				? `Batches already accepted by Marketo: ${acceptedIds.join(', ')}. `
				: 'No batch was accepted by Marketo. ';
		const unsent =
			notSentItems.length > 0
				? `Items not submitted: ${describeRanges(notSentItems.map((r) => sourceOf[r]))} (${notSentItems.length} of ${input.records.length} rows).`
				: '';
		const uncertain =
			uncertainItems.length > 0
				? ` Items in the interrupted upload (check in Marketo before resending): ${describeRanges(uncertainItems.map((r) => sourceOf[r]))}.`
				: '';
		const cause = result.error as Error & { description?: string };
		const message = `${cause.message}. ${summary}${unsent}${uncertain}`.replace(/\.\./g, '.').trim();
		const description = [cause.description, 'To resume without duplicates, import only the items not submitted; check accepted batches with Get Status.']
			.filter(Boolean)
			.join(' ');
		if (!continueOnFail) {
			if (cause instanceof NodeApiError) {
				throw new NodeApiError(node, { message: cause.message, acceptedBatchIds: acceptedIds } as unknown as JsonObject, {
					message,
					description,
					httpCode: cause.httpCode ?? undefined,
				});
			}
			throw new NodeOperationError(node, message, { description });
		}
		output.push({
			json: {
				error: message,
				acceptedBatchIds: acceptedIds as number[],
				notSubmittedItems: [...new Set(notSentItems.map((r) => sourceOf[r]))],
				...(uncertainItems.length > 0 ? { interruptedUploadItems: [...new Set(uncertainItems.map((r) => sourceOf[r]))] } : {}),
				totals: { ...totals },
			},
			pairedItem: pairAll([...uncertainItems, ...notSentItems].length > 0 ? [...uncertainItems, ...notSentItems] : table.itemIndexes),
		});
	}
	return output;
}

/** `0-4, 7, 9-12`: item indexes, compactly. */
function describeRanges(indexes: readonly number[]): string {
	const sorted = [...indexes].sort((a, b) => a - b);
	const parts: string[] = [];
	for (let i = 0; i < sorted.length; i++) {
		const start = sorted[i];
		while (i + 1 < sorted.length && sorted[i + 1] === sorted[i] + 1) i++;
		parts.push(start === sorted[i] ? String(start) : `${start}-${sorted[i]}`);
	}
	return parts.join(', ');
}
