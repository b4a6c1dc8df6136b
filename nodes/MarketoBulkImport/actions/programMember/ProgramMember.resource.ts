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
		options: [
			{
				name: 'Import',
				value: 'import',
				description: 'Upload the incoming items as a bulk import file of leads as program members',
				action: 'Import leads as program members',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Get the status and counters of a program member import batch',
				action: 'Get program member import status',
			},
			{
				name: 'Get Failures',
				value: 'getFailures',
				description: 'Get the rows of a program member import batch that failed, with the reason',
				action: 'Get failed program member rows',
			},
			{
				name: 'Get Warnings',
				value: 'getWarnings',
				description: 'Get the rows of a program member import batch imported with a warning, with the reason',
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
