/**
 * Input item indexes in words, for messages: de-duplicated, sorted, runs written as ranges,
 * and capped so that a message stays readable even when a million rows are named.
 * `item 3`, `items 3–9 and 12`, `items 0–4, 7, 9–12 and 4,211 more`.
 */

/** Ranges (or single items) shown before the rest is summed up as "and N more". */
const MAX_RANGES = 8;

function count(n: number): string {
	return n.toLocaleString('en-US');
}

/** Sorted distinct runs of consecutive indexes. */
function runs(indexes: Iterable<number>): Array<[number, number]> {
	const sorted = Int32Array.from(new Set(indexes)).sort();
	const result: Array<[number, number]> = [];
	for (let i = 0; i < sorted.length; i++) {
		const start = sorted[i];
		while (i + 1 < sorted.length && sorted[i + 1] === sorted[i] + 1) i++;
		result.push([start, sorted[i]]);
	}
	return result;
}

/** `item 3` / `items 3–9, 12 and 40 more`; empty string for no items. */
export function describeItems(indexes: Iterable<number>, maxRanges = MAX_RANGES): string {
	return describeNumbers(indexes, 'item', 'items', maxRanges);
}

/** `line 7` / `lines 3–9 and 12`: the same, for file line numbers. */
export function describeLines(lines: Iterable<number>, maxRanges = MAX_RANGES): string {
	return describeNumbers(lines, 'line', 'lines', maxRanges);
}

/** `batch 1001` / `batches 1001–1009 and 1012`: batch ids, compactly. */
export function describeBatches(batchIds: Iterable<number>, maxRanges = MAX_RANGES): string {
	return describeNumbers(batchIds, 'batch', 'batches', maxRanges);
}

function describeNumbers(indexes: Iterable<number>, singular: string, plural: string, maxRanges: number): string {
	const all = runs(indexes);
	if (all.length === 0) return '';
	const shown = all.slice(0, maxRanges);
	const parts = shown.map(([start, end]) => (start === end ? String(start) : `${start}–${end}`));
	const hidden = all.slice(maxRanges).reduce((sum, [start, end]) => sum + end - start + 1, 0);
	const single = all.length === 1 && all[0][0] === all[0][1];
	const noun = single ? singular : plural;
	if (hidden > 0) return `${noun} ${parts.join(', ')} and ${count(hidden)} more`;
	if (parts.length === 1) return `${noun} ${parts[0]}`;
	return `${noun} ${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** Cuts a value for a message: long cell values would drown the message. */
export function quoteForMessage(value: string, max = 40): string {
	const flat = value.replace(/\r\n|\r|\n/g, '↵');
	return `"${flat.length > max ? `${flat.slice(0, max)}…` : flat}"`;
}
