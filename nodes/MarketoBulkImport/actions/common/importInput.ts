/**
 * Phase 1 of an import: the input (items, or delimited files in the items' binary data) is
 * checked, record by record, before anything is uploaded: columns against Marketo's fields,
 * values against their types, file rows against their header. Nothing is kept but what was
 * refused; the rows are produced again, converted, file by file, while Marketo imports
 * (`rows()`). Each row knows its input item and, for files, its line.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CallOptions } from '../../api/bulkImport';
import type { CustomObjectDescription } from '../../api/metadata';
import { customObjectImportFields, describeLeadFields, describeProgramMemberImportFields } from '../../api/metadata';
import type { Delimiter } from '../../csv';
import { DELIMITERS } from '../../csv';
import { ChunkedDelimitedReader } from '../../csv/chunkedReader';
import type { Refusal } from '../../import/cells';
import { describeUnsupported } from '../../import/cells';
import type { FieldInfo } from '../../import/fieldTypes';
import type { WrongCellCountRow } from '../../import/fileRows';
import type { StreamedFile, StreamedFileProblem } from '../../import/fileRowStream';
import { streamFileRows } from '../../import/fileRowStream';
import { describeItems, describeLines, quoteForMessage } from '../../import/itemList';
import type { RowBatch, RowLedger } from '../../import/fileBuilder';
import { rowSizeCheck } from '../../import/fileBuilder';
import type { RowProblem, UnknownColumns } from '../../import/rowConverter';
import { isRowProblem, RowConverter } from '../../import/rowConverter';
import { YieldPoint } from '../../import/yieldPoint';
import type { RecordOf } from './mappedRecords';
import { mappedRecords } from './mappedRecords';

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

const MAPPED_UNKNOWN_FIX =
	'Marketo would refuse the whole file. "Fields to Send" maps a field Marketo does not have (or does not let you write): it was mapped for another object, or removed in Marketo since. Remove it from the mapping, or set Options → Unknown Columns to "Drop".';

const TOO_LARGE_FIX = 'Marketo refuses files of 10 MB or more. Shorten the values of this row, or raise "Max File Size".';

/** One row per item, none for a refused item. */
function rowsOfEachItem(count: number, refused: ReadonlySet<number>): Uint8Array {
	const rows = new Uint8Array(count).fill(1);
	for (const item of refused) rows[item] = 0;
	return rows;
}

