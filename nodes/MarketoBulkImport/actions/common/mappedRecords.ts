/**
 * The records of "Map Each Field Below": one per item, each field's value evaluated for that item.
 *
 * n8n evaluates an expression through a data proxy and a fresh Luxon clock: about 0.15 ms each,
 * so six mapped fields over a million items is a quarter of an hour before the first upload. But
 * what n8n's drag and drop writes is nearly always `{{ $json.email }}` (or `{{ $json['first
 * name'] }}`): a field of the item's own JSON. Such a value is read straight from the item when
 * it is plain text, a number, a boolean or null, exactly what n8n would return for it; for
 * anything else (an object, a missing field, any other expression) n8n evaluates the item.
 * test/node/mappedRecords.workflow.test.ts compares both ways, byte for byte, on random items.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { YieldPoint } from '../../import/yieldPoint';

/** `={{ $json.name }}`, as n8n writes a dragged field whose name is an identifier. */
const DOT_READ = /^=\{\{\s*\$json\.([A-Za-z_$][\w$]*)\s*\}\}$/;
/** `={{ $json['first name'] }}` or with double quotes, for other names (no escapes inside). */
const BRACKET_READ = /^=\{\{\s*\$json\[\s*(?:'([^'\\\r\n]*)'|"([^"\\\r\n]*)")\s*\]\s*\}\}$/;

type FieldValue = { kind: 'literal'; value: unknown } | { kind: 'read'; name: string };

type Primitive = string | number | boolean | null;

/** What a mapped field's raw value does: a fixed value, a read of one JSON field, or undefined (anything else). */
export function fieldValueOf(raw: unknown): FieldValue | undefined {
	if (typeof raw !== 'string') return isPrimitive(raw) ? { kind: 'literal', value: raw } : undefined;
	if (!raw.startsWith('=')) return { kind: 'literal', value: raw };
	const dot = DOT_READ.exec(raw);
	if (dot) return { kind: 'read', name: dot[1] };
	const bracket = BRACKET_READ.exec(raw);
	if (bracket) return { kind: 'read', name: bracket[1] ?? bracket[2] };
	return undefined;
}

function isPrimitive(value: unknown): value is Primitive {
	return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** The record of item `index`. */
export type RecordOf = (index: number) => Readonly<Record<string, unknown>>;

/**
 * The records, as a function of the item: read straight from the items each time they are
 * asked for (a million records kept would be a quarter of a gigabyte for the garbage collector
 * to copy about); only those n8n evaluated are kept.
 */
export async function mappedRecords(fns: IExecuteFunctions, items: INodeExecutionData[]): Promise<RecordOf> {
	// The values as the workflow holds them, expressions unevaluated (every n8n version has them here).
	const columns = fns.getNode().parameters.columns as IDataObject | undefined;
	const raw = (columns?.value as IDataObject | null | undefined) ?? {};
	const plan: Array<[string, FieldValue | undefined]> = Object.entries(raw).map(([field, value]) => [field, fieldValueOf(value)]);
	if (!plan.every((entry): entry is [string, FieldValue] => entry[1] !== undefined)) return await evaluatedRecords(fns, items);

	const evaluated = new Map<number, IDataObject>();
	const pause = new YieldPoint();
	for (let i = 0; i < items.length; i++) {
		if (!readableDirectly(plan, items[i].json)) evaluated.set(i, evaluatedRecord(fns, i));
		if (pause.due()) await pause.turn();
	}
	fns.logger.debug(
		`Marketo Bulk Import: mapped fields read straight from ${items.length - evaluated.size} of ${items.length} items (the others evaluated by n8n)`,
	);
	return (index) => evaluated.get(index) ?? readDirectly(plan, items[index].json);
}

/** Every item's record as n8n evaluates it. */
export async function evaluatedRecords(fns: IExecuteFunctions, items: INodeExecutionData[]): Promise<RecordOf> {
	const records: IDataObject[] = new Array(items.length);
	// Tens of microseconds an item: the clock is read more often than for cheap steps.
	const pause = new YieldPoint(15, 16);
	for (let i = 0; i < items.length; i++) {
		records[i] = evaluatedRecord(fns, i);
		if (pause.due()) await pause.turn();
	}
	return (index) => records[index];
}

function evaluatedRecord(fns: IExecuteFunctions, item: number): IDataObject {
	return (fns.getNodeParameter('columns.value', item, {}, { skipValidation: true }) as IDataObject | null) ?? {};
}

/** Whether every read field of the item is its own property holding text, a number, a boolean or null. */
function readableDirectly(plan: Array<[string, FieldValue]>, json: IDataObject): boolean {
	for (const [, value] of plan) {
		if (value.kind === 'read' && !(hasOwn(json, value.name) && isPrimitive(json[value.name]))) return false;
	}
	return true;
}

/** The record read straight from the item (readableDirectly said it can be). */
function readDirectly(plan: Array<[string, FieldValue]>, json: IDataObject): IDataObject {
	const record: IDataObject = {};
	for (const [field, value] of plan) record[field] = value.kind === 'literal' ? (value.value as Primitive) : json[value.name];
	return record;
}
