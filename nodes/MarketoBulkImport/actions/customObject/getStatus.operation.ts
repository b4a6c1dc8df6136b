import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { executeStatus, statusProperties } from '../common/status';
import { readTarget } from './shared';

export const description = updateDisplayOptions(
	{ show: { resource: ['customObject'], operation: ['getStatus'] } },
	statusProperties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeStatus(this, itemIndex, readTarget(this, itemIndex));
}
