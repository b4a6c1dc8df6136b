import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { alphabetical } from '../common/fields';
import type { ImportOutput } from '../common/import';
import { executeImport, importOptions, inputProperties } from '../common/import';
import { programMemberFieldSource } from '../common/importInput';

const [inputField, ...fileFields] = inputProperties('lead', 'leads');

const properties: INodeProperties[] = [
	{
		displayName: 'Program Name or ID',
		name: 'programId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getPrograms' },
		required: true,
		default: '',
		description:
			'The program to add the leads to as members. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Program Member Status Name or ID',
		name: 'programMemberStatus',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getProgramStatuses', loadOptionsDependsOn: ['programId'] },
		required: true,
		default: '',
		description:
			'The status every imported member gets: one of the statuses of the program\'s channel. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
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
				resourceMapperMethod: 'getProgramMemberFields',
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		description:
			"Which lead and program member fields each item fills. Map Automatically sends the items' fields, matched to Marketo's fields by API name or display name (ignoring case). Map Each Field Below lets you pick fields and give each a value; email, by which Marketo finds or creates each member's lead, is required.",
	},
	...fileFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		description: "Settings most imports leave as they are: waiting for the result, file size, queue and retries",
		default: {},
		options: alphabetical(importOptions('lead or program member', 'members')),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['programMember'], operation: ['import'] } },
	properties,
);

/** Each item (or file row) is one lead, found or created by email, and added to the program. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<ImportOutput> {
	const node = this.getNode();
	const programId = String(this.getNodeParameter('programId', 0, '') ?? '').trim();
	const programMemberStatus = String(this.getNodeParameter('programMemberStatus', 0, '') ?? '').trim();
	if (programId === '') {
		throw new NodeOperationError(node, 'No program is selected', { description: 'Choose the program in "Program Name or ID".' });
	}
	if (programMemberStatus === '') {
		throw new NodeOperationError(node, 'No program member status is selected', {
			description: 'Choose the status in "Program Member Status Name or ID".',
		});
	}
	return await executeImport(this, items, {
		target: { kind: 'programMember', programId },
		noun: 'lead or program member',
		plural: 'members',
		fieldSource: programMemberFieldSource(this),
		hasMapper: true,
		lookupField: 'email',
		// Program and status are the same for every row (and part of every fingerprint).
		keyColumns: ['email'],
		formFields: () => ({ programMemberStatus }),
		summary: () => ({ programId, programMemberStatus }),
		checkColumns: (columns) => {
			if (!columns.includes('email')) {
				throw new NodeOperationError(node, 'The rows have no "email" column', {
					description:
						'Marketo finds or creates each program member\'s lead by email, and refuses files without an email column. Add an "email" field to the items (or a column to the file), or map it in "Fields to Send".',
				});
			}
		},
	});
}
