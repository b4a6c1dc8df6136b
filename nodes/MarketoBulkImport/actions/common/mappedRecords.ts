/**
 * The records of "Map Each Field Below": one per item, each field's value evaluated for that item.
 *
 * n8n evaluates an expression through a data proxy and a fresh Luxon clock, about 0.1 ms each
 * here: six mapped fields over a million items is ten minutes before the first upload. But what
 * n8n's drag and drop writes is nearly always `{{ $json.email }}` (or `{{ $json['first name']
 * }}`): a field of the item's own JSON. When every mapped value is such a read or a fixed value,
 * the values are read straight from the items: a field holding text, a number, a boolean or null
 * is taken as it is, a missing one is undefined, as n8n gives them; an item holding anything else
 * (an object, a list, an inherited name) is evaluated by n8n. n8n evaluates the first item
 * anyway, and the first item read straight is compared with its evaluation: n8n's own checks
 * of an expression (names it refuses for safety, its syntax) and anything it would answer
 * differently then apply to the whole run, which falls back to n8n for every item. Run as an AI
 * agent's tool, `$json` is the agent's item, not the tool's input: n8n evaluates everything.
 * test/node/mappedRecords.workflow.test.ts compares both ways, byte for byte, on random items.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { YieldPoint } from '../../import/yieldPoint';
import { runsAsTool } from './runsAsTool';

/** `={{ $json.name }}`, as n8n writes a dragged field whose name is an identifier. */
const DOT_READ = /^=\{\{\s*\$json\.([A-Za-z_$][\w$]*)\s*\}\}$/;
/** `={{ $json['first name'] }}` or with double quotes, for other names (no escapes inside). */
const BRACKET_READ = /^=\{\{\s*\$json\[\s*(?:'([^'\\\r\n]*)'|"([^"\\\r\n]*)")\s*\]\s*\}\}$/;

type FieldValue = { kind: 'literal'; value: unknown } | { kind: 'read'; name: string };

type Primitive = string | number | boolean | null;

type Plan = Array<[string, FieldValue]>;

/** The record of item `index`. */
export type RecordOf = (index: number) => Readonly<Record<string, unknown>>;

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

/**
 * The records, as a function of the item: read straight from the items each time they are
 * asked for (a million records kept would be a quarter of a gigabyte for the garbage collector
 * to copy about); only those n8n evaluated are kept.
 */
export async function mappedRecords(fns: IExecuteFunctions, items: INodeExecutionData[]): Promise<RecordOf> {
	const node = fns.getNode();
	// The values as the workflow holds them, expressions unevaluated (every n8n version has them here).
	const raw = ((node.parameters.columns as IDataObject | undefined)?.value as IDataObject | null | undefined) ?? {};
	const plan = planOf(raw);
	if (plan === undefined || runsAsTool(node) || items.length === 0) return await evaluatedRecords(fns, items);

	const evaluated = new Map<number, IDataObject>([[0, evaluatedRecord(fns, 0)]]);
	let compared = false;
	// An item n8n evaluates costs all its fields' expressions: the clock is read often.
	const pause = new EvaluationPause(fns);
	for (let i = 0; i < items.length; i++) {
		const readable = readableDirectly(plan, items[i].json);
		if (readable && !compared) {
			compared = true;
			const record = evaluated.get(i) ?? evaluatedRecord(fns, i);
			if (!sameRecord(readDirectly(plan, items[i].json), record)) return await evaluatedRecords(fns, items);
		}
		if (!readable && !evaluated.has(i)) evaluated.set(i, evaluatedRecord(fns, i));
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
	const pause = new EvaluationPause(fns);
	for (let i = 0; i < items.length; i++) {
		records[i] = evaluatedRecord(fns, i);
		if (pause.due()) await pause.turn();
	}
	return (index) => records[index];
}

/**
 * Turns for the event loop while items are evaluated (a tenth of a millisecond or more each,
 * so the clock is read often), and a Stop ends the evaluation there: a million items would
 * otherwise go on for minutes after it.
 */
class EvaluationPause extends YieldPoint {
	private readonly signal: AbortSignal | undefined;

	constructor(private readonly fns: IExecuteFunctions) {
		super(15, 16);
		this.signal = fns.getExecutionCancelSignal?.();
	}

	async turn(): Promise<void> {
		await super.turn();
		if (this.signal?.aborted) {
			throw new NodeOperationError(this.fns.getNode(), 'The execution was cancelled while the mapped fields were being evaluated', {
				description: 'Nothing was sent to Marketo.',
			});
		}
	}
}

function evaluatedRecord(fns: IExecuteFunctions, item: number): IDataObject {
	return (fns.getNodeParameter('columns.value', item, {}, { skipValidation: true }) as IDataObject | null) ?? {};
}

/** How each field is filled, when every one is a read or a fixed value. */
function planOf(raw: IDataObject): Plan | undefined {
	const plan: Plan = [];
	for (const [field, value] of Object.entries(raw)) {
		const how = fieldValueOf(value);
		if (how === undefined) return undefined;
		plan.push([field, how]);
	}
	return plan;
}

/**
 * Whether every read field of the item is its own property holding text, a number, a boolean
 * or null, or is not there at all (n8n reads undefined; an inherited name is n8n's to answer).
 */
function readableDirectly(plan: Plan, json: IDataObject): boolean {
	for (const [, value] of plan) {
		if (value.kind !== 'read') continue;
		if (hasOwn(json, value.name) ? !isPrimitive(json[value.name]) : value.name in json) return false;
	}
	return true;
}

/** The record read straight from the item (readableDirectly said it can be). */
function readDirectly(plan: Plan, json: IDataObject): IDataObject {
	const record: IDataObject = {};
	for (const [field, value] of plan) {
		record[field] = value.kind === 'literal' ? (value.value as Primitive) : hasOwn(json, value.name) ? json[value.name] : undefined;
	}
	return record;
}

function sameRecord(read: IDataObject, evaluated: IDataObject): boolean {
	const keys = Object.keys(read);
	if (keys.length !== Object.keys(evaluated).length) return false;
	return keys.every((key) => hasOwn(evaluated, key) && Object.is(read[key], evaluated[key]));
}
