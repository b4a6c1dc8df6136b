/**
 * Dry Run (Validate Only): everything a run does before its first upload — the field list
 * read, mapping, type conversion, the column checks, Skip Unchanged Rows' check (without
 * recording) and the splitting into files by the same file builder — and then, instead of
 * uploading, one output item per file, with the file as binary data: the exact bytes a real
 * run would send. No import call is made.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { DelimitedFormat, Delimiter } from '../../csv';
import type { RowBatch, RowLedger } from '../../import/fileBuilder';
import { buildFiles } from '../../import/fileBuilder';

const MIME_TYPES: Record<DelimitedFormat, string> = {
	csv: 'text/csv',
	tsv: 'text/tab-separated-values',
	ssv: 'text/csv',
};

export interface DryRunSettings {
	rows: AsyncIterable<RowBatch>;
	ledger: RowLedger;
	columns: readonly string[];
	delimiter: Delimiter;
	format: DelimitedFormat;
	maxFileBytes: number;
	/** Rows that would be sent (after refusals and skipped unchanged rows). */
	rowsToSend: number;
	fileName: (fileNumber: number, single: boolean) => string;
	/** Fields shared by every file item (format, columns, target, totals). */
	common: IDataObject;
}

/** One item per file that would be uploaded, its bytes as the binary field `data`. */
export async function dryRunFileItems(fns: IExecuteFunctions, settings: DryRunSettings): Promise<INodeExecutionData[]> {
	const files: INodeExecutionData[] = [];
	const { ledger } = settings;
	for await (const file of buildFiles(settings.rows, settings.columns, settings.delimiter, { maxBytes: settings.maxFileBytes, totalRows: settings.rowsToSend }, ledger)) {
		const fileNumber = files.length + 1;
		const name = settings.fileName(fileNumber, fileNumber === 1 && file.rowCount >= settings.rowsToSend);
		const content = file.content as Buffer;
		files.push({
			json: {
				dryRun: true,
				file: { number: fileNumber, name, rows: file.rowCount, bytes: file.bytes },
				...settings.common,
			},
			binary: { data: await fns.helpers.prepareBinaryData(content, name, MIME_TYPES[settings.format]) },
			pairedItem: ledger.itemsOf(file.firstRow, file.rowCount).map((item) => ({ item })),
		});
		file.content = undefined;
	}
	for (const item of files) (item.json.file as IDataObject).of = files.length;
	return files;
}
