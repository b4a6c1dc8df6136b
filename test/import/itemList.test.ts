/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import fc from 'fast-check';

import { describeItems, quoteForMessage } from '../../nodes/MarketoBulkImport/import/itemList';

describe('describeItems', () => {
	it('names one item, ranges and lists', () => {
		expect(describeItems([3])).toBe('item 3');
		expect(describeItems([4, 3])).toBe('items 3–4');
		expect(describeItems([9, 3, 4, 5, 6, 7, 8, 12, 3])).toBe('items 3–9 and 12');
		expect(describeItems([1, 5, 9])).toBe('items 1, 5 and 9');
		expect(describeItems([])).toBe('');
	});

	it('caps the list and counts the rest with thousands separators', () => {
		const indexes = [0, 1, 2, 4, 6, 8, 10, 12, 14, 16, ...Array.from({ length: 4211 }, (_, i) => 100 + 2 * i)];
		const text = describeItems(indexes);
		expect(text.startsWith('items 0–2, 4, 6, 8, 10, 12, 14, 16 and ')).toBe(true);
		expect(text).toBe('items 0–2, 4, 6, 8, 10, 12, 14, 16 and 4,211 more');
	});

	it('stays short for a million scattered items', () => {
		const indexes = Array.from({ length: 1_000_000 }, (_, i) => i * 3);
		const text = describeItems(indexes);
		expect(text.length).toBeLessThan(120);
		expect(text).toMatch(/and 999,992 more$/);
	});

	it('every item is either shown or counted, once (property)', () => {
		const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
		fc.assert(
			fc.property(fc.array(fc.nat({ max: 200 }), { maxLength: 300 }), (indexes) => {
				const text = describeItems(indexes);
				const distinct = new Set(indexes);
				if (distinct.size === 0) return text === '';
				const body = text.replace(/^items? /, '');
				const more = /and ([\d,]+) more$/.exec(body);
				const listed = (more ? body.slice(0, more.index) : body).replace(/ and /, ', ').split(', ').filter(Boolean);
				let shown = 0;
				for (const part of listed) {
					const [a, b] = part.split('–').map(Number);
					shown += b === undefined ? 1 : b - a + 1;
					for (let i = a; i <= (b ?? a); i++) if (!distinct.has(i)) return false;
				}
				return shown + (more ? Number(more[1].replace(/,/g, '')) : 0) === distinct.size;
			}),
			{ seed, numRuns: 300 },
		);
	});
});

it('quoteForMessage cuts long values and shows line breaks', () => {
	expect(quoteForMessage('a\r\nb')).toBe('"a↵b"');
	expect(quoteForMessage('x'.repeat(100))).toBe(`"${'x'.repeat(40)}…"`);
});
