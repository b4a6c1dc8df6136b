/**
 * Phase 1 of an import: the input (items, or delimited files in the items' binary data) is
 * checked, record by record, before anything is uploaded: columns against Marketo's fields,
 * values against their types, file rows against their header. Nothing is kept but what was
 * refused; the rows are produced again, converted, file by file, while Marketo imports
 * (`rows()`). Each row knows its input item and, for files, its line.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CallOptions } from '../../api/bulkImport';
import { describeLeadFields } from '../../api/metadata';
import type { Delimiter } from '../../csv';
import { DELIMITERS, detectDelimiter, parseDelimited } from '../../csv';
import type { Refusal } from '../../import/cells';
import { describeUnsupported } from '../../import/cells';
import type { FieldInfo } from '../../import/fieldTypes';
import type { ReadFileRows } from '../../import/fileRows';
import { readFileRows } from '../../import/fileRows';
import { describeItems, describeLines, quoteForMessage } from '../../import/itemList';
import type { RowBatch, RowLedger } from '../../import/fileBuilder';
import { rowSizeCheck } from '../../import/fileBuilder';
import type { RowProblem, UnknownColumns } from '../../import/rowConverter';
import { isRowProblem, RowConverter } from '../../import/rowConverter';
import { YieldPoint } from '../../import/yieldPoint';

export type { UnknownColumns } from '../../import/rowConverter';
export type WrongCellCount = 'stop' | 'skip';

/** A file row skipped because its cell count differs from the header's (Skip and Report). */
export interface SkippedFileRow {
	itemIndex: number;
	line: number;
	reason: string;
	cells: string[];
}

/** The input, checked: what will be sent (produced on demand) and what will not. */
export interface ImportInput {
	/** The upload files' header. */
	columns: string[];
	/** Rows `rows()` will produce. */
	rowCount: number;
	/** Records (or whole files) refused, with where and why. */
	refused: Refusal[];
	/** File rows with a wrong number of cells, when the user chose to skip them. */
	skippedRows: SkippedFileRow[];
	/** File rows whose cells were all empty (Excel's `;;;`), skipped like blank lines. */
	skippedEmptyRows: number;
	/** Columns left out of the file because they are not writable fields (Unknown Columns: Drop). */
	droppedColumns: RowConverter['unknown'];
	fileInput: boolean;
	/** The rows, converted, in input order, in batches of about `batchRows`. */
	rows(batchRows: number): AsyncIterable<RowBatch>;
	/** Input items that have rows to send. */
	itemsWithRows(): number[];
	/** Input items with rows not yet built into a file. */
	itemsWithRowsAfter(ledger: RowLedger): number[];
}

/** The writable fields columns are checked against, and the word for one row ("lead"). */
export interface FieldSource {
	/** Reads the fields, with the run's call options (retry waits, deadline, cancel signal). */
	load: (call: CallOptions) => Promise<FieldInfo[]>;
	noun: string;
}

export interface InputSettings {
	unknownColumns: UnknownColumns;
	fieldSource: FieldSource;
	/** Whether the operation has "Fields to Send" (a resource mapper) at all. */
	hasMapper: boolean;
	/** The upload files' limit and delimiter: a row too large for any file is refused before upload. */
	maxFileBytes: number;
	delimiter: Delimiter;
	/** Options for Marketo calls made while checking the input (the field list). */
	call: CallOptions;
}

const TOO_LARGE_FIX = 'Marketo refuses files of 10 MB or more. Shorten the values of this row, or raise "Max File Size".';

/** The parts of ImportInput that follow from how many rows each item holds. */
function rowsOfItems(rowsOfItem: number[]): Pick<ImportInput, 'itemsWithRows' | 'itemsWithRowsAfter'> {
	const itemsWhere = (keep: (item: number, rows: number) => boolean) => {
		const result: number[] = [];
		rowsOfItem.forEach((rows, item) => {
			if (rows > 0 && keep(item, rows)) result.push(item);
		});
		return result;
	};
	return {
		itemsWithRows: () => itemsWhere(() => true),
		itemsWithRowsAfter: (ledger) => itemsWhere((item, rows) => rows > ledger.builtRowsOf(item)),
	};
}

