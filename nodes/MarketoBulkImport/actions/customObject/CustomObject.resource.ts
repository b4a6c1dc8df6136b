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
		description: 'Import sends the incoming records to Marketo in large files (batches); the other operations check a batch an earlier import returned',
		options: [
			{
				name: 'Import',
				value: 'import',
				description: 'Create or update the incoming items as records of a custom object, many thousands at a time',
				action: 'Import custom object records',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Read whether a custom object import batch has finished, and how many rows were imported, failed or warned',
				action: 'Get custom object import status',
			},
			{
				name: 'Get Failures',
				value: 'getFailures',
				description: 'Read the rows of a custom object import batch that Marketo did not import, with its reason for each',
				action: 'Get failed custom object rows',
			},
			{
				name: 'Get Warnings',
				value: 'getWarnings',
				description: 'Read the rows of a custom object import batch that Marketo imported with a warning, with its reason for each',
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
