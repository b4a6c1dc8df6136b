/**
 * Phase 1 of an import: the input (items, or delimited files in the items' binary data)
 * becomes records of Marketo field names and converted text, each one knowing the input
 * item (and, for files, the line) it came from. What cannot become a record is refused
 * here, by item and line, before anything is uploaded.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeLeadFields } from '../../api/metadata';
import type { Delimiter } from '../../csv';
import { DELIMITERS, detectDelimiter } from '../../csv';
import type { FieldInfo } from '../../import/fieldTypes';
import { convertForField, resolveColumns } from '../../import/fieldTypes';
import { readFileRows } from '../../import/fileRows';
import { describeItems, describeLines, quoteForMessage } from '../../import/itemList';
import type { Refusal } from '../../import/table';
import { describeUnsupported } from '../../import/table';

/** A file row skipped because its cell count differs from the header's (Skip and Report). */
export interface SkippedFileRow {
	itemIndex: number;
	line: number;
	reason: string;
	cells: string[];
}

/**
 * What Import uploads, before it becomes files: one record per row, the input item (and
 * file line) each record came from, and what was refused or skipped on the way.
 */
export interface ImportRecords {
	records: Array<Record<string, unknown>>;
	/** Input item index of each record. */
	itemOf: number[];
	/** For file input: the line of its file where each record starts. */
	lineOf?: number[];
	refused: Refusal[];
	/** File rows with a wrong number of cells, when the user chose to skip them. */
	skippedRows: SkippedFileRow[];
	/** File rows whose cells were all empty (Excel's `;;;`), skipped like blank lines. */
	skippedEmptyRows: number;
}

export type UnknownColumns = 'error' | 'drop' | 'send';
export type WrongCellCount = 'stop' | 'skip';

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

/** Where a record came from, in the words n8n users see: `item 3`, `line 7 of the file in item 0`. */
export function describeSource(itemIndex: number, line?: number): string {
	return line === undefined ? `item ${itemIndex}` : `line ${line} of the file in item ${itemIndex}`;
}

const MAX_LISTED_COLUMNS = 10;

function unknownColumnsError(
	fns: IExecuteFunctions,
	unknown: Array<{ column: string; suggestions: string[] }>,
	noun: string,
) {
	const listed = unknown
		.slice(0, MAX_LISTED_COLUMNS)
		.map(({ column, suggestions }) => {
			const name = quoteForMessage(column);
			return suggestions.length > 0 ? `${name} (did you mean ${suggestions.join(', ')}?)` : name;
		})
		.join('; ');
	const more = unknown.length > MAX_LISTED_COLUMNS ? ` and ${unknown.length - MAX_LISTED_COLUMNS} more` : '';
	return new NodeOperationError(
		fns.getNode(),
		unknown.length === 1
			? `This column is not a writable Marketo ${noun} field: ${listed}`
			: `These columns are not writable Marketo ${noun} fields: ${listed}${more}`,
		{
			description:
				'Marketo would refuse the whole file. Rename the columns to Marketo REST API names (use "Map Each Field Below" to pick them), or set Options → Unknown Columns to "Drop".',
		},
	);
}

/**
 * Two input fields of one record that feed the same Marketo field: only one value could be
 * sent, so neither is chosen silently.
 */
function collisionError(
	fns: IExecuteFunctions,
	collisions: Map<string, { columns: [string, string]; field: string; items: number[] }>,
): NodeOperationError {
	const [first] = collisions.values();
	const others = collisions.size - 1;
	const message =
		`Fields ${quoteForMessage(first.columns[0])} and ${quoteForMessage(first.columns[1])} of ${describeItems(first.items)} both map to Marketo field "${first.field}"` +
		(others > 0 ? ` (and ${others} more such pair${others === 1 ? '' : 's'})` : '');
	return new NodeOperationError(fns.getNode(), message, {
		itemIndex: first.items[0],
		description:
			'Only one value per field can be sent, and the node will not pick one for you. Remove or rename one of the two fields before this node (for example with an Edit Fields node), or use "Map Each Field Below".',
	});
}

/**
 * Checks columns against Marketo's writable fields and converts values by field type.
 * Unknown columns and colliding columns stop the run (unknown ones can be dropped); a value
 * that cannot be converted refuses its record, naming item (and line), field and value.
 */
