import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { executeStatus, statusProperties } from '../common/status';

export const description = updateDisplayOptions(
	{ show: { resource: ['programMember'], operation: ['getStatus'] } },
	statusProperties,
);

// Marketo's status and report paths for program members need only the batch ID.
const target = { kind: 'programMember', programId: '' } as const;

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeStatus(this, itemIndex, target);
}
