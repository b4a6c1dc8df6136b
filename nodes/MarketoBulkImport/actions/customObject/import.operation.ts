import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CustomObjectDescription } from '../../api/metadata';
import { describeCustomObject } from '../../api/metadata';
import type { CallOptions } from '../../api/bulkImport';
import { alphabetical, readRetrySettings } from '../common/fields';
import { executeImport, importOptions, inputProperties } from '../common/import';
import { readTarget } from './shared';

const properties: INodeProperties[] = [
	...inputProperties('record', 'records'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: alphabetical(importOptions('custom object', 'records')),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customObject'], operation: ['import'] } },
	properties,
);

/** Each item (or file row) is one record; Marketo matches existing records by the dedupe fields. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const target = readTarget(this, 0);
	let described: CustomObjectDescription | undefined;
	const describe = async (call: CallOptions = { retry: readRetrySettings(this, 0) }) =>
		(described ??= await describeCustomObject(this, target.apiName, call));
	// Dedupe fields are columns even when Marketo calls them read-only.
	const fields = async (call: CallOptions) => {
		const { fields: all, dedupeFields } = await describe(call);
		return all.filter((field) => !field.readOnly || dedupeFields.includes(field.name));
	};
	// Failed and warned rows are traced to items by the first dedupe field. Describe is read once,
	// for the field check and for this; if it fails here, the field check reports the error.
	const [lookupField] = (await describe().catch(() => undefined))?.dedupeFields ?? [];
	return await executeImport(this, items, {
		target,
		noun: 'custom object',
		plural: 'records',
		fieldSource: { noun: 'custom object', load: fields },
		hasMapper: false,
		lookupField,
		formFields: () => ({}),
		summary: () => ({ customObjectName: target.apiName }),
	});
}