/** The parts of ImportInput that follow from how many rows each item holds. */
function rowsOfItems(rowsOfItem: ArrayLike<number>): Pick<ImportInput, 'itemsWithRows' | 'itemsWithRowsAfter'> {
	const itemsWhere = (keep: (item: number, rows: number) => boolean) => {
		const result: number[] = [];
		for (let item = 0; item < rowsOfItem.length; item++) {
			const rows = rowsOfItem[item];
			if (rows > 0 && keep(item, rows)) result.push(item);
		}
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

/** Writable custom object fields and the dedupe fields, from the object's description (read once by the caller). */
export function customObjectFieldSource(describe: (call: CallOptions) => Promise<CustomObjectDescription>): FieldSource {
	return { noun: 'custom object', load: async (call) => customObjectImportFields(await describe(call)) };
}

/** Writable lead fields and writable program member fields. */
export function programMemberFieldSource(fns: IExecuteFunctions): FieldSource {
	return { noun: 'lead or program member', load: async (call) => await describeProgramMemberImportFields(fns, call) };
}

/** Where a record came from, in the words n8n users see: `item 3`, `line 7 of the file in item 0`. */
export function describeSource(itemIndex: number, line?: number): string {
	return line === undefined ? `item ${itemIndex}` : `line ${line} of the file in item ${itemIndex}`;
}

const MAX_LISTED_COLUMNS = 5;

/** Which input items hold an unknown column: `in items 0–4`, `in the header of the file in item 2`. */
type ColumnPlace = (column: string) => { text: string; firstItem?: number; fix?: string };

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
				place.fix ??
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
	// Records are read through a function, not copied (a million-entry array costs tens of
	// milliseconds in one go): auto-mapped records are the items themselves; mapped ones are read
	// from the items, or evaluated by n8n once (mappedRecords.ts). n8n's own check of required
	// fields is skipped: it would stop the whole run on one item's empty dedupe field, where
	// Marketo fails just that row (as when mapped automatically).
	const recordAt: RecordOf = mapped ? await mappedRecords(fns, items) : (i) => items[i].json;
	const recordCount = items.length;

	const pause = new YieldPoint();
	const columnSet = new Set<string>();
	for (let i = 0; i < recordCount; i++) {
		const record = recordAt(i);
		// A column that only ever holds objects or lists is not a column of the file: the records
		// holding them are refused (or, with Drop, the values ignored), not the whole run.
		for (const key in record) {
			const value = record[key];
			// Text, by far the most common, is checked first: this is a pass over every value.
			if (typeof value === 'string' || describeUnsupported(value) === undefined) columnSet.add(key);
		}
		if (pause.due()) await pause.turn();
	}
	// Mapped fields are Marketo REST names already; auto-mapped ones may be display names.
	const converter = await converterFor(fns, [...columnSet], settings, !mapped, (column) => {
		const holders: number[] = [];
		for (let i = 0; i < recordCount; i++) {
			if (Object.prototype.hasOwnProperty.call(recordAt(i), column)) holders.push(i);
		}
		// A mapped field that is not a field: mapped for another object, or since removed in Marketo.
		const fix = mapped ? MAPPED_UNKNOWN_FIX : undefined;
		return { text: `in ${describeItems(holders)}`, firstItem: holders[0], fix };
	});

	const tooLarge = rowSizeCheck(converter.columns, settings.delimiter, settings.maxFileBytes);
	const refused: Refusal[] = [];
	const refusedItems = new Set<number>();
	const collisions = new Collisions();
	for (let i = 0; i < recordCount; i++) {
		const result = converter.convert(recordAt(i));
		const problem = isRowProblem(result) ? result : rowTooLarge(tooLarge(result));
		if (problem !== undefined) {
			if (problem.kind === 'collision') collisions.add(problem, i);
			else {
				refused.push({ itemIndex: i, field: problem.field, message: problem.message, fix: problem.fix });
				refusedItems.add(i);
			}
		}
		if (pause.due()) await pause.turn();
	}
	collisions.throwIfAny(fns);

	return {
		columns: converter.columns,
		rowCount: recordCount - refusedItems.size,
		refused,
		skippedRows: [],
		skippedEmptyRows: 0,
		droppedColumns: converter.unknown,
		fileInput: false,
		...rowsOfItems(rowsOfEachItem(recordCount, refusedItems)),
		async *rows(batchRows: number) {
			let batch: RowBatch = { cells: [], items: [] };
			for (let i = 0; i < recordCount; i++) {
				if (refusedItems.has(i)) continue;
				batch.cells.push(converter.convert(recordAt(i)) as string[]);
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
	problem: StreamedFileProblem | undefined,
	wrongRows: readonly WrongCellCountRow[],
	where: string,
	wrongCellCount: WrongCellCount,
	noun: string,
): { message: string; fix: string } | undefined {
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
	if (problem?.kind === 'recordTooLong') {
		return {
			message: `line ${problem.line} of ${where} starts a row longer than ${problem.maxRecordChars.toLocaleString('en-US')} characters`,
			fix: 'Usually a quote that is closed much later by mistake, so that many lines read as one value. Correct the quotes in the file.',
		};
	}
	if (wrongRows.length > 0 && wrongCellCount === 'stop') {
		const [first] = wrongRows;
		const others = wrongRows.slice(1).map((row) => row.line);
		return {
			message:
				`line ${first.line} of ${where} has ${first.found} cells where the header has ${first.expected} (${cellsForMessage(first.firstCells, first.found)})` +
				(others.length > 0 ? `; so do ${describeLines(others)}` : ''),
			fix: 'A value holding the delimiter must be quoted, or its row is read shifted. Correct the file, or set "Rows With a Wrong Number of Cells" to "Skip and Report" to import the other rows.',
		};
	}
	return undefined;
}

function keyed(header: readonly string[], cells: readonly string[]): Record<string, string> {
	const record: Record<string, string> = {};
	for (let column = 0; column < header.length; column++) record[header[column]] = cells[column];
	return record;
}

/** The file's bytes in pieces: streamed from n8n's binary storage, or cut from a buffer kept in memory. */
async function fileBytes(fns: IExecuteFunctions, itemIndex: number, property: string): Promise<AsyncIterable<Uint8Array>> {
	const binary = fns.helpers.assertBinaryData(itemIndex, property);
	if (binary.id) return await fns.helpers.getBinaryStream(binary.id, READ_CHUNK_BYTES);
	const buffer = await fns.helpers.getBinaryDataBuffer(itemIndex, property);
	return (async function* pieces() {
		for (let start = 0; start < buffer.length; start += READ_CHUNK_BYTES) yield buffer.subarray(start, start + READ_CHUNK_BYTES);
	})();
}

const READ_CHUNK_BYTES = 256 * 1024;

/** Lines begun in `text` (LF, CRLF or a lone CR each end one). */
function lineBreaks(text: string): number {
	let count = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) count++;
	}
	return count;
}

/**
 * Decodes the pieces as they come. A UTF-8 file with bytes that are not UTF-8 (often one saved
 * by Excel as Windows-1252) stops with the line of the first such bytes, instead of importing "M�ller".
 */
async function* decodedText(
	pieces: AsyncIterable<Uint8Array>,
	encoding: string,
	notEncoded: (line: number) => NodeOperationError,
): AsyncIterable<string> {
	const strict = encoding === 'utf-8';
	const decoder = new TextDecoder(encoding, { fatal: strict });
	let line = 1;
	for await (const piece of pieces) {
		let text: string;
		try {
			text = decoder.decode(piece, { stream: true });
		} catch {
			const lenient = new TextDecoder(encoding).decode(piece);
			throw notEncoded(line + lineBreaks(lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')))));
		}
		if (strict) line += lineBreaks(text);
		yield text;
	}
	try {
		const rest = decoder.decode();
		if (rest !== '') yield rest;
	} catch {
		throw notEncoded(line);
	}
}

/**
 * Delimited files in the items' binary data (for example a downloaded export), streamed: never
 * held whole. Read three times: the headers, then every row checked, then the rows sent.
 */
export async function filesInput(
	fns: IExecuteFunctions,
	items: INodeExecutionData[],
	settings: InputSettings,
): Promise<ImportInput> {
	const node = fns.getNode();
	const property = fns.getNodeParameter('binaryPropertyName', 0, 'data') as string;
	const delimiterChoice = fns.getNodeParameter('inputDelimiter', 0, 'auto') as string;
	const delimiter: Delimiter | 'auto' = delimiterChoice === 'auto' ? 'auto' : DELIMITERS[delimiterChoice as keyof typeof DELIMITERS];
	const wrongCellCount = fns.getNodeParameter('wrongCellCount', 0, 'stop') as WrongCellCount;
	const encoding = fns.getNodeParameter('inputEncoding', 0, 'utf-8') as string;
	const continueOnFail = fns.continueOnFail();
	const noun = settings.fieldSource.noun;
	const where = (i: number) => `the file in "${property}" of item ${i}`;

	/** Rows of a file whose header is refused (duplicate names), to count them as not submitted. */
	const countDataRows = async (i: number, fileDelimiter: Delimiter): Promise<number> => {
		const reader = new ChunkedDelimitedReader(fileDelimiter, { maxRecordChars: 16 * 1024 * 1024 });
		let rows = 0;
		const count = (records: string[][]) => {
			for (const cells of records) if (cells.some((cell) => cell !== '')) rows++;
		};
		for await (const text of await textOf(i)) count(reader.read(text).records);
		count(reader.end().records);
		// The header is not a data row.
		return Math.max(0, rows - 1);
	};
	const open = async (i: number): Promise<StreamedFile> => streamFileRows(await textOf(i), delimiter);
	const notEncoded = (i: number) => (line: number) =>
		new NodeOperationError(node, `The file in "${property}" of item ${i} is not ${encoding.toUpperCase()} text: line ${line} holds bytes that are not`, {
			itemIndex: i,
			description:
				'Its accented letters would reach Marketo as "�". Set "Input File Encoding" to the file\'s encoding (Excel\'s plain "CSV" on Windows is Windows-1252), or save the file as "CSV UTF-8".',
		});
	const textOf = async (i: number) => decodedText(await fileBytes(fns, i, property), encoding, notEncoded(i));

	const refused: Refusal[] = [];
	const refuseFile = (i: number, problem: { message: string; fix: string }, rows: number) => {
		const message = problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
		if (!continueOnFail) throw new NodeOperationError(node, message, { itemIndex: i, description: problem.fix });
		refused.push({ itemIndex: i, message, fix: problem.fix, wholeItem: true, rows });
	};

	// First reading: the headers, whose union is the upload's columns.
	const headers = new Map<number, string[]>();
	const columnSet = new Set<string>();
	for (let i = 0; i < items.length; i++) {
		const file = await open(i);
		const head = await file.header();
		await file.close();
		const problem = head.problem && fileProblem(head.problem, [], where(i), wrongCellCount, noun);
		if (problem !== undefined) {
			// Its data rows are counted (as not submitted) only when it can be read at all.
			const rows = continueOnFail ? await countDataRows(i, head.delimiter) : 0;
			refuseFile(i, problem, rows);
			continue;
		}
		headers.set(i, head.header);
		for (const name of head.header) columnSet.add(name);
	}
	const converter = await converterFor(fns, [...columnSet], settings, true, (column) => {
		const holder = [...headers.keys()].find((i) => headers.get(i)?.includes(column));
		return { text: `in the header of ${where(holder as number)}`, firstItem: holder };
	});

	// Second reading: every row, its shape and every value, before anything is uploaded.
	const pause = new YieldPoint();
	const collisions = new Collisions();
	const tooLarge = rowSizeCheck(converter.columns, settings.delimiter, settings.maxFileBytes);
	const refusedRows = new Set<string>();
	const rowsOfItem = new Array<number>(items.length).fill(0);
	const skippedRows: SkippedFileRow[] = [];
	const usable: number[] = [];
	let skippedEmptyRows = 0;
	let rowCount = 0;
	for (const [i, header] of headers) {
		const check = await (async () => {
			const file = await open(i);
			await file.header();
			const wrong: WrongCellCountRow[] = [];
			const rowRefusals: Refusal[] = [];
			let good = 0;
			let empty = 0;
			for await (const chunk of file.chunks(ROW_CHUNK)) {
				wrong.push(...chunk.wrongCellCount);
				empty += chunk.skippedEmptyRows;
				for (const row of chunk.rows) {
					const result = converter.convert(keyed(header, row.cells));
					const problem = isRowProblem(result) ? result : rowTooLarge(tooLarge(result));
					if (problem === undefined) good++;
					else if (problem.kind === 'collision') collisions.add(problem, i);
					else rowRefusals.push({ itemIndex: i, line: row.line, field: problem.field, message: problem.message, fix: problem.fix });
					if (pause.due()) await pause.turn();
				}
				if (pause.due()) await pause.turn();
			}
			return { wrong, rowRefusals, good, empty, problem: file.problem() };
		})();
		const rows = check.good + check.rowRefusals.length + check.wrong.length;
		const problem = fileProblem(check.problem, check.wrong, where(i), wrongCellCount, noun);
		if (problem !== undefined) {
			refuseFile(i, problem, rows);
			continue;
		}
		for (const row of check.wrong) {
			skippedRows.push({
				itemIndex: i,
				line: row.line,
				reason: `Line ${row.line} has ${row.found} cells where the header has ${row.expected}`,
				cells: row.firstCells,
			});
		}
		for (const refusal of check.rowRefusals) {
			refused.push(refusal);
			refusedRows.add(`${i}:${refusal.line}`);
		}
		skippedEmptyRows += check.empty;
		rowCount += check.good;
		rowsOfItem[i] = check.good;
		usable.push(i);
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
		// Third reading: the rows, converted, as the file builder asks for them.
		async *rows(batchRows: number) {
			for (const i of usable) {
				const header = headers.get(i) as string[];
				const file = await open(i);
				await file.header();
				let batch: RowBatch = { cells: [], items: [], lines: [] };
				for await (const chunk of file.chunks(ROW_CHUNK)) {
					for (const row of chunk.rows) {
						if (refusedRows.has(`${i}:${row.line}`)) continue;
						batch.cells.push(converter.convert(keyed(header, row.cells)) as string[]);
						batch.items.push(i);
						batch.lines?.push(row.line);
						if (batch.cells.length >= batchRows) {
							yield batch;
							batch = { cells: [], items: [], lines: [] };
						}
					}
				}
				if (batch.cells.length > 0) yield batch;
			}
		},
	};
}

/** File rows read at a time: small enough that a batch's work stays short. */
const ROW_CHUNK = 2_000;