/** Writable lead fields; the lookup field is a column even when Marketo calls it read-only (id: update only). */
export function leadFieldSource(fns: IExecuteFunctions): FieldSource {
	return {
		noun: 'lead',
		load: async (call) => {
			const lookupField = String(fns.getNodeParameter('lookupField', 0, 'email') ?? '');
			return (await describeLeadFields(fns, call)).filter(
				(field) => !field.readOnly || field.name === lookupField || field.name === 'id',
			);
		},
	};
}

/** Where a record came from, in the words n8n users see: `item 3`, `line 7 of the file in item 0`. */
export function describeSource(itemIndex: number, line?: number): string {
	return line === undefined ? `item ${itemIndex}` : `line ${line} of the file in item ${itemIndex}`;
}

const MAX_LISTED_COLUMNS = 5;

/** Which input items hold an unknown column: `in items 0–4`, `in the header of the file in item 2`. */
type ColumnPlace = (column: string) => { text: string; firstItem?: number };

function unknownColumnsError(fns: IExecuteFunctions, unknown: RowConverter['unknown'], noun: string, placeOf: ColumnPlace) {
	const place = placeOf(unknown[0].column);
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
		(unknown.length === 1
			? `This column is not a writable Marketo ${noun} field: ${listed}`
			: `These columns are not writable Marketo ${noun} fields: ${listed}${more}`) +
			(unknown.length === 1 ? `, found ${place.text}` : ` (${quoteForMessage(unknown[0].column)} is found ${place.text})`),
		{
			itemIndex: place.firstItem,
			description:
				'Marketo would refuse the whole file. Rename the columns to Marketo REST API names (use "Map Each Field Below" to pick them), or set Options → Unknown Columns to "Drop".',
		},
	);
}

/** Collects the column pairs that feed one Marketo field, and throws them as one error. */
class Collisions {
	private readonly pairs = new Map<string, { columns: [string, string]; field: string; items: number[] }>();

	add(problem: Extract<RowProblem, { kind: 'collision' }>, itemIndex: number): void {
		const key = problem.columns.join('\u0000');
		const entry = this.pairs.get(key) ?? { columns: problem.columns, field: problem.field, items: [] };
		// The same item (a file of many rows) is named once.
		if (entry.items[entry.items.length - 1] !== itemIndex) entry.items.push(itemIndex);
		this.pairs.set(key, entry);
	}

	/** Only one value per field can be sent, and the node will not pick one for the user. */
	throwIfAny(fns: IExecuteFunctions): void {
		if (this.pairs.size === 0) return;
		const [first] = this.pairs.values();
		const others = this.pairs.size - 1;
		throw new NodeOperationError(
			fns.getNode(),
			`Fields ${quoteForMessage(first.columns[0])} and ${quoteForMessage(first.columns[1])} of ${describeItems(first.items)} both map to Marketo field "${first.field}"` +
				(others > 0 ? ` (and ${others} more such pair${others === 1 ? '' : 's'})` : ''),
			{
				itemIndex: first.items[0],
				description:
					'Only one value per field can be sent, and the node will not pick one for you. Remove or rename one of the two fields before this node (for example with an Edit Fields node), or use "Map Each Field Below".',
			},
		);
	}
}

async function converterFor(
	fns: IExecuteFunctions,
	inputColumns: readonly string[],
	settings: InputSettings,
	loose: boolean,
	placeOf: ColumnPlace,
): Promise<RowConverter> {
	const fields = settings.unknownColumns === 'send' ? undefined : await settings.fieldSource.load(settings.call);
	const converter = new RowConverter(inputColumns, {
		fields,
		loose,
		timeZone: fns.getTimezone(),
		noun: settings.fieldSource.noun,
		dropUnknown: settings.unknownColumns === 'drop',
	});
	if (converter.unknown.length > 0 && settings.unknownColumns === 'error') {
		throw unknownColumnsError(fns, converter.unknown, settings.fieldSource.noun, placeOf);
	}
	return converter;
}