async function checkAndConvert(
	fns: IExecuteFunctions,
	raw: Array<Record<string, unknown>>,
	itemOf: number[],
	lineOf: number[] | undefined,
	unknownColumns: UnknownColumns,
	loose: boolean,
	source: FieldSource,
): Promise<Pick<ImportRecords, 'records' | 'itemOf' | 'lineOf' | 'refused'>> {
	const refused: Refusal[] = [];
	const refuse = new Set<number>();
	// Objects and lists have no place in a file, whatever the field.
	raw.forEach((record, index) => {
		for (const [field, value] of Object.entries(record)) {
			const problem = describeUnsupported(value);
			if (problem === undefined) continue;
			refuse.add(index);
			refused.push({
				itemIndex: itemOf[index],
				line: lineOf?.[index],
				field,
				message: `field ${quoteForMessage(field)} holds ${problem}, which Marketo cannot store in a ${source.noun} field`,
			});
			break;
		}
	});
	const keep = <T>(list: T[]) => list.filter((_, i) => !refuse.has(i));
	if (unknownColumns === 'send') {
		return { records: keep(raw), itemOf: keep(itemOf), lineOf: lineOf && keep(lineOf), refused };
	}

	const fields: FieldInfo[] = await source.load();
	const columnSet = new Set<string>();
	raw.forEach((record, index) => {
		if (refuse.has(index)) return;
		for (const key of Object.keys(record)) columnSet.add(key);
	});
	const { fieldOf, unknown } = resolveColumns([...columnSet], fields, loose);
	if (unknown.length > 0 && unknownColumns === 'error') throw unknownColumnsError(fns, unknown, source.noun);

	const collisions = new Map<string, { columns: [string, string]; field: string; items: number[] }>();
	const records: Array<Record<string, unknown>> = [];
	const keptItems: number[] = [];
	const keptLines: number[] = [];
	raw.forEach((record, index) => {
		if (refuse.has(index)) return;
		const converted: Record<string, unknown> = {};
		const columnOf = new Map<string, string>();
		let problem: Refusal | undefined;
		for (const [column, value] of Object.entries(record)) {
			const field = fieldOf.get(column);
			if (field === undefined) continue;
			const earlier = columnOf.get(field.name);
			if (earlier !== undefined) {
				const key = `${earlier}\u0000${column}`;
				const entry = collisions.get(key) ?? { columns: [earlier, column], field: field.name, items: [] };
				entry.items.push(itemOf[index]);
				collisions.set(key, entry);
				continue;
			}
			columnOf.set(field.name, column);
			if (problem !== undefined) continue;
			const conversion = convertForField(value, field.dataType, fns.getTimezone());
			if ('problem' in conversion) {
				problem = {
					itemIndex: itemOf[index],
					line: lineOf?.[index],
					field: column,
					message: `field ${quoteForMessage(column)} has the value ${quoteForMessage(String(value))}, which ${conversion.problem} as Marketo's ${field.dataType} field ${field.name} needs`,
					fix: `Correct the value (for example with an expression), map another field to ${field.name}, or leave it empty.`,
				};
				continue;
			}
			converted[field.name] = conversion.text;
		}
		if (problem !== undefined) {
			refused.push(problem);
			return;
		}
		records.push(converted);
		keptItems.push(itemOf[index]);
		if (lineOf) keptLines.push(lineOf[index]);
	});
	if (collisions.size > 0) throw collisionError(fns, collisions);
	return { records, itemOf: keptItems, lineOf: lineOf && keptLines, refused };
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
	const converted = await checkAndConvert(
		fns,
		raw,
		items.map((_, i) => i),
		undefined,
		unknownColumns,
		mappingMode !== 'defineBelow',
		source,
	);
	return { ...converted, skippedRows: [], skippedEmptyRows: 0 };
}

const MAX_SHOWN_CELLS = 3;

/** The first cells of a row, to recognise it by; `found` says whether more follow. */
function cellsForMessage(cells: readonly string[], found: number): string {
	const shown = cells.slice(0, MAX_SHOWN_CELLS).map((cell) => quoteForMessage(cell, 30));
	return shown.join(', ') + (found > shown.length ? ', …' : '');
}

