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
		options: [
			{
				name: 'Import',
				value: 'import',
				description: 'Upload the incoming items as a bulk import file of leads',
				action: 'Import leads',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Get the status and counters of an import batch',
				action: 'Get import status',
			},
			{
				name: 'Get Failures',
				value: 'getFailures',
				description: 'Get the rows of an import batch that failed, with the reason',
				action: 'Get failed rows',
			},
			{
				name: 'Get Warnings',
				value: 'getWarnings',
				description: 'Get the rows of an import batch imported with a warning, with the reason',
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
