import type { INodeProperties } from 'n8n-workflow';

import * as getFailures from './getFailures.operation';
import * as getStatus from './getStatus.operation';
import * as getWarnings from './getWarnings.operation';
import * as importLeads from './import.operation';

export { getFailures, getStatus, getWarnings, importLeads as import };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['lead'] } },
		description: 'Import sends the incoming leads to Marketo in large files (batches); the other operations check a batch an earlier import returned',
		options: [
			{
				name: 'Import',
				value: 'import',
				description: 'Create or update the incoming items as leads, many thousands at a time',
				action: 'Import leads',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Read whether a lead import batch has finished, and how many rows were imported, failed or warned',
				action: 'Get import status',
			},
			{
				name: 'Get Failures',
				value: 'getFailures',
				description: 'Read the rows of a lead import batch that Marketo did not import, with its reason for each',
				action: 'Get failed rows',
			},
			{
				name: 'Get Warnings',
				value: 'getWarnings',
				description: 'Read the rows of a lead import batch that Marketo imported with a warning, with its reason for each',
				action: 'Get warned rows',
			},
		],
		default: 'import',
	},
	...importLeads.description,
	...getStatus.description,
	...getFailures.description,
	...getWarnings.description,
];
