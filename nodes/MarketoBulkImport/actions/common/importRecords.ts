import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeLeadFields } from '../../api/metadata';
import type { Delimiter } from '../../csv';
import { DELIMITERS, detectDelimiter, parseDelimitedRecords } from '../../csv';
import type { FieldInfo } from '../../import/fieldTypes';
import { convertForField, resolveColumns } from '../../import/fieldTypes';
import type { RejectedItem } from '../../import/table';
import { describeUnsupported } from '../../import/table';

/**
 * What Import uploads, before it becomes files: one record per row, the input item each
 * record came from (an item is a lead, or a file holding many), and the items refused.
 */
export interface ImportRecords {
	records: Array<Record<string, unknown>>;
	/** Input item index of each record. */
	sourceOf: number[];
	rejected: RejectedItem[];
}

export type UnknownColumns = 'error' | 'drop' | 'send';

/** The writable fields columns are checked against, and the word for one row ("lead"). */
export interface FieldSource {
	load: () => Promise<FieldInfo[]>;
	noun: string;
}

/** Writable lead fields; the lookup field is a column even when Marketo calls it read-only (id: update only). */
export function leadFieldSource(fns: IExecuteFunctions): FieldSource {
	return {
		noun: 'lead',
		load: async () => {
			const lookupField = String(fns.getNodeParameter('lookupField', 0, 'email') ?? '');
			return (await describeLeadFields(fns)).filter(
				(field) => !field.readOnly || field.name === lookupField || field.name === 'id',
			);
		},
	};
}

function unknownColumnsError(
	fns: IExecuteFunctions,
	unknown: Array<{ column: string; suggestions: string[] }>,
	noun: string,
) {
	const list = unknown
		.map(({ column, suggestions }) =>
			suggestions.length > 0 ? `"${column}" (did you mean ${suggestions.join(', ')}?)` : `"${column}"`,
		)
		.join('; ');
	return new NodeOperationError(
		fns.getNode(),
		unknown.length === 1
			? `This column is not a writable Marketo ${noun} field: ${list}`
			: `These columns are not writable Marketo ${noun} fields: ${list}`,
		{
			description:
				'Marketo would refuse the whole file. Rename the columns to Marketo REST API names (use "Map Each Field Below" to pick them), or set Options → Unknown Columns to "Drop".',
		},
	);
}

/**
 * Checks columns against Marketo's writable lead fields and converts values by field type.
 * Unknown columns stop the run (or are dropped); a value that cannot be converted refuses
 * its item, naming item, field and value.
 */
async function checkAndConvert(
	fns: IExecuteFunctions,
	raw: Array<Record<string, unknown>>,
	sourceOf: number[],
	unknownColumns: UnknownColumns,
	loose: boolean,
	source: FieldSource,
): Promise<ImportRecords> {
	const rejected: RejectedItem[] = [];
	const refuse = new Set<number>();
	// Objects and lists have no place in a file, whatever the field.
	raw.forEach((record, index) => {
		for (const [field, value] of Object.entries(record)) {
			const problem = describeUnsupported(value);
			if (problem !== undefined && !refuse.has(index)) {
				refuse.add(index);
				rejected.push({
					itemIndex: sourceOf[index],
					field,
					message: `Field "${field}" of item ${sourceOf[index]} holds ${problem}, which Marketo cannot store in a ${source.noun} field`,
				});
			}
		}
	});
	if (unknownColumns === 'send') {
		return { records: raw.filter((_, i) => !refuse.has(i)), sourceOf: sourceOf.filter((_, i) => !refuse.has(i)), rejected };
	}

	const fields: FieldInfo[] = await source.load();
	const columnSet = new Set<string>();
	raw.forEach((record, index) => {
		if (refuse.has(index)) return;
		for (const key of Object.keys(record)) columnSet.add(key);
	});
	const columns = [...columnSet];
	const { fieldOf, unknown } = resolveColumns(columns, fields, loose);
	if (unknown.length > 0 && unknownColumns === 'error') throw unknownColumnsError(fns, unknown, source.noun);

	const records: Array<Record<string, unknown>> = [];
	const kept: number[] = [];
	raw.forEach((record, index) => {
		if (refuse.has(index)) return;
		const converted: Record<string, unknown> = {};
		for (const [column, value] of Object.entries(record)) {
			const field = fieldOf.get(column);
			if (field === undefined) continue;
			const conversion = convertForField(value, field.dataType);
			if ('problem' in conversion) {
				rejected.push({
					itemIndex: sourceOf[index],
					field: column,
					message: `Field "${column}" of item ${sourceOf[index]} has the value "${String(value)}", which ${conversion.problem} as Marketo's ${field.dataType} field ${field.name} needs`,
					fix: `Correct the value (for example with an expression), map another field to ${field.name}, or leave it empty.`,
				});
				return;
			}
			converted[field.name] = conversion.text;
		}
		records.push(converted);
		kept.push(sourceOf[index]);
	});
	return { records, sourceOf: kept, rejected };
}

/** Records from the items themselves, or from the fields mapped below. */
export async function recordsFromItems(
	fns: IExecuteFunctions,
	items: INodeExecutionData[],
	unknownColumns: UnknownColumns,
	source: FieldSource = leadFieldSource(fns),
	/** Whether the operation has "Fields to Send" (a resource mapper) at all. */
	hasMapper = true,
): Promise<ImportRecords> {
	const mappingMode = hasMapper
		? (fns.getNodeParameter('columns.mappingMode', 0, 'autoMapInputData') as string)
		: 'autoMapInputData';
	const raw = items.map((item, i) =>
		mappingMode === 'defineBelow'
			? ((fns.getNodeParameter('columns.value', i, {}) as IDataObject) ?? {})
			: item.json,
	);
	// Mapped fields are Marketo REST names already; auto-mapped ones may be display names.
	return await checkAndConvert(fns, raw, items.map((_, i) => i), unknownColumns, mappingMode !== 'defineBelow', source);
}

/** Records from delimited files in the items' binary data (for example a downloaded export). */
export async function recordsFromFiles(
	fns: IExecuteFunctions,
	items: INodeExecutionData[],
	unknownColumns: UnknownColumns,
	source: FieldSource = leadFieldSource(fns),
): Promise<ImportRecords> {
	const property = fns.getNodeParameter('binaryPropertyName', 0, 'data') as string;
	const delimiterChoice = fns.getNodeParameter('inputDelimiter', 0, 'auto') as string;
	const raw: Array<Record<string, unknown>> = [];
	const sourceOf: number[] = [];
	for (let i = 0; i < items.length; i++) {
		fns.helpers.assertBinaryData(i, property);
		const text = (await fns.helpers.getBinaryDataBuffer(i, property)).toString('utf8');
		const delimiter: Delimiter =
			delimiterChoice === 'auto'
				? (detectDelimiter(text.replace(/^\uFEFF/, '')) ?? ',')
				: DELIMITERS[delimiterChoice as keyof typeof DELIMITERS];
		const { header, rows } = parseDelimitedRecords(text, delimiter);
		if (header.length === 0) {
			throw new NodeOperationError(fns.getNode(), `The file in "${property}" of item ${i} is empty [item ${i}]`, {
				itemIndex: i,
				description: `The file needs a header row of Marketo REST API field names, then one row per ${source.noun}.`,
			});
		}
		for (const cells of rows) {
			const record: Record<string, unknown> = {};
			header.forEach((name, column) => {
				record[name] = cells[column] ?? '';
			});
			raw.push(record);
			sourceOf.push(i);
		}
	}
	return await checkAndConvert(fns, raw, sourceOf, unknownColumns, true, source);
}