/** Items as records: their own fields, or the fields mapped below. */
export async function itemsInput(
	fns: IExecuteFunctions,
	items: INodeExecutionData[],
	settings: InputSettings,
): Promise<ImportInput> {
	const mappingMode = settings.hasMapper
		? (fns.getNodeParameter('columns.mappingMode', 0, 'autoMapInputData') as string)
		: 'autoMapInputData';
	const mapped = mappingMode === 'defineBelow';
	// Mapped values come from expressions, evaluated once here; auto-mapped records are the items themselves.
	const records: Array<Readonly<Record<string, unknown>>> = mapped
		? items.map((_, i) => (fns.getNodeParameter('columns.value', i, {}) as IDataObject) ?? {})
		: items.map((item) => item.json);

	const pause = new YieldPoint();
	const columnSet = new Set<string>();
	for (const record of records) {
		// A column that only ever holds objects or lists is not a column of the file: the records
		// holding them are refused (or, with Drop, the values ignored), not the whole run.
		for (const key in record) if (describeUnsupported(record[key]) === undefined) columnSet.add(key);
		await pause.maybe();
	}
	// Mapped fields are Marketo REST names already; auto-mapped ones may be display names.
	const converter = await converterFor(fns, [...columnSet], settings, !mapped, (column) => {
		const holders: number[] = [];
		records.forEach((record, i) => {
			if (Object.prototype.hasOwnProperty.call(record, column)) holders.push(i);
		});
		return { text: `in ${describeItems(holders)}`, firstItem: holders[0] };
	});

	const tooLarge = rowSizeCheck(converter.columns, settings.delimiter, settings.maxFileBytes);
	const refused: Refusal[] = [];
	const refusedItems = new Set<number>();
	const collisions = new Collisions();
	for (let i = 0; i < records.length; i++) {
		const result = converter.convert(records[i]);
		const problem = isRowProblem(result) ? result : rowTooLarge(tooLarge(result));
		if (problem !== undefined) {
			if (problem.kind === 'collision') collisions.add(problem, i);
			else {
				refused.push({ itemIndex: i, field: problem.field, message: problem.message, fix: problem.fix });
				refusedItems.add(i);
			}
		}
		await pause.maybe();
	}
	collisions.throwIfAny(fns);

	return {
		columns: converter.columns,
		rowCount: records.length - refusedItems.size,
		refused,
		skippedRows: [],
		skippedEmptyRows: 0,
		droppedColumns: converter.unknown,
		fileInput: false,
		...rowsOfItems(records.map((_, i) => (refusedItems.has(i) ? 0 : 1))),
		async *rows(batchRows: number) {
			let batch: RowBatch = { cells: [], items: [] };
			for (let i = 0; i < records.length; i++) {
				if (refusedItems.has(i)) continue;
				batch.cells.push(converter.convert(records[i]) as string[]);
				batch.items.push(i);
				if (batch.cells.length >= batchRows) {
					yield batch;
					batch = { cells: [], items: [] };
				}
			}
			if (batch.cells.length > 0) yield batch;
		},
	};
}

function rowTooLarge(message: string | undefined): RowProblem | undefined {
	return message === undefined ? undefined : { kind: 'refused', message, fix: TOO_LARGE_FIX };
}

const MAX_SHOWN_CELLS = 3;

/** The first cells of a row, to recognise it by; `found` says whether more follow. */
function cellsForMessage(cells: readonly string[], found: number): string {
	const shown = cells.slice(0, MAX_SHOWN_CELLS).map((cell) => quoteForMessage(cell, 30));
	return shown.join(', ') + (found > shown.length ? ', …' : '');
}

