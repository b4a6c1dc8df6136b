/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console */
import Papa from 'papaparse';

import { parseDelimited, writeDelimited } from '../nodes/MarketoBulkImport/csv';

export interface BenchRow {
	name: string;
	metric: string;
	value: number;
	unit: string;
	target?: string;
	pass?: boolean;
}

const WRITE_ROWS = 200_000;
const PARSE_BYTES = 10 * 1024 * 1024;
const RUNS = 9;
const WARMUP = 2;
/** Parsing 10 MB takes ~0.15 s: more samples for a steadier median at little cost. */
const PARSE_RUNS = 21;

/** With `node --expose-gc`, a full collection before every sample: no run pays for the previous one's garbage. */
const collectGarbage: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Deterministic PRNG (mulberry32) so every run benchmarks the same data. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const list = (names: string): string[] => names.split('|');

const FIRST = list('José|Zoë|Renée|Mário|Björn|Ólafur|Anna|Léa|Łukasz|Amélie|John|Mary|美咲|Ines');
const LAST = list(
	"García|Müller|Dupont|Smith|Nørgaard|Kowalski|Öztürk|O'Brien|Rossi|佐藤|Silva|Brown",
);
const COMPANIES = list(
	'Acme|Globex|Initech|Umbrella|Stark Industries|Wayne Enterprises|Société Générale|Nestlé',
);
const TITLES = list('CEO|CTO|Engineer|Marketing Manager|Sales Director|Analyst|Developer');
const CITIES = list('São Paulo|München|Zürich|Paris|New York|Kraków|Tokyo|Reykjavík');
const COUNTRIES = list('Brazil|Germany|Switzerland|France|USA|Poland|Japan|Iceland');
const HEADER = list(
	'email|firstName|lastName|company|title|phone|city|state|country|leadScore|annualRevenue|comments',
);

/** ~5% of text values get a comma, a quote or a line break, like free-text CRM fields. */
function spice(value: string, random: () => number): string {
	const r = random();
	if (r < 0.02) return value + ', Inc.';
	if (r < 0.035) return 'the "' + value + '"';
	if (r < 0.05) return value + '\nsecond line';
	return value;
}

function pick<T>(list: readonly T[], random: () => number): T {
	return list[Math.floor(random() * list.length)];
}

function makeLead(i: number, random: () => number): string[] {
	const first = pick(FIRST, random);
	const last = pick(LAST, random);
	return [
		`lead${i}@example${i % 97}.com`,
		spice(first, random),
		spice(last, random),
		spice(pick(COMPANIES, random), random),
		spice(pick(TITLES, random), random),
		`+1-555-${String(Math.floor(random() * 10_000)).padStart(4, '0')}`,
		spice(pick(CITIES, random), random),
		String.fromCharCode(65 + Math.floor(random() * 26), 65 + Math.floor(random() * 26)),
		spice(pick(COUNTRIES, random), random),
		String(Math.floor(random() * 1000)),
		(random() * 1e7).toFixed(2),
		spice(`Met ${first} at the ${pick(CITIES, random)} event`, random),
	];
}

export function makeLeadRows(count: number, seed = 1): string[][] {
	const random = prng(seed);
	const rows: string[][] = [];
	for (let i = 0; i < count; i++) rows.push(makeLead(i, random));
	return rows;
}

const REASONS = [
	"Value for required field 'email' not specified",
	'Invalid email address',
	'Lead not found, lookup field: email',
	'Value for field "leadScore" is not a valid integer',
	'Multiple lead match lookup criteria',
	'Field "annualRevenue" out of range, maximum 9999999999',
];

