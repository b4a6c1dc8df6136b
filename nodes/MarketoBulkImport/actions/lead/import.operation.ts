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
			"Which lead fields each item fills. Map Automatically sends the items' fields, matched to Marketo's lead fields by API name or by the name shown in Marketo (ignoring case). Map Each Field Below lets you pick fields and give each a value, for example from an expression.",
	},
	...fileFields,
	{
		displayName: 'Lookup Field Name or ID',
		name: 'lookupField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getLookupFields' },
		default: 'email',
		description:
			'The field Marketo uses to find existing leads to update; rows with no match become new leads. Email suits most imports. "ID" means update only: rows whose lead does not exist fail. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		description: "Settings most imports leave as they are: waiting for the result, a static list, partition, file size, queue and retries",
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
					'The lead partition (a separate group of leads that some Marketo instances keep, for example one per region) the leads go into. Marketo requires it only when the instance has several partitions; with one, it changes nothing. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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
		keyColumns: [lookupField],
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
