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
				// The event loop had a turn after every piece.
				expect(turns).toBe(Math.ceil(file.length / pieceBytes));
			}),
			{ seed: SEED, numRuns: 1000 },
		);
	});
});
