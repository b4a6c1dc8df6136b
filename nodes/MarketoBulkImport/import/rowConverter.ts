/**
 * One input record (an item's fields, or a file row keyed by its header) → the cells of one
 * row of the upload file, converted by each Marketo field's type. Pure and deterministic, so
 * the import can check every record before the first upload and convert them again, file by
 * file, while Marketo imports, without keeping the rows in between.
 */
import type { FieldInfo } from './fieldTypes';
import { convertForField, isConvertedType, resolveColumns } from './fieldTypes';
import { quoteForMessage } from './itemList';
import { cellText, describeUnsupported } from './cells';

export type UnknownColumns = 'error' | 'drop' | 'send';

/** Why a record cannot become a row. */
export type RowProblem =
	| { kind: 'refused'; field?: string; message: string; fix?: string }
	/** Two input fields of the record feed one Marketo field: only one value could be sent. */
	| { kind: 'collision'; columns: [string, string]; field: string };

export interface ConverterOptions {
	/** Writable Marketo fields; undefined sends the input columns as they are (no check, no conversion). */
	fields?: readonly FieldInfo[];
	/** Map Automatically: match display names and REST names ignoring case. */
	loose: boolean;
	/** The workflow's time zone, for date-times without an offset. */
	timeZone: string;
	/** "lead", "custom object"…: for messages. */
	noun: string;
	/** Unknown Columns = Drop: values of columns that are not fields are ignored, whatever they hold. */
	dropUnknown?: boolean;
}

const NESTED_FIX =
	'Marketo fields hold text, numbers, booleans and dates. Flatten the value first (for example with an Edit Fields node), or remove the field.';

export class RowConverter {
	/** The upload file's header: Marketo REST names (or the input names when sent as they are). */
	readonly columns: string[];

	/** Input columns that are not writable Marketo fields (left out of the file). */
	readonly unknown: Array<{ column: string; suggestions: string[] }>;

	/** `plain`: a text field (or no check at all), where a string value is the cell as it is. */
	private readonly targetOf = new Map<string, { position: number; dataType?: string; field: string; plain: boolean }>();

	constructor(
		inputColumns: readonly string[],
		private readonly options: ConverterOptions,
	) {
		if (options.fields === undefined) {
			this.columns = [...inputColumns];
			this.unknown = [];
			inputColumns.forEach((column, position) => this.targetOf.set(column, { position, field: column, plain: true }));
			return;
		}
		const { fieldOf, unknown } = resolveColumns(inputColumns, options.fields, options.loose);
		this.unknown = unknown;
		const positionOf = new Map<string, number>();
		this.columns = [];
		for (const column of inputColumns) {
			const field = fieldOf.get(column);
			if (field === undefined) continue;
			let position = positionOf.get(field.name);
			if (position === undefined) {
				position = this.columns.length;
				positionOf.set(field.name, position);
				this.columns.push(field.name);
			}
			this.targetOf.set(column, { position, dataType: field.dataType, field: field.name, plain: !isConvertedType(field.dataType) });
		}
	}

	/** The record's cells in `columns` order, or why it cannot be sent. */
	convert(record: Readonly<Record<string, unknown>>): string[] | RowProblem {
		const cells = new Array<string>(this.columns.length).fill('');
		const filledBy = new Array<string | undefined>(this.columns.length);
		let empty = true;
		let problem: RowProblem | undefined;
		for (const column in record) {
			const value = record[column];
			const target = this.targetOf.get(column);
			// Most cells of a large import: text for a text field, taken as it is (the check of a
			// million records is on the way to the first upload).
			if (typeof value === 'string' && target?.plain === true) {
				const earlier = filledBy[target.position];
				if (earlier !== undefined) return { kind: 'collision', columns: [earlier, column], field: target.field };
				filledBy[target.position] = column;
				if (value !== '') empty = false;
				cells[target.position] = value;
				continue;
			}
			if (target === undefined && this.options.dropUnknown) continue;
			// Objects and lists have no place in a file.
			const unsupported = describeUnsupported(value);
			if (unsupported !== undefined) {
				problem ??= {
					kind: 'refused',
					field: column,
					message: `field ${quoteForMessage(column)} holds ${unsupported}, which Marketo cannot store in a ${this.options.noun} field`,
					fix: NESTED_FIX,
				};
				continue;
			}
			if (target === undefined) continue;
			const earlier = filledBy[target.position];
			if (earlier !== undefined) return { kind: 'collision', columns: [earlier, column], field: target.field };
			filledBy[target.position] = column;
			if (problem !== undefined) continue;
			let text: string;
			if (target.dataType === undefined) {
				text = cellText(value);
			} else {
				const conversion = convertForField(value, target.dataType, this.options.timeZone);
				if ('problem' in conversion) {
					problem = {
						kind: 'refused',
						field: column,
						message: `field ${quoteForMessage(column)} has the value ${quoteForMessage(String(value))}, which ${conversion.problem} as Marketo's ${target.dataType} field ${target.field} needs`,
						fix: `Correct the value (for example with an expression), map another field to ${target.field}, or leave it empty.`,
					};
					continue;
				}
				text = conversion.text;
			}
			if (text !== '') empty = false;
			cells[target.position] = text;
		}
		if (problem !== undefined) return problem;
		// A row of empty cells would be a blank line, which Marketo skips without a word.
		if (empty) {
			return {
				kind: 'refused',
				message: 'no values to import',
				fix: 'Remove empty items before this node (for example with a Filter node), or give them a lookup value.',
			};
		}
		return cells;
	}
}

export function isRowProblem(result: string[] | RowProblem): result is RowProblem {
	return !Array.isArray(result);
}
