import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeReport, reportDescription } from '../common/report';

export const description = reportDescription('lead', 'getWarnings', 'warnings');

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeReport(this, itemIndex, { kind: 'lead' }, 'warnings');
}
