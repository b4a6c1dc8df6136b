/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import fc from 'fast-check';

import { parseDelimited, parseDelimitedInPieces } from '../../nodes/MarketoBulkImport/csv';
import { cell, delimiter } from './arbitraries';

/** Seeded; fast-check prints the seed and path of a failing run. Set FC_SEED to replay. */
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

describe('parseDelimitedInPieces', () => {
	test('the records parseDelimited reads from the whole text, whatever the piece size (property-based)', async () => {
		const text = fc.array(fc.oneof(cell, fc.constantFrom(',', ';', '\t', '\r\n', '\n', '\r', '"', '""', 'é', '😀')), { maxLength: 40 }).map((parts) => parts.join(''));
		await fc.assert(
			fc.asyncProperty(text, delimiter, fc.integer({ min: 1, max: 17 }), async (source, chosen, pieceBytes) => {
				// Bytes as a file holds them (a lone surrogate becomes U+FFFD, for both readers).
				const file = Buffer.from(source, 'utf8');
				let turns = 0;
				const records = await parseDelimitedInPieces(file, chosen, async () => {
					turns++;
				}, pieceBytes);
				expect(records).toEqual(parseDelimited(file.toString('utf8'), chosen));
				// The event loop had a turn after every piece (pieces of at least 4 bytes, a whole character).
				expect(turns).toBeGreaterThanOrEqual(Math.ceil(file.length / Math.max(4, pieceBytes + 3)));
				expect(turns).toBeLessThanOrEqual(Math.ceil(file.length / Math.max(1, Math.max(4, pieceBytes) - 3)));
			}),
			{ seed: SEED, numRuns: 1000 },
		);
	});

	test('bytes that are not valid UTF-8 read as decoding the whole file reads them (property-based)', async () => {
		const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x2c, 0x0d, 0x0a, 0x22, 0x80, 0xbf, 0xc3, 0xe2, 0xf0)), { maxLength: 60 });
		await fc.assert(
			fc.asyncProperty(bytes, fc.integer({ min: 1, max: 9 }), async (values, pieceBytes) => {
				const file = Buffer.from(values);
				const records = await parseDelimitedInPieces(file, ',', async () => undefined, pieceBytes);
				expect(records).toEqual(parseDelimited(file.toString('utf8'), ','));
			}),
			{ seed: SEED, numRuns: 2000 },
		);
	});
});