/** Records from delimited files in the items' binary data (for example a downloaded export). */
export async function recordsFromFiles(
	fns: IExecuteFunctions,
	items: INodeExecutionData[],
	unknownColumns: UnknownColumns,
	source: FieldSource = leadFieldSource(fns),
): Promise<ImportRecords> {
	const node = fns.getNode();
	const property = fns.getNodeParameter('binaryPropertyName', 0, 'data') as string;
	const delimiterChoice = fns.getNodeParameter('inputDelimiter', 0, 'auto') as string;
	const wrongCellCount = fns.getNodeParameter('wrongCellCount', 0, 'stop') as WrongCellCount;
	const continueOnFail = fns.continueOnFail();
	const raw: Array<Record<string, unknown>> = [];
	const itemOf: number[] = [];
	const lineOf: number[] = [];
	const fileRefusals: Refusal[] = [];
	const skippedRows: SkippedFileRow[] = [];
	let skippedEmptyRows = 0;

	for (let i = 0; i < items.length; i++) {
		fns.helpers.assertBinaryData(i, property);
		const text = (await fns.helpers.getBinaryDataBuffer(i, property)).toString('utf8');
		const delimiter: Delimiter =
			delimiterChoice === 'auto'
				? (detectDelimiter(text.replace(/^\uFEFF?[\r\n]*/, '')) ?? ',')
				: DELIMITERS[delimiterChoice as keyof typeof DELIMITERS];
		const file = readFileRows(text, delimiter);
		const where = `the file in "${property}" of item ${i}`;

		// Problems with the file as a whole: nothing of it is imported.
		let fileProblem: { message: string; fix: string } | undefined;
		if (file.problem?.kind === 'empty') {
			fileProblem = {
				message: `${where} is empty`,
				fix: `The file needs a header row of Marketo REST API field names, then one row per ${source.noun}.`,
			};
		} else if (file.problem?.kind === 'duplicateColumns') {
			fileProblem = {
				message: `the header of ${where} names ${file.problem.names.length === 1 ? 'a column' : 'columns'} twice: ${file.problem.names
					.slice(0, MAX_LISTED_COLUMNS)
					.map((name) => quoteForMessage(name))
					.join(', ')}`,
				fix: 'Each column must appear once: Marketo would not know which value to keep. Rename or remove the duplicates in the file.',
			};
		} else if (file.problem?.kind === 'unterminatedQuote') {
			fileProblem = {
				message: `${where} has a quote opened on line ${file.problem.line} that is never closed`,
				fix: 'Everything after that quote would be read as one value. Close the quote (a quote inside a quoted value is written twice: "").',
			};
		} else if (file.wrongCellCount.length > 0 && wrongCellCount === 'stop') {
			const [first] = file.wrongCellCount;
			const others = file.wrongCellCount.slice(1).map((row) => row.line);
			fileProblem = {
				message:
					`line ${first.line} of ${where} has ${first.found} cells where the header has ${first.expected} (${cellsForMessage(first.firstCells, first.found)})` +
					(others.length > 0 ? `; so do ${describeLines(others)}` : ''),
				fix: 'A value holding the delimiter must be quoted, or its row is read shifted. Correct the file, or set "Rows With a Wrong Number of Cells" to "Skip and Report" to import the other rows.',
			};
		}
		if (fileProblem !== undefined) {
			const message = fileProblem.message.charAt(0).toUpperCase() + fileProblem.message.slice(1);
			if (!continueOnFail) {
				throw new NodeOperationError(node, message, { itemIndex: i, description: fileProblem.fix });
			}
			fileRefusals.push({ itemIndex: i, message, fix: fileProblem.fix, wholeItem: true });
			continue;
		}

		for (const row of file.wrongCellCount) {
			skippedRows.push({
				itemIndex: i,
				line: row.line,
				reason: `Line ${row.line} has ${row.found} cells where the header has ${row.expected}`,
				cells: row.firstCells,
			});
		}
		skippedEmptyRows += file.skippedEmptyRows;
		const { header } = file;
		for (const row of file.rows) {
			const record: Record<string, unknown> = {};
			for (let column = 0; column < header.length; column++) record[header[column]] = row.cells[column];
			raw.push(record);
			itemOf.push(i);
			lineOf.push(row.line);
		}
	}
	const converted = await checkAndConvert(fns, raw, itemOf, lineOf, unknownColumns, true, source);
	return { ...converted, refused: [...fileRefusals, ...converted.refused], skippedRows, skippedEmptyRows };
}
