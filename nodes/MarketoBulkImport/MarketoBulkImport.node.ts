import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as customObject from './actions/customObject/CustomObject.resource';
import * as lead from './actions/lead/Lead.resource';
import * as programMember from './actions/programMember/ProgramMember.resource';
import { router } from './actions/router';
import { listSearch, loadOptions, resourceMapping } from './methods';

/**
 * Import has a second output for the rows to fix; the other operations have one. An expression
 * on the operation, as n8n's Switch node does; a missing operation is the default, Import.
 */
const OUTPUTS_BY_OPERATION =
	'={{ $parameter.operation === "import" || !$parameter.operation ? [{ "type": "main", "displayName": "Batches" }, { "type": "main", "displayName": "Rows to Fix" }] : [{ "type": "main" }] }}' as const;

export class MarketoBulkImport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Marketo Bulk Import',
		name: 'marketoBulkImport',
		icon: { light: 'file:../../icons/marketo.svg', dark: 'file:../../icons/marketo.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			"Import leads, custom object records and program members into Adobe Marketo with its bulk API, and read back each batch's status, failures and warnings",
		defaults: { name: 'Marketo Bulk Import' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS_BY_OPERATION,
		credentials: [{ name: 'marketoApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Custom Object',
						value: 'customObject',
						description: 'Records of a custom object your Marketo admin created, such as cars or subscriptions linked to leads',
					},
					{ name: 'Lead', value: 'lead', description: 'People in Marketo\'s database, found by email or another unique field' },
					{
						name: 'Program Member',
						value: 'programMember',
						description: 'Leads added to a Marketo program (an event, webinar or campaign) with a member status such as Registered',
					},
				],
				default: 'lead',
				description: 'What to import into Marketo, or which kind of import to check',
			},
			...lead.description,
			...customObject.description,
			...programMember.description,
		],
	};

	methods = { listSearch, loadOptions, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
