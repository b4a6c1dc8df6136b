import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ImportTarget, ReportKind } from '../../api/bulkImport';
import { downloadReport } from '../../api/bulkImport';
import { parseReport, reasonField } from '../../import/reports';
import { batchIdField, readBatchId, readRetrySettings, retryOptions } from './fields';

/** Parameters of Get Failures and Get Warnings, which differ only in the file they read. */
export function reportDescription(resource: string, operation: string, kind: ReportKind): INodeProperties[] {
	return updateDisplayOptions({ show: { resource: [resource], operation: [operation] } }, [
		batchIdField,
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			default: 'items',
			description: 'How to output the rows Marketo reports: as items to work with in the workflow, or as the report file itself',
			options: [
				{
					name: 'One Item per Row',
					value: 'items',
					description: `Each ${kind === 'failures' ? 'failed' : 'warned'} row becomes an item, with Marketo's reason in "${reasonField(kind)}"`,
				},
				{
					name: 'File',
					value: 'binary',
					description: "Marketo's report file as it was downloaded, as binary data",
				},
			],
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			displayOptions: { show: { output: ['binary'] } },
			description: 'The name of the binary field the report file is put in: "data" unless the next node expects another',
			hint: 'Next nodes read the downloaded report from this binary field',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			description: "How patiently to wait out the limits of Marketo's API; the defaults suit most instances",
			default: {},
			options: [...retryOptions],
		},
	]);
}

/** Downloads one batch's report. No report (Marketo's 404 or an empty file) means no items. */
export async function executeReport(
	fns: IExecuteFunctions,
	itemIndex: number,
	target: ImportTarget,
	kind: ReportKind,
): Promise<INodeExecutionData[]> {
	const batchId = readBatchId(fns, itemIndex);
	const output = fns.getNodeParameter('output', itemIndex, 'items') as string;
	const file = await downloadReport(fns, target, batchId, kind, {
		itemIndex,
		retry: readRetrySettings(fns, itemIndex),
	});
	if (file === undefined) return [];

	if (output === 'binary') {
		const property = fns.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
		const report = parseReport(file, kind);
		const extension = report.delimiter === '\t' ? 'tsv' : 'csv';
		const binary = await fns.helpers.prepareBinaryData(
			file,
			`batch-${batchId}-${kind}.${extension}`,
			extension === 'tsv' ? 'text/tab-separated-values' : 'text/csv',
		);
		const json: IDataObject = { batchId, rows: report.rows.length };
		return [{ json, binary: { [property]: binary }, pairedItem: { item: itemIndex } }];
	}

	const field = reasonField(kind);
	return parseReport(file, kind).rows.map((row) => ({
		json: { ...row.values, [field]: row.reason },
		pairedItem: { item: itemIndex },
	}));
}