/** What makes a whole file unimportable, in words; undefined when its rows can be read. */
function fileProblem(
	file: ReadFileRows,
	where: string,
	wrongCellCount: WrongCellCount,
	noun: string,
): { message: string; fix: string } | undefined {
	const { problem } = file;
	if (problem?.kind === 'empty') {
		return {
			message: `${where} is empty`,
			fix: `The file needs a header row of Marketo REST API field names, then one row per ${noun}.`,
		};
	}
	if (problem?.kind === 'duplicateColumns') {
		return {
			message: `the header of ${where} names ${problem.names.length === 1 ? 'a column' : 'columns'} twice: ${problem.names
				.slice(0, MAX_LISTED_COLUMNS)
				.map((name) => quoteForMessage(name))
				.join(', ')}`,
			fix: 'Each column must appear once: Marketo would not know which value to keep. Rename or remove the duplicates in the file.',
		};
	}
	if (problem?.kind === 'unterminatedQuote') {
		return {
			message: `${where} has a quote opened on line ${problem.line} that is never closed`,
			fix: 'Everything after that quote would be read as one value. Close the quote (a quote inside a quoted value is written twice: "").',
		};
	}
	if (file.wrongCellCount.length > 0 && wrongCellCount === 'stop') {
		const [first] = file.wrongCellCount;
		const others = file.wrongCellCount.slice(1).map((row) => row.line);
		return {
			message:
				`line ${first.line} of ${where} has ${first.found} cells where the header has ${first.expected} (${cellsForMessage(first.firstCells, first.found)})` +
				(others.length > 0 ? `; so do ${describeLines(others)}` : ''),
			fix: 'A value holding the delimiter must be quoted, or its row is read shifted. Correct the file, or set "Rows With a Wrong Number of Cells" to "Skip and Report" to import the other rows.',
		};
	}
	return undefined;
}

/** The file's text, or the line of the first bytes that are not in `encoding`. */
function decodeFile(bytes: Buffer, encoding: string): string | { line: number } {
	try {
		return new TextDecoder(encoding, { fatal: encoding === 'utf-8' }).decode(bytes);
	} catch {
		const text = new TextDecoder(encoding).decode(bytes);
		const bad = text.indexOf('\uFFFD');
		let line = 1;
		for (let i = 0; i < bad; i++) {
			const c = text.charCodeAt(i);
			if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
		}
		return { line };
	}
}

function keyed(header: readonly string[], cells: readonly string[]): Record<string, string> {
	const record: Record<string, string> = {};
	for (let column = 0; column < header.length; column++) record[header[column]] = cells[column];
	return record;
}

