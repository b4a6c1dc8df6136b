import type { INodeProperties } from 'n8n-workflow';

import * as getFailures from './getFailures.operation';
import * as getStatus from './getStatus.operation';
import * as getWarnings from './getWarnings.operation';
import * as importRecords from './import.operation';
import { customObjectNameField } from './shared';

export { getFailures, getStatus, getWarnings, importRecords as import };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customObject'] } },
		options: [
			{
				name: 'Import',
				value: 'import',
				description: 'Upload the incoming items as a bulk import file of custom object records',
				action: 'Import custom object records',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Get the status and counters of a custom object import batch',
				action: 'Get custom object import status',
			},
			{
				name: 'Get Failures',
				value: 'getFailures',
				description: 'Get the rows of a custom object import batch that failed, with the reason',
				action: 'Get failed custom object rows',
			},
			{
				name: 'Get Warnings',
				value: 'getWarnings',
				description: 'Get the rows of a custom object import batch imported with a warning, with the reason',
				action: 'Get warned custom object rows',
			},
		],
		default: 'import',
	},
	{ ...customObjectNameField, displayOptions: { show: { resource: ['customObject'] } } },
	...importRecords.description,
	...getStatus.description,
	...getFailures.description,
	...getWarnings.description,
];
