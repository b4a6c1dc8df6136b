import type { INodeProperties } from 'n8n-workflow';

import * as getFailures from './getFailures.operation';
import * as getStatus from './getStatus.operation';
import * as getWarnings from './getWarnings.operation';
import * as importMembers from './import.operation';

export { getFailures, getStatus, getWarnings, importMembers as import };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['programMember'] } },
		description: 'Import sends the incoming leads to Marketo in large files (batches); the other operations check a batch an earlier import returned',
		options: [
			{
				name: 'Import',
				value: 'import',
				description: 'Add the incoming items to a program as members with a status, creating or updating their leads by email',
				action: 'Import leads as program members',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Read whether a program member import batch has finished, and how many rows were imported, failed or warned',
				action: 'Get program member import status',
			},
			{
				name: 'Get Failures',
				value: 'getFailures',
				description: 'Read the rows of a program member import batch that Marketo did not import, with its reason for each',
				action: 'Get failed program member rows',
			},
			{
				name: 'Get Warnings',
				value: 'getWarnings',
				description: 'Read the rows of a program member import batch that Marketo imported with a warning, with its reason for each',
				action: 'Get warned program member rows',
			},
		],
		default: 'import',
	},
	...importMembers.description,
	...getStatus.description,
	...getFailures.description,
	...getWarnings.description,
];
