import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ImportTarget } from '../../api/bulkImport';
import { getBatchStatus } from '../../api/bulkImport';
import { waitForBatch } from '../../import/waitForBatch';
import { alphabetical, batchIdField, readBatchId, readRetrySettings, retryOptions } from './fields';
import { readWaitSettings, waitOptions } from './wait';

/** Parameters of Get Status, the same for the three imports. */
export const statusProperties: INodeProperties[] = [
	batchIdField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		description: "Whether to wait for the batch to finish, and how patiently; the defaults suit most instances",
		default: {},
		options: alphabetical([
			{
				displayName: 'Wait Until Finished',
				name: 'waitUntilFinished',
				type: 'boolean',
				default: false,
				description: 'Whether to keep checking until the batch is Complete or Failed',
			},
			...waitOptions.map((option) => ({
				...option,
				displayOptions: { show: { waitUntilFinished: [true] } },
			})),
			...retryOptions,
		]),
	},
];

/** Get Status for any of the three imports. */
export async function executeStatus(
	fns: IExecuteFunctions,
	itemIndex: number,
	target: ImportTarget,
): Promise<INodeExecutionData[]> {
	const batchId = readBatchId(fns, itemIndex);
	const options = fns.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const callOptions = { itemIndex, retry: readRetrySettings(fns, itemIndex), signal: fns.getExecutionCancelSignal?.() };

	if (options.waitUntilFinished === true) {
		const { status, timedOut } = await waitForBatch(
			fns,
			target,
			batchId,
			readWaitSettings(fns, itemIndex),
			callOptions,
		);
		return [{ json: { ...status.raw, timedOut }, pairedItem: { item: itemIndex } }];
	}
	const status = await getBatchStatus(fns, target, batchId, callOptions);
	return [{ json: { ...status.raw }, pairedItem: { item: itemIndex } }];
}
