import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { alphabetical } from '../common/fields';
import type { ImportOutput } from '../common/import';
import { executeImport, importOptions, inputProperties } from '../common/import';
import { leadFieldSource } from '../common/importInput';
import { readStaticListId, staticListField } from '../common/staticList';

const [inputField, ...fileFields] = inputProperties('lead', 'leads');

const properties: INodeProperties[] = [
	inputField,
	{
		displayName: 'Fields to Send',
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'autoMapInputData', value: null },
		required: true,
		displayOptions: { show: { inputSource: ['items'] } },
		typeOptions: {
			resourceMapper: {
				resourceMapperMethod: 'getLeadFields',
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		description:
			"Map Automatically matches the items' fields to Marketo fields by REST API name or display name (ignoring case)",
	},
	...fileFields,
	{
		displayName: 'Lookup Field Name or ID',
		name: 'lookupField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getLookupFields' },
		default: 'email',
		description:
			'The field Marketo uses to find existing leads to update; rows with no match are created. "ID" means update only: rows whose lead does not exist fail. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		// Shown in alphabetical order, as n8n's guidelines ask.
		options: alphabetical([
			staticListField,
			{
				displayName: 'Partition Name or ID',
				name: 'partitionName',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getPartitions' },
				default: '',
				description:
					'Lead partition to import into. Required by Marketo when the instance has several partitions. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			...importOptions('lead', 'leads'),
		]),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['lead'], operation: ['import'] } },
	properties,
);

/** Import takes every input item at once: they become one or more files. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<ImportOutput> {
	const lookupField = String(this.getNodeParameter('lookupField', 0, 'email') ?? '').trim() || 'email';
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	return await executeImport(this, items, {
		target: { kind: 'lead' },
		noun: 'lead',
		plural: 'leads',
		fieldSource: leadFieldSource(this),
		hasMapper: true,
		lookupField,
		formFields: () => ({
			lookupField,
			listId: readStaticListId(this, options.listId),
			partitionName: String(options.partitionName ?? '').trim() || undefined,
		}),
		summary: (fields) => ({
			lookupField,
			...(fields.listId ? { listId: fields.listId } : {}),
			...(fields.partitionName ? { partitionName: fields.partitionName } : {}),
		}),
	});
}
