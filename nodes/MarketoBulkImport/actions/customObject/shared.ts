import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ImportTarget } from '../../api/bulkImport';

export const customObjectNameField: INodeProperties = {
	displayName: 'Custom Object Name or ID',
	name: 'customObjectName',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getCustomObjects' },
	required: true,
	default: '',
	description:
		'The custom object type, by API name (for example car_c). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export function readTarget(fns: IExecuteFunctions, itemIndex: number): ImportTarget & { kind: 'customObject' } {
	const apiName = String(fns.getNodeParameter('customObjectName', itemIndex, '') ?? '').trim();
	if (apiName === '') {
		throw new NodeOperationError(fns.getNode(), 'No custom object is selected', {
			itemIndex,
			description: 'Choose the custom object in "Custom Object Name or ID".',
		});
	}
	return { kind: 'customObject', apiName };
}
