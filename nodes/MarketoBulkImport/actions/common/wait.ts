import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { WaitSettings } from '../../import/waitForBatch';
import { DEFAULT_WAIT } from '../../import/waitForBatch';

/** Poll settings, shown once waiting is switched on. */
export const waitOptions: INodeProperties[] = [
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 2 },
		default: 10,
		description:
			"How long to wait between two status checks, while waiting for completion and while waiting for a free place in Marketo's queue. Marketo recommends 5 to 30 seconds; every check counts against the instance's daily limit of API calls.",
	},
	{
		displayName: 'Timeout (Minutes)',
		name: 'timeoutMinutes',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 60,
		description:
			'How long to wait in total. When it runs out, the node outputs the last known status with "timedOut": true, and the batch IDs let a later Get Status pick up from there.',
	},
];

export function readWaitSettings(fns: IExecuteFunctions, itemIndex: number): WaitSettings {
	const options = fns.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		pollIntervalMs:
			options.pollIntervalSeconds === undefined
				? DEFAULT_WAIT.pollIntervalMs
				: Number(options.pollIntervalSeconds) * 1000,
		timeoutMs:
			options.timeoutMinutes === undefined ? DEFAULT_WAIT.timeoutMs : Number(options.timeoutMinutes) * 60_000,
	};
}
