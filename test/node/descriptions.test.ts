/**
 * Every parameter, option and choice of the node and its credential says, in plain words,
 * what it means and which values are valid: a marketing-ops person reads these in the editor,
 * and an AI agent reads them when the node is its tool.
 */
import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { MarketoApi } from '../../credentials/MarketoApi.credentials';
import { MarketoBulkImport } from '../../nodes/MarketoBulkImport/MarketoBulkImport.node';

interface Described {
	where: string;
	label: string;
	description?: string;
	kind: 'parameter' | 'choice';
}

/** Every property, collection option and dropdown choice, with where it is (resource/operation). */
function walk(properties: readonly INodeProperties[], where: string, out: Described[] = []): Described[] {
	for (const property of properties) {
		const show = property.displayOptions?.show ?? {};
		const context = [show.resource, show.operation].filter(Boolean).map(String).join('/');
		const here = `${where}${context ? ` [${context}]` : ''} ${property.displayName}`;
		// Hidden fields (the stored token) are never shown; a notice's text is its display name.
		if (property.type === 'hidden') continue;
		if (property.type === 'notice') {
			out.push({ where: here, label: property.displayName, description: property.displayName, kind: 'parameter' });
			continue;
		}
		out.push({ where: here, label: property.displayName, description: property.description, kind: 'parameter' });
		if (property.hint !== undefined) out.push({ where: `${here} (hint)`, label: property.displayName, description: property.hint, kind: 'parameter' });
		for (const option of property.options ?? []) {
			if ('displayName' in option && 'type' in option) walk([option], `${here} →`, out);
			else if ('values' in option) walk((option as INodePropertyCollection).values, `${here} →`, out);
			else {
				const choice = option as INodePropertyOptions;
				out.push({ where: `${here} = ${choice.name}`, label: choice.name, description: choice.description, kind: 'choice' });
			}
		}
	}
	return out;
}

const everything = [
	...walk(new MarketoBulkImport().description.properties, 'node'),
	...walk(new MarketoApi().properties, 'credential'),
];

const words = (text: string) =>
	text
		.toLowerCase()
		.replace(/<[^>]+>/g, ' ')
		.replace(/[^a-z0-9]+/g, ' ')
		.trim()
		.split(' ')
		.filter(Boolean);

/** Words that tell nothing about a parameter beyond its name. */
const FILLER = new Set(['the', 'a', 'an', 'to', 'of', 'whether', 'name', 'or', 'id', 'value', 'this', 'field', 'for']);

/** Terms a marketing-ops person may not know, unless the same text explains them. */
const JARGON: Array<{ term: RegExp; explained: RegExp }> = [
	{ term: /\bdedupe\b/i, explained: /dedupe fields?,? (the fields? )?(by )?which marketo/i },
	{ term: /\bFIFO\b/, explained: /$^/ },
	{ term: /\bupsert\b/i, explained: /$^/ },
	{ term: /\b[45]xx\b/i, explained: /$^/ },
	// A Marketo or HTTP error code only after the plain words saying what it means.
	{ term: /\b(?:60\d|61\d|713|10[0-2]\d|50[0-4]|413|414)\b/, explained: /\((?:Marketo )?errors? \d[^)]*\)/i },
	{ term: /\bREST API name\b/i, explained: /REST API name \(the /i },
	{ term: /\bpolling\b|\bpoll\b/i, explained: /$^/ },
];

describe('descriptions', () => {
	it('finds every parameter, option and choice (the walk itself works)', () => {
		expect(everything.length).toBeGreaterThan(100);
		expect(everything.some((d) => d.where.includes('Options → Partition Name or ID'))).toBe(true);
		expect(everything.some((d) => d.kind === 'choice' && d.label === 'Skip and Report')).toBe(true);
		expect(everything.some((d) => d.where.startsWith('credential') && d.label === 'Client Secret')).toBe(true);
	});

	it.each(everything.map((d) => [d.where, d] as const))('%s', (_where, item) => {
		const { description, label } = item;
		expect(typeof description).toBe('string');
		const text = String(description);

		// More than the name: at least a few words that are not the label's own.
		const own = new Set(words(label));
		const news = words(text).filter((word) => !own.has(word) && !FILLER.has(word));
		if (news.length < 3) throw new Error(`"${text}" says little more than "${label}"`);

		for (const { term, explained } of JARGON) {
			if (term.test(text) && !explained.test(text)) throw new Error(`"${text}" uses "${term.source}" without saying what it means`);
		}

		// Sentence style: a capital first, no doubled spaces; one sentence has no final period, several end with one.
		expect(text.charAt(0)).toMatch(/[A-Z"]/);
		expect(text).not.toMatch(/ {2}|\s$/);
		const sentences = text.replace(/<a [^>]*>[^<]*<\/a>/g, 'link').split(/(?<=[.!?])\s+(?=[A-Z"])/);
		if (sentences.length === 1) expect(text).not.toMatch(/\.$/);
		else expect(text).toMatch(/[.)]$/);
	});

	it('a yes/no option starts with "Whether", as n8n asks, so an agent reads it as true or false', () => {
		const booleans: string[] = [];
		const collect = (properties: readonly INodeProperties[]) => {
			for (const property of properties) {
				if (property.type === 'boolean') booleans.push(String(property.description));
				for (const option of property.options ?? []) if ('type' in option) collect([option as INodeProperties]);
			}
		};
		collect(new MarketoBulkImport().description.properties);
		expect(booleans.length).toBeGreaterThanOrEqual(3);
		for (const text of booleans) expect(text).toMatch(/^Whether /);
	});
});
