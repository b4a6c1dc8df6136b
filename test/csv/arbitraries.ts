 
import fc from 'fast-check';

import type { Delimiter } from '../../nodes/MarketoBulkImport/csv';

export const DELIMITER_LIST: Delimiter[] = [',', '\t', ';'];
export const NUM_RUNS = 2000;

/** Characters that matter to CSV, biased towards the tricky ones. */
// prettier-ignore
const SPECIAL_UNITS = [
	'a', 'b', 'Z', '0', '9', '.', '@', '-', '=', "'",
	' ', '  ', '\t', '"', '""', ',', ';', '\r', '\n', '\r\n', '\uFEFF',
	'é', 'ñ', 'Ø', 'ß', 'Ł', '中', '文', 'ア', '한',
	'😀', '👩‍💻', '🇫🇷', '\u00A0', '\u2028', '\u0000',
];

const unit = fc.oneof(
	{ weight: 6, arbitrary: fc.constantFrom(...SPECIAL_UNITS) },
	{ weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
	// Any code unit, lone surrogates included
	{ weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

export const cell: fc.Arbitrary<string> = fc.oneof(
	{ weight: 1, arbitrary: fc.constant('') },
	{ weight: 8, arbitrary: fc.string({ unit, maxLength: 10 }) },
);

export const row = (maxLength = 6): fc.Arbitrary<string[]> => fc.array(cell, { maxLength });

export const table: fc.Arbitrary<{ header: string[]; rows: string[][] }> = fc.record({
	header: row(),
	rows: fc.array(row(), { maxLength: 8 }),
});

export const delimiter: fc.Arbitrary<Delimiter> = fc.constantFrom(...DELIMITER_LIST);

/** Rows the writer turns into blank lines, which every reader skips. */
export function isBlankRow(cells: readonly string[]): boolean {
	return cells.length === 0 || (cells.length === 1 && cells[0] === '');
}
