import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { describeLeadFields, describeProgramMemberFields } from '../../api/metadata';
import { alphabetical } from '../common/fields';
import { executeImport, importOptions, inputProperties } from '../common/import';

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
	...inputProperties('lead', 'leads'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: alphabetical(importOptions('lead or program member', 'members')),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['programMember'], operation: ['import'] } },
	properties,
);

/** Each item (or file row) is one lead, found or created by email, and added to the program. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
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
		fieldSource: {
			noun: 'lead or program member',
			load: async (call) => {
				const [leadFields, memberFields] = await Promise.all([
					describeLeadFields(this, call),
					describeProgramMemberFields(this, call),
				]);
				const writable = [...leadFields, ...memberFields].filter((field) => !field.readOnly);
				// A lead field and a member field of the same name: keep the first (the lead's).
				const seen = new Set<string>();
				return writable.filter((field) => !seen.has(field.name) && seen.add(field.name));
			},
		},
		hasMapper: false,
		lookupField: 'email',
		formFields: () => ({ programMemberStatus }),
		summary: () => ({ programId, programMemberStatus }),
		checkColumns: (columns) => {
			if (!columns.includes('email')) {
				throw new NodeOperationError(node, 'The rows have no "email" column', {
					description:
						'Marketo finds or creates each program member\'s lead by email, and refuses files without an email column. Add an "email" field to the items (or a column to the file).',
				});
			}
		},
	});
}
