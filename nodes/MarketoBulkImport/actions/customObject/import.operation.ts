import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { CustomObjectDescription } from '../../api/metadata';
import { describeCustomObject } from '../../api/metadata';
import type { CallOptions } from '../../api/bulkImport';
import { alphabetical, readRetrySettings } from '../common/fields';
import type { ImportOutput } from '../common/import';
import { executeImport, importOptions, inputProperties } from '../common/import';
import { customObjectFieldSource } from '../common/importInput';
import { readTarget } from './shared';

const [inputField, ...fileFields] = inputProperties('record', 'records');

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
			loadOptionsDependsOn: ['customObjectName'],
			resourceMapper: {
				resourceMapperMethod: 'getCustomObjectFields',
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		description:
			"Which fields of the custom object each item fills. Map Automatically sends the items' fields, matched to the object's fields by API name or display name (ignoring case). Map Each Field Below lets you pick fields and give each a value; the dedupe fields, by which Marketo finds existing records, are required.",
	},
	...fileFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		description: "Settings most imports leave as they are: waiting for the result, file size, queue and retries",
		default: {},
		options: alphabetical(importOptions('custom object', 'records')),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customObject'], operation: ['import'] } },
	properties,
);

/** Each item (or file row) is one record; Marketo matches existing records by the dedupe fields. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<ImportOutput> {
	const target = readTarget(this, 0);
	let described: CustomObjectDescription | undefined;
	const describe = async (call: CallOptions = { retry: readRetrySettings(this, 0) }) =>
		(described ??= await describeCustomObject(this, target.apiName, call));
	// Failed and warned rows are traced to items by the first dedupe field. Describe is read once,
	// for the field check and for this; if it fails here, the field check reports the error.
	const dedupeFields = (await describe().catch(() => undefined))?.dedupeFields ?? [];
	return await executeImport(this, items, {
		target,
		noun: 'custom object',
		plural: 'records',
		fieldSource: customObjectFieldSource(describe),
		hasMapper: true,
		lookupField: dedupeFields[0],
		keyColumns: dedupeFields,
		formFields: () => ({}),
		summary: () => ({ customObjectName: target.apiName }),
		checkColumns: (columns) => {
			const missing = dedupeFields.filter((name) => !columns.includes(name));
			if (missing.length === 0) return;
			const names = missing.map((name) => `"${name}"`).join(', ');
			throw new NodeOperationError(
				this.getNode(),
				`The rows have no ${names} column${missing.length === 1 ? '' : 's'}, which Marketo needs to find ${target.apiName} records`,
				{
					description: `Marketo fails every row without its dedupe field${dedupeFields.length === 1 ? '' : 's'} (${dedupeFields.join(', ')}). Add ${missing.length === 1 ? 'it' : 'them'} to the items (or as a column of the file), or map ${missing.length === 1 ? 'it' : 'them'} in "Fields to Send".`,
				},
			);
		},
	});
}
