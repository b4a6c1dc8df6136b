/** The three delimited formats Marketo's bulk import accepts (`format` parameter). */
export type DelimitedFormat = 'csv' | 'tsv' | 'ssv';

export type Delimiter = ',' | '\t' | ';';

export const DELIMITERS: Readonly<Record<DelimitedFormat, Delimiter>> = {
	csv: ',',
	tsv: '\t',
	ssv: ';',
};

// Semicolon-separated files have no registered media type; text/csv is what spreadsheets use.
export const CONTENT_TYPES: Readonly<Record<DelimitedFormat, string>> = {
	csv: 'text/csv',
	tsv: 'text/tab-separated-values',
	ssv: 'text/csv',
};

export const FILE_EXTENSIONS: Readonly<Record<DelimitedFormat, string>> = {
	csv: '.csv',
	tsv: '.tsv',
	ssv: '.csv',
};

const QUOTE = 34;
const CR = 13;
const LF = 10;
const COMMA = 44;
const TAB = 9;
const SEMICOLON = 59;

/**
 * Guesses the delimiter of a header line: the most frequent of `,` `\t` `;` outside quotes,
 * looking only up to the first line break outside quotes. Ties go to `,` then `\t` then `;`.
 * Returns undefined when none occurs (a single-column file).
 */
export function detectDelimiter(headerLine: string): Delimiter | undefined {
	let commas = 0;
	let tabs = 0;
	let semicolons = 0;
	let inQuotes = false;
	for (let i = 0; i < headerLine.length; i++) {
		const c = headerLine.charCodeAt(i);
		if (c === QUOTE) {
			// A doubled quote inside quotes toggles twice, which is what we want
			inQuotes = !inQuotes;
		} else if (inQuotes) {
			continue;
		} else if (c === COMMA) {
			commas++;
		} else if (c === TAB) {
			tabs++;
		} else if (c === SEMICOLON) {
			semicolons++;
		} else if (c === CR || c === LF) {
			break;
		}
	}
	if (commas === 0 && tabs === 0 && semicolons === 0) return undefined;
	if (commas >= tabs && commas >= semicolons) return ',';
	if (tabs >= semicolons) return '\t';
	return ';';
}
