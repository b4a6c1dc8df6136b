/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * Shared by the property suites: run settings (seed, number of runs), reading Import's output
 * (batch items, totals, paired items) and reading the item indexes an error message names.
 */
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

export interface PropertyRunSettings {
	seed: number;
	numRuns: number;
	/** Stop drawing new cases (and shrinking) after this long, in ms. */
	timeLimitMs: number;
	/** Jest timeout for the test running the property. */
	jestTimeoutMs: number;
}

/**
 * Seed from FC_SEED (to replay a failure), else random; runs from FC_RUNS (npm run test:fuzz
 * sets thousands), else `defaultRuns`. The seed is in the test name and in fast-check's
 * failure report.
 */
export function propertyRunSettings(defaultRuns: number, defaultTimeLimitMs: number): PropertyRunSettings {
	const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
	if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, not "${process.env.FC_SEED}"`);
	const numRuns = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : defaultRuns;
	if (!(Number.isInteger(numRuns) && numRuns > 0)) throw new Error(`FC_RUNS must be a positive integer, not "${process.env.FC_RUNS}"`);
	// Fuzzing may take its time: about 1.5 s a run at most, on top of the default budget.
	const timeLimitMs = process.env.FC_RUNS !== undefined ? defaultTimeLimitMs + numRuns * 1500 : defaultTimeLimitMs;
	return { seed, numRuns, timeLimitMs, jestTimeoutMs: timeLimitMs + 60_000 };
}

/**
 * fast-check's options for these settings: stop drawing cases at the time limit (a pass on
 * fewer runs, said in the log), and stop shrinking then too (the smallest case so far is
 * reported; FC_SEED and the printed path resume it).
 */
export function assertOptions<T>(settings: PropertyRunSettings): fc.Parameters<T> {
	return {
		seed: settings.seed,
		numRuns: settings.numRuns,
		skipAllAfterTimeLimit: settings.timeLimitMs,
		plugins: [fc.interruptAfterTimeLimit(settings.timeLimitMs)],
	};
}

export interface Totals {
	items: number;
	imported: number;
	importedWithWarning: number;
	failed: number;
	notSubmitted: number;
	pending: number;
	outcomeUnknown: number;
}

export const OUTCOMES = ['imported', 'importedWithWarning', 'failed', 'notSubmitted', 'pending', 'outcomeUnknown'] as const;

export interface BatchRows {
	imported: number;
	importedWithWarning: number;
	failed: number;
	outcomeUnknown: number;
	pending: number;
}

export interface BatchJson {
	batchId: number;
	status: string;
	numOfLeadsProcessed?: number;
	numOfRowsFailed?: number;
	numOfRowsWithWarning?: number;
	message?: string;
	file: { number: number; of: number; rows: number; bytes: number; skippedEmptyRows?: number };
	rows: BatchRows;
	totals: Totals;
	timedOut?: boolean;
}

/** One item per accepted batch: the items with Marketo's batch id and the `file` they came from. */
export function batchItems(output: INodeExecutionData[]): Array<{ item: INodeExecutionData; json: BatchJson }> {
	return output
		.filter((item) => typeof item.json.batchId === 'number' && typeof item.json.file === 'object' && item.json.file !== null && item.json.error === undefined)
		.map((item) => ({ item, json: item.json as unknown as BatchJson }));
}

/** The item Continue On Fail adds when a run stops early. */
export function errorItems(output: INodeExecutionData[]): IDataObject[] {
	return output.filter((item) => item.json.error !== undefined).map((item) => item.json);
}

/** Input item indexes an output item is paired with. */
export function pairedIndexes(item: INodeExecutionData): number[] {
	const paired = item.pairedItem;
	if (paired === undefined) return [];
	const list: Array<IPairedItemData | number> = Array.isArray(paired) ? paired : [paired];
	return list.map((entry) => (typeof entry === 'number' ? entry : entry.item));
}

export function sumOutcomes(totals: Totals): number {
	return OUTCOMES.reduce((sum, outcome) => sum + Number(totals[outcome] ?? NaN), 0);
}

/**
 * Item indexes named in a message written the way n8n shows them: `item 3`, `Item 3`,
 * `items 3–9, 12 and 4,211 more` (the count before "more" is not an index).
 */
export function mentionedItems(text: string): Set<number> {
	const found = new Set<number>();
	const number = String.raw`(\d{1,3}(?:,\d{3})+|\d+)`;
	const token = new RegExp(String.raw`^\s*${number}(?:\s*[–-]\s*${number})?`);
	const separator = /^\s*(?:,|and|&)\s*/;
	for (const match of text.matchAll(/\bitems?\b/gi)) {
		let rest = text.slice((match.index ?? 0) + match[0].length);
		for (;;) {
			const m = token.exec(rest);
			if (m === null) break;
			const after = rest.slice(m[0].length);
			if (/^\s*more\b/i.test(after)) break;
			const from = Number(m[1].replace(/,/g, ''));
			const to = m[2] === undefined ? from : Number(m[2].replace(/,/g, ''));
			for (let i = from; i <= to && i - from < 100_000; i++) found.add(i);
			const sep = separator.exec(after);
			if (sep === null) break;
			rest = after.slice(sep[0].length);
		}
	}
	return found;
}

/** An error's message and description, for checks that accept either. */
export function errorText(error: (Error & { description?: unknown }) | undefined): string {
	if (error === undefined) return '';
	return `${error.message}\n${typeof error.description === 'string' ? error.description : ''}`;
}

/** Printable form of a case's values for failure reports (Luxon DateTime and Date included). */
export function printable(value: unknown): string {
	return JSON.stringify(
		value,
		function (this: unknown, key: string, v: unknown) {
			const original = (this as Record<string, unknown>)[key];
			if (original instanceof Date) return `Date(${original.toISOString()})`;
			if (original && typeof original === 'object' && (original as { isLuxonDateTime?: boolean }).isLuxonDateTime) {
				const dt = original as { toISO: () => string; zoneName: string };
				return `DateTime(${dt.toISO()} ${dt.zoneName})`;
			}
			return v;
		},
		1,
	);
}

// ── Findings ─────────────────────────────────────────────────────────────────────────

interface SurveyEntry {
	count: number;
	example: string;
}

const survey = new Map<string, SurveyEntry>();

/**
 * The failed checks of one case. Normally they fail the property together (fast-check then
 * shrinks the case); with FC_SURVEY=1 they are only counted by kind, so one run lists every
 * kind of failure with its smallest example instead of stopping at the first.
 */
export class Findings {
	/** Whether any case of this test file had findings (a short run is then no surprise). */
	static seenAny = false;

	readonly list: string[] = [];

	check(ok: boolean, what: string): void {
		if (!ok) this.list.push(what);
	}

	throwIfAny(context: string): void {
		if (this.list.length === 0) return;
		Findings.seenAny = true;
		const report = `${this.list.map((f) => `- ${f}`).join('\n')}\n${context}`;
		if (!process.env.FC_SURVEY) throw new Error(report);
		for (const finding of new Set(this.list.map(kindOf))) {
			const entry = survey.get(finding) ?? { count: 0, example: report };
			entry.count++;
			if (report.length < entry.example.length) entry.example = report;
			survey.set(finding, entry);
		}
	}
}

/** A finding without its particulars: numbers, quoted values and long tails removed. */
function kindOf(finding: string): string {
	return finding
		.replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
		.replace(/\d+/g, 'N')
		.slice(0, 110);
}

/** With FC_SURVEY=1: every kind of finding, most frequent first, with its smallest example. */
export function printSurvey(): void {
	if (!process.env.FC_SURVEY) return;
	const lines = [...survey.entries()]
		.sort((a, b) => b[1].count - a[1].count)
		.map(([finding, entry]) => `${entry.count}× ${finding}\n   smallest example:\n${entry.example.replace(/^/gm, '      ')}`);
	process.stdout.write(`FC_SURVEY: ${survey.size} kinds of finding\n${lines.join('\n')}\n`);
	survey.clear();
}
