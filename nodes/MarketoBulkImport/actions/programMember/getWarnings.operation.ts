import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeReport, reportDescription } from '../common/report';

export const description = reportDescription('programMember', 'getWarnings', 'warnings');

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	// Marketo's report paths for program members need only the batch ID.
	return await executeReport(this, itemIndex, { kind: 'programMember', programId: '' }, 'warnings');
}
