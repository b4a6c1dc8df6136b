import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeReport, reportDescription } from '../common/report';
import { readTarget } from './shared';

export const description = reportDescription('customObject', 'getWarnings', 'warnings');

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeReport(this, itemIndex, readTarget(this, itemIndex), 'warnings');
}