/** Delimited files in the items' binary data (for example a downloaded export), read twice: to check, then to send. */
export async function filesInput(
	fns: IExecuteFunctions,
	items: INodeExecutionData[],
	settings: InputSettings,
): Promise<ImportInput> {
	const node = fns.getNode();
	const property = fns.getNodeParameter('binaryPropertyName', 0, 'data') as string;
	const delimiterChoice = fns.getNodeParameter('inputDelimiter', 0, 'auto') as string;
	const wrongCellCount = fns.getNodeParameter('wrongCellCount', 0, 'stop') as WrongCellCount;
	const continueOnFail = fns.continueOnFail();
	const noun = settings.fieldSource.noun;

	const encoding = fns.getNodeParameter('inputEncoding', 0, 'utf-8') as string;
	let lastText = '';
	let lastDelimiter: Delimiter = ',';
	const readFile = async (i: number): Promise<ReadFileRows> => {
		fns.helpers.assertBinaryData(i, property);
		const text = decodeFile(await fns.helpers.getBinaryDataBuffer(i, property), encoding);
		if (typeof text !== 'string') {
			throw new NodeOperationError(
				node,
				`The file in "${property}" of item ${i} is not ${encoding.toUpperCase()} text: line ${text.line} holds bytes that are not`,
				{
					itemIndex: i,
					description:
						'Its accented letters would reach Marketo as "�". Set "Input File Encoding" to the file\'s encoding (Excel\'s plain "CSV" on Windows is Windows-1252), or save the file as "CSV UTF-8".',
				},
			);
		}
		const delimiter: Delimiter =
			delimiterChoice === 'auto'
				? (detectDelimiter(text.replace(/^\uFEFF?[\r\n]*/, '')) ?? ',')
				: DELIMITERS[delimiterChoice as keyof typeof DELIMITERS];
		lastText = text;
		lastDelimiter = delimiter;
		return readFileRows(text, delimiter);
	};
	// A refused file's data rows are counted as not submitted (its header and empty rows are not).
	const dataRowsOfLastFile = () =>
		parseDelimited(lastText, lastDelimiter)
			.slice(1)
			.filter((cells) => cells.some((cell) => cell !== '')).length;

	// First reading: the files' shapes. A file that cannot be read as a whole stops the run
	// (or, with Continue On Fail, is refused as one item); ragged rows stop it or are skipped.
	const refused: Refusal[] = [];
	const skippedRows: SkippedFileRow[] = [];
	const usable: number[] = [];
	const headers = new Map<number, string[]>();
	const columnSet = new Set<string>();
	let skippedEmptyRows = 0;
	for (let i = 0; i < items.length; i++) {
		const file = await readFile(i);
		const problem = fileProblem(file, `the file in "${property}" of item ${i}`, wrongCellCount, noun);
		if (problem !== undefined) {
			const message = problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
			if (!continueOnFail) throw new NodeOperationError(node, message, { itemIndex: i, description: problem.fix });
			refused.push({ itemIndex: i, message, fix: problem.fix, wholeItem: true, rows: dataRowsOfLastFile() });
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
		for (const name of file.header) columnSet.add(name);
		headers.set(i, file.header);
		usable.push(i);
	}
	const converter = await converterFor(fns, [...columnSet], settings, true, (column) => {
		const holder = usable.find((i) => headers.get(i)?.includes(column));
		return { text: `in the header of the file in item ${holder}`, firstItem: holder };
	});

	// Second reading: every value, converted, before anything is uploaded.
	const pause = new YieldPoint();
	const collisions = new Collisions();
	const tooLarge = rowSizeCheck(converter.columns, settings.delimiter, settings.maxFileBytes);
	const refusedRows = new Set<string>();
	const rowsOfItem = new Array<number>(items.length).fill(0);
	let rowCount = 0;
	for (const i of usable) {
		const file = await readFile(i);
		for (const row of file.rows) {
			const result = converter.convert(keyed(file.header, row.cells));
			const problem = isRowProblem(result) ? result : rowTooLarge(tooLarge(result));
			if (problem !== undefined) {
				if (problem.kind === 'collision') collisions.add(problem, i);
				else {
					refused.push({ itemIndex: i, line: row.line, field: problem.field, message: problem.message, fix: problem.fix });
					refusedRows.add(`${i}:${row.line}`);
				}
			} else {
				rowCount++;
				rowsOfItem[i]++;
			}
			await pause.maybe();
		}
	}
	collisions.throwIfAny(fns);

	return {
		columns: converter.columns,
		rowCount,
		refused,
		skippedRows,
		skippedEmptyRows,
		droppedColumns: converter.unknown,
		fileInput: true,
		...rowsOfItems(rowsOfItem),
		async *rows(batchRows: number) {
			for (const i of usable) {
				const file = await readFile(i);
				let batch: RowBatch = { cells: [], items: [], lines: [] };
				for (const row of file.rows) {
					if (refusedRows.has(`${i}:${row.line}`)) continue;
					batch.cells.push(converter.convert(keyed(file.header, row.cells)) as string[]);
					batch.items.push(i);
					batch.lines?.push(row.line);
					if (batch.cells.length >= batchRows) {
						yield batch;
						batch = { cells: [], items: [], lines: [] };
					}
				}
				if (batch.cells.length > 0) yield batch;
			}
		},
	};
}
