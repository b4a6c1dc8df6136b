/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * The benchmark's input, deterministic: leads as items (what a CRM node outputs) and a wide CSV
 * export of a given size (what a Read Binary File node hands on), generated as a stream.
 */
import { Readable } from 'stream';

import type { IDataObject } from 'n8n-workflow';

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
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
const FIRST = list(
	'James|Mary|José|Zoë|Renée|Björn|Łukasz|Amélie|Chen|Aisha|Olga|Mohammed|Sofia|Liam|Hana|Noah|Priya|Mateo',
);
const LAST = list(
	"Smith|García|Müller|Dupont|O'Brien|Kowalski|Nguyễn|Rossi|Öztürk|Johnson|Silva|Tanaka|Patel|Brown|Novák",
);
const ASCII_LAST = LAST.map((name) =>
	name
		.normalize('NFD')
		.replace(/[^A-Za-z]/g, '')
		.toLowerCase(),
);
const COMPANIES = list(
	'Acme Corp|Globex|Initech|Umbrella, Inc.|Stark Industries|Wayne Enterprises|Société Générale|Nestlé|Hooli|Vandelay Industries|"Big Kahuna" Burger|Cyberdyne Systems',
);
const DOMAINS = COMPANIES.map(
	(company) => company.toLowerCase().replace(/[^a-z]/g, '').slice(0, 12) + '.example.com',
);
const TITLES = list(
	'CEO|CTO|VP Sales|Marketing Manager|Sales Director|Data Analyst|Software Engineer|Head of Growth|Account Executive|Procurement Lead',
);
const LONG_TITLES = list(
	'Senior Vice President, Global Marketing Operations & Demand Generation|Director of Revenue Operations (EMEA, APAC)|' +
		'Head of Procurement — Indirect Spend, Facilities and IT|Principal Data Engineer, Customer Analytics Platform',
);
/**
 * Leads as a CRM or spreadsheet node would output them: unique emails, non-ASCII names, a few
 * companies with commas or quotes (so some cells need CSV quoting), integer lead scores.
 */
export function makeImportLeads(count: number, seed = 7): IDataObject[] {
	const random = prng(seed);
	const leads: IDataObject[] = new Array(count);
	for (let i = 0; i < count; i++) {
		const first = Math.floor(random() * FIRST.length);
		const last = Math.floor(random() * LAST.length);
		const company = Math.floor(random() * COMPANIES.length);
		leads[i] = {
			email: `${ASCII_LAST[last]}.${i}@${DOMAINS[company]}`,
			firstName: FIRST[first],
			lastName: LAST[last],
			company: COMPANIES[company],
			title: TITLES[Math.floor(random() * TITLES.length)],
			leadScore: Math.floor(random() * 100),
		};
	}
	return leads;
}

// ---------------------------------------------------------------------------- wide CSV export

/** A CRM export's columns: Marketo REST names, so the file maps without renaming. */
export const EXPORT_COLUMNS = list(
	'email|firstName|lastName|company|title|phone|website|city|state|country|postalCode|annualRevenue|numberOfEmployees|' +
		'leadScore|externalCompanyId|externalSalesPersonId|customEmail|cookies|customText',
);

const CITIES = list('São Paulo|München|Zürich|Paris|New York|Kraków|Tokyo|Reykjavík|Austin|Lyon|Porto|Dublin');
const STATES = list('CA|NY|TX|WA|IL|MA|CO|GA|BY|IDF|ZH|SP');
const COUNTRIES = list('Brazil|Germany|Switzerland|France|USA|Poland|Japan|Iceland|Ireland|Portugal');
const WORDS = list(
	'met|at|the|spring|trade|show|asked|for|pricing|on|enterprise|plan|follow|up|next|quarter|budget|approved|' +
		'renewal|pending|legal|review|champion|left|company|interested|in|webinar|series|requested|demo|integration|' +
		'with|their|CRM|évaluation|prévue|Zusammenarbeit|geplant|décision|en|cours',
);

function csvCell(value: string): string {
	return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Free text up to `max` characters, with commas and now and then a quoted phrase (so quoting is needed). */
function notes(random: () => number, max: number): string {
	let text = '';
	for (;;) {
		const word = WORDS[Math.floor(random() * WORDS.length)];
		const r = random();
		const piece = r < 0.08 ? `"${word}"` : r < 0.2 ? `${word},` : word;
		if (text.length + piece.length + 1 > max) return text;
		text = text ? `${text} ${piece}` : piece;
	}
}

/** One row of the export (about 880 bytes): every string within its Marketo field's length. */
function exportRow(i: number, random: () => number): string {
	const first = Math.floor(random() * FIRST.length);
	const last = Math.floor(random() * LAST.length);
	const company = Math.floor(random() * COMPANIES.length);
	const city = Math.floor(random() * CITIES.length);
	const id = (n: number) => Math.floor(random() * n).toString(16).padStart(8, '0');
	const cookieToken = `_mch-${DOMAINS[company]}-${1_700_000_000_000 + i}-${Math.floor(random() * 1e5)}`;
	return [
		`${ASCII_LAST[last]}.${i}@${DOMAINS[company]}`,
		FIRST[first],
		LAST[last],
		COMPANIES[company],
		LONG_TITLES[Math.floor(random() * LONG_TITLES.length)],
		`+1-555-${String(Math.floor(random() * 10_000)).padStart(4, '0')}`,
		`https://www.${DOMAINS[company]}/contact`,
		CITIES[city],
		STATES[city],
		COUNTRIES[Math.floor(random() * COUNTRIES.length)],
		String(10_000 + Math.floor(random() * 89_999)),
		(random() * 1e8).toFixed(2),
		String(Math.floor(random() * 50_000)),
		String(Math.floor(random() * 100)),
		`${id(2 ** 32)}-${id(2 ** 16).slice(4)}-${id(2 ** 16).slice(4)}-${id(2 ** 32)}`,
		`005${id(2 ** 32)}${id(2 ** 32)}`.slice(0, 18),
		`${FIRST[first].toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${ASCII_LAST[last]}@personal-mail.example.org`,
		`id:123-ABC-456&token:${cookieToken}; visits=${Math.floor(random() * 900)}; ` +
			`source=${notes(random, 60).replace(/[^a-zA-Z ]/g, '').replace(/ /g, '+')}; ${notes(random, 90).replace(/[",]/g, '')}`.slice(0, 250),
		notes(random, 250),
	]
		.map(csvCell)
		.join(',');
}

export interface ExportSpec {
	/** Stop at the first row end at or past this many bytes. */
	bytes: number;
	seed: number;
}

/**
 * The export as a byte stream (CRLF line ends, as spreadsheets write them), made on the fly so
 * the 1 GB file never exists in memory. `done` receives the data row count once it has ended.
 */
export function exportStream(spec: ExportSpec, done: (rows: number, bytes: number) => void): Readable {
	const random = prng(spec.seed);
	const CHUNK = 1024 * 1024;
	let written = 0;
	let rows = 0;
	let headerSent = false;
	function* chunks(): Generator<Buffer> {
		while (written < spec.bytes) {
			const lines: string[] = [];
			let size = 0;
			if (!headerSent) {
				lines.push(EXPORT_COLUMNS.join(','));
				headerSent = true;
			}
			while (size < CHUNK && written + size < spec.bytes) {
				const line = exportRow(rows++, random);
				lines.push(line);
				size += line.length + 2;
			}
			const buffer = Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
			written += buffer.length;
			yield buffer;
		}
		done(rows, written);
	}
	return Readable.from(chunks(), { objectMode: false });
}
