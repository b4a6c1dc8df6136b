import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as customObject from './customObject/CustomObject.resource';
import * as lead from './lead/Lead.resource';
import * as programMember from './programMember/ProgramMember.resource';
import type { ImportOutput } from './common/import';
import { runsAsTool } from './common/runsAsTool';
import type { MarketoBulkImportType } from './node.type';
import { asNodeError } from '../transport';

/** Operations that read one batch per input item. */
const perItem = {
	'lead:getStatus': lead.getStatus.execute,
	'lead:getFailures': lead.getFailures.execute,
	'lead:getWarnings': lead.getWarnings.execute,
	'customObject:getStatus': customObject.getStatus.execute,
	'customObject:getFailures': customObject.getFailures.execute,
	'customObject:getWarnings': customObject.getWarnings.execute,
	'programMember:getStatus': programMember.getStatus.execute,
	'programMember:getFailures': programMember.getFailures.execute,
	'programMember:getWarnings': programMember.getWarnings.execute,
} as const;

/** Operations that take every input item at once. */
const allItems = {
	'lead:import': lead.import.execute,
	'customObject:import': customObject.import.execute,
	'programMember:import': programMember.import.execute,
} as const;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as MarketoBulkImportType['resource'];
	const operation = this.getNodeParameter('operation', 0) as string;
	const key = `${resource}:${operation}`;

	// Import turns all the items into files at once. It turns refused items into error items
	// itself; an error that stops the whole import becomes one error item for all the items.
	const importAll = allItems[key as keyof typeof allItems];
	if (importAll !== undefined) {
		let output: ImportOutput;
		try {
			output = await importAll.call(this, items);
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this.getNode(), error, 0);
			output = {
				batches: [{ json: { error: (error as Error).message }, pairedItem: items.map((_, item) => ({ item })) }],
				rowsToFix: [],
			};
		}
		// An AI agent reads only the first output, so a tool gets the rows there too.
		if (runsAsTool(this.getNode())) return [[...output.batches, ...output.rowsToFix]];
		return [output.batches, output.rowsToFix];
	}

	const execute = perItem[key as keyof typeof perItem];
	if (execute === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);
	}

	const returnData: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			returnData.push(...(await execute.call(this, i)));
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
				continue;
			}
			throw asNodeError(this.getNode(), error, i);
		}
	}
	return [returnData];
}