/** Marketo failures file: the import columns plus `Import Failure Reason`, CSV, CRLF. */
export function makeFailuresFile(minBytes: number, seed = 2): string {
	const random = prng(seed);
	const header = [...HEADER.slice(0, 6), 'Import Failure Reason'];
	const rows: string[][] = [];
	let bytes = 0;
	for (let i = 0; bytes < minBytes; i++) {
		const lead = makeLead(i, random).slice(0, 6);
		lead.push(pick(REASONS, random));
		rows.push(lead);
		bytes += Buffer.byteLength(lead.join(','), 'utf8') + 2;
	}
	return writeDelimited(header, rows, ',') + '\r\n';
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Median wall time in ms of each function after warm-up. Runs are interleaved, in a rotating
 * order, so background load and GC debt fall on all contenders alike; with --expose-gc the heap
 * is also collected before each sample. Speed ratios are the median of per-run ratios: the two
 * samples of one run are seconds apart, so a burst of load from other processes (the machine
 * may be shared) moves both and barely moves their ratio.
 */
interface Timings {
	medians: Record<string, number>;
	/** Median over runs of `slower[run] / faster[run]`: both samples of a run are taken back to back. */
	ratio: (numerator: string, denominator: string) => number;
}

function timeAll(fns: Record<string, () => unknown>, runs = RUNS): Timings {
	const names = Object.keys(fns);
	const samples: Record<string, number[]> = {};
	for (const name of names) {
		samples[name] = [];
		for (let i = 0; i < WARMUP; i++) fns[name]();
	}
	for (let run = 0; run < runs; run++) {
		for (let k = 0; k < names.length; k++) {
			const name = names[(run + k) % names.length];
			collectGarbage();
			const start = performance.now();
			fns[name]();
			samples[name].push(performance.now() - start);
		}
	}
	const medians: Record<string, number> = {};
	for (const name of names) medians[name] = median(samples[name]);
	const ratio = (numerator: string, denominator: string) =>
		median(samples[numerator].map((value, run) => value / samples[denominator][run]));
	return { medians, ratio };
}

// V8 returns concatenations as ropes; reading a char flattens them, so deferred work is timed too
function flat(text: string): string {
	text.charCodeAt(0);
	return text;
}

function round(value: number, digits = 1): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

export async function runCsvBench(): Promise<BenchRow[]> {
	const results: BenchRow[] = [];

	// 1. Writing
	const rows = makeLeadRows(WRITE_ROWS);
	const papaInput = [HEADER, ...rows];
	if (
		writeDelimited(HEADER, rows, ',') !==
		Papa.unparse(papaInput, { delimiter: ',', newline: '\r\n' })
	) {
		throw new Error('writeDelimited output differs from Papa.unparse');
	}
	const writes = timeAll({
		ours: () => flat(writeDelimited(HEADER, rows, ',')),
		papa: () => flat(Papa.unparse(papaInput, { delimiter: ',', newline: '\r\n' })),
		join: () => flat(papaInput.map((r) => r.join(',')).join('\r\n')),
	});
	const { ours: oursWrite, papa: papaWrite, join: joinWrite } = writes.medians;
	const writeRatio = writes.ratio('papa', 'ours');
	const write = `write ${WRITE_ROWS.toLocaleString('en-US')}×${HEADER.length}`;
	results.push(
		{ name: `${write} writeDelimited`, metric: 'median time', value: round(oursWrite), unit: 'ms' },
		{ name: `${write} Papa.unparse`, metric: 'median time', value: round(papaWrite), unit: 'ms' },
		{
			name: `${write} plain join (no quoting, ceiling)`,
			metric: 'median time',
			value: round(joinWrite),
			unit: 'ms',
		},
		{
			name: `${write} writeDelimited vs Papa.unparse`,
			metric: 'speed ratio',
			value: round(writeRatio, 2),
			unit: '×',
			target: '≥ 1.5×',
			pass: writeRatio >= 1.5,
		},
	);

	// 2. Parsing
	const failures = makeFailuresFile(PARSE_BYTES);
	const ours = parseDelimited(failures, ',');
	const papa = Papa.parse<string[]>(failures, { delimiter: ',', skipEmptyLines: true }).data;
	if (JSON.stringify(ours) !== JSON.stringify(papa)) {
		throw new Error('parseDelimited output differs from Papa.parse');
	}
	const parses = timeAll({
		ours: () => parseDelimited(failures, ','),
		papa: () => Papa.parse(failures, { delimiter: ',', skipEmptyLines: true }),
	}, PARSE_RUNS);
	const { ours: oursParse, papa: papaParse } = parses.medians;
	const parseRatio = parses.ratio('papa', 'ours');
	const mib = round(Buffer.byteLength(failures, 'utf8') / 1024 / 1024);
	const parse = `parse ${mib} MiB failures file (${ours.length - 1} rows)`;
	results.push(
		{ name: `${parse} parseDelimited`, metric: 'median time', value: round(oursParse), unit: 'ms' },
		{ name: `${parse} Papa.parse`, metric: 'median time', value: round(papaParse), unit: 'ms' },
		{
			name: `${parse} parseDelimited vs Papa.parse`,
			metric: 'speed ratio',
			value: round(parseRatio, 2),
			unit: '×',
			target: '≥ 1.0×',
			pass: parseRatio >= 1.0,
		},
	);
	return results;
}

function printTable(rows: BenchRow[]): void {
	const lines = rows.map((r) => [
		r.name,
		r.metric,
		`${r.value} ${r.unit}`,
		r.target ?? '',
		r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
	]);
	const widths = [0, 1, 2, 3, 4].map((c) =>
		Math.max(
			...lines.map((l) => l[c].length),
			['benchmark', 'metric', 'value', 'target', ''][c].length,
		),
	);
	const format = (l: string[]) =>
		l
			.map((v, c) => v.padEnd(widths[c]))
			.join('  ')
			.trimEnd();
	console.log(format(['benchmark', 'metric', 'value', 'target', '']));
	console.log(widths.map((w) => '-'.repeat(w)).join('  '));
	for (const l of lines) console.log(format(l));
}

if (require.main === module) {
	runCsvBench().then(printTable, (error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
