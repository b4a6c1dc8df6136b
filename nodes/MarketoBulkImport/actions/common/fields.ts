import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RetrySettings } from '../../transport/retryPolicy';

export const batchIdField: INodeProperties = {
	displayName: 'Batch ID',
	name: 'batchId',
	type: 'string',
	required: true,
	default: '={{ $json.batchId }}',
	description:
		'The batch ID returned by Import. The default reads it from the incoming item, so this node can follow an Import node directly.',
};

/** Options shared by every operation: how patiently to wait out Marketo's limits. */
export const retryOptions: INodeProperties[] = [
	{
		displayName: 'Retry Wait (Seconds)',
		name: 'retryWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 2 },
		default: 5,
		description:
			'How long to wait before trying again when Marketo says it is busy: too many calls in 20 seconds, too many at once, or a passing outage (Marketo errors 606, 615, 604, 608, 611, 713 and HTTP 500 to 504). Each further wait doubles, up to a minute.',
	},
];

export function readRetrySettings(fns: IExecuteFunctions, itemIndex: number): Partial<RetrySettings> {
	const options = fns.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const settings: Partial<RetrySettings> = {};
	if (options.retryWaitSeconds !== undefined) {
		const ms = Number(options.retryWaitSeconds) * 1000;
		settings.initialDelayMs = ms;
		settings.rateLimitDelayMs = ms;
	}
	if (options.queueWaitSeconds !== undefined) {
		settings.queueFullDelayMs = Number(options.queueWaitSeconds) * 1000;
	}
	if (options.maxQueueWaitMinutes !== undefined) {
		settings.maxQueueWaitMs = Number(options.maxQueueWaitMinutes) * 60_000;
	}
	return settings;
}

/** Batch IDs are positive integers; anything else is a mistake in the workflow, not in Marketo. */
export function readBatchId(fns: IExecuteFunctions, itemIndex: number): number {
	const raw = fns.getNodeParameter('batchId', itemIndex, '') as unknown;
	const batchId = typeof raw === 'string' ? Number(raw.trim()) : Number(raw);
	if (!Number.isInteger(batchId) || batchId <= 0) {
		throw new NodeOperationError(fns.getNode(), `"${String(raw)}" is not a batch ID [item ${itemIndex}]`, {
			itemIndex,
			description:
				'A batch ID is the positive whole number that Import returns in "batchId". Map it from the Import node\'s output, for example {{ $json.batchId }}.',
		});
	}
	return batchId;
}

/** Collection options sorted by display name. */
export function alphabetical(options: INodeProperties[]): INodeProperties[] {
	return [...options].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
