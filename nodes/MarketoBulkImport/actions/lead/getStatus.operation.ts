import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getBatchStatus } from '../../api/bulkImport';
import { waitForBatch } from '../../import/waitForBatch';
import { alphabetical, batchIdField, readBatchId, readRetrySettings, retryOptions } from '../common/fields';
import { readWaitSettings, waitOptions } from '../common/wait';

const properties: INodeProperties[] = [
	batchIdField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
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

export const description = updateDisplayOptions(
	{ show: { resource: ['lead'], operation: ['getStatus'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const batchId = readBatchId(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const callOptions = { itemIndex, retry: readRetrySettings(this, itemIndex) };
	const target = { kind: 'lead' } as const;

	if (options.waitUntilFinished === true) {
		const { status, timedOut } = await waitForBatch(
			this,
			target,
			batchId,
			readWaitSettings(this, itemIndex),
			callOptions,
		);
		return [{ json: { ...status.raw, timedOut }, pairedItem: { item: itemIndex } }];
	}
	const status = await getBatchStatus(this, target, batchId, callOptions);
	return [{ json: { ...status.raw }, pairedItem: { item: itemIndex } }];
}
