import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** A static list's address in the Marketo UI: `https://app-xx.marketo.com/#ST1234A1`. */
const LIST_URL = /#ST(\d+)/i;

export const staticListField: INodeProperties = {
	displayName: 'Static List',
	name: 'listId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	description: 'A Marketo static list to add every imported lead to; leave the option out to add them to no list',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchStaticLists', searchable: true, searchFilterRequired: false },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '1234',
			validation: [{ type: 'regex', properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'A list ID is a number' } }],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://app-ab12.marketo.com/#ST1234A1',
			validation: [
				{ type: 'regex', properties: { regex: '.*#ST\\d+.*', errorMessage: 'Paste the list\'s URL from Marketo, like https://app-ab12.marketo.com/#ST1234A1' } },
			],
			extractValue: { type: 'regex', regex: '#ST(\\d+)' },
		},
	],
};

/** The list ID from whatever the user gave: a picked list, an ID, a URL, or a plain value. */
export function readStaticListId(fns: IExecuteFunctions, raw: unknown): string | undefined {
	let value = raw;
	let mode = 'id';
	if (raw !== null && typeof raw === 'object' && '__rl' in raw) {
		const locator = raw as { mode?: string; value?: unknown };
		mode = locator.mode ?? 'id';
		value = locator.value;
	}
	const text = String(value ?? '').trim();
	if (text === '') return undefined;
	const fromUrl = LIST_URL.exec(text);
	if (mode === 'url' || fromUrl) {
		if (!fromUrl) {
			throw new NodeOperationError(fns.getNode(), `"${text}" is not a Marketo static list URL`, {
				description: 'Open the list in Marketo and copy its address; it contains "#ST" followed by the list ID.',
			});
		}
		return fromUrl[1];
	}
	if (!/^\d+$/.test(text)) {
		throw new NodeOperationError(fns.getNode(), `"${text}" is not a static list ID`, {
			description: 'A static list ID is a number. Pick the list from the list, or paste its URL.',
		});
	}
	return text;
}
