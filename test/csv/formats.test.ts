 
import fc from 'fast-check';

import {
	CONTENT_TYPES,
	DELIMITERS,
	detectDelimiter,
	FILE_EXTENSIONS,
	writeDelimited,
} from '../../nodes/MarketoBulkImport/csv';

import { DELIMITER_LIST, NUM_RUNS } from './arbitraries';

describe('formats', () => {
	test('delimiters, content types and extensions per format', () => {
		expect(DELIMITERS).toEqual({ csv: ',', tsv: '\t', ssv: ';' });
		expect(CONTENT_TYPES).toEqual({
			csv: 'text/csv',
			tsv: 'text/tab-separated-values',
			ssv: 'text/csv',
		});
		expect(FILE_EXTENSIONS).toEqual({ csv: '.csv', tsv: '.tsv', ssv: '.csv' });
	});
});

describe('detectDelimiter', () => {
	test('picks the delimiter of a plain header line', () => {
		expect(detectDelimiter('email,firstName,lastName')).toBe(',');
		expect(detectDelimiter('email\tfirstName\tlastName')).toBe('\t');
		expect(detectDelimiter('email;firstName;lastName')).toBe(';');
	});

	test('ignores delimiters inside quotes', () => {
		expect(detectDelimiter('"a,b,c";"d,e";f')).toBe(';');
		expect(detectDelimiter('"x""; y";a\tb\tc')).toBe('\t');
	});

	test('looks only at the first line', () => {
		expect(detectDelimiter('a;b\r\nc,d,e,f,g')).toBe(';');
		expect(detectDelimiter('a\tb\nc,d,e')).toBe('\t');
		expect(detectDelimiter('"multi\nline, header";x;y')).toBe(';');
	});

	test('ties go to comma, then tab, then semicolon', () => {
		expect(detectDelimiter('a,b;c')).toBe(',');
		expect(detectDelimiter('a\tb;c')).toBe('\t');
		expect(detectDelimiter('a,b\tc')).toBe(',');
	});

	test('undefined when there is a single column', () => {
		expect(detectDelimiter('email')).toBeUndefined();
		expect(detectDelimiter('')).toBeUndefined();
		expect(detectDelimiter('"a,b"')).toBeUndefined();
	});

	test('recovers the delimiter of any written header of two or more columns', () => {
		const header = (d: string) =>
			fc.array(
				fc.string({
					unit: fc.constantFrom('a', 'B', '1', ' ', 'é', '中', '"', '\n', '\r\n', d),
					maxLength: 8,
				}),
				{
					minLength: 2,
					maxLength: 8,
				},
			);
		const arbitrary = fc
			.constantFrom(...DELIMITER_LIST)
			.chain((d) => fc.tuple(fc.constant(d), header(d)));
		fc.assert(
			fc.property(arbitrary, ([d, names]) => {
				expect(detectDelimiter(writeDelimited(names, [['x']], d))).toBe(d);
			}),
			{ numRuns: NUM_RUNS },
		);
	});
});
