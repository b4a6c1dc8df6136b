/**
 * Converts item values to the text Marketo expects for each field type, and checks
 * columns against Marketo's lead fields before anything is uploaded. Pure: knows nothing
 * of n8n, reports problems as data.
 */
import { cellText } from './table';

export interface FieldInfo {
	name: string;
	displayName: string;
	dataType: string;
}

export type Conversion = { text: string } | { problem: string };

const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off']);

interface LuxonDateTimeLike {
	isValid: boolean;
	toISODate(): string | null;
	toISO(): string | null;
}

function isLuxonDateTime(value: unknown): value is LuxonDateTimeLike {
	return typeof value === 'object' && value !== null && (value as { isLuxonDateTime?: unknown }).isLuxonDateTime === true;
}

/** A number in plain decimal notation: Marketo does not read 1e-7. */
function plainNumber(value: number): string {
	const text = String(value);
	if (!/e/i.test(text)) return text;
	return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

function asDate(value: unknown): Date | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	if (typeof value === 'object' && value !== null && typeof (value as { toJSDate?: unknown }).toJSDate === 'function') {
		return asDate((value as { toJSDate: () => Date }).toJSDate());
	}
	if (typeof value === 'number') return asDate(new Date(value));
	if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value.trim())) return asDate(new Date(value.trim()));
	return undefined;
}

/** One value, converted for a field of `dataType`. Empty stays empty. */
export function convertForField(value: unknown, dataType: string): Conversion {
	if (value === null || value === undefined || value === '') return { text: '' };
	const text = cellText(value).trim();
	switch (dataType) {
		case 'integer': {
			if (typeof value === 'number' && Number.isSafeInteger(value)) return { text: String(value) };
			if (typeof value === 'string' && INTEGER.test(text)) return { text: text.replace(/^\+/, '') };
			return { problem: 'is not a whole number' };
		}
		case 'float':
		case 'currency':
		case 'percent': {
			if (typeof value === 'number' && Number.isFinite(value)) return { text: plainNumber(value) };
			if (typeof value === 'string' && DECIMAL.test(text)) return { text: text.replace(/^\+/, '') };
			return { problem: 'is not a number (use a dot for decimals and no thousands separators)' };
		}
		case 'boolean': {
			if (typeof value === 'boolean') return { text: String(value) };
			const word = text.toLowerCase();
			if (TRUE_WORDS.has(word)) return { text: 'true' };
			if (FALSE_WORDS.has(word)) return { text: 'false' };
			return { problem: 'is not true or false' };
		}
		case 'date': {
			if (typeof value === 'string' && ISO_DATE.test(text)) return { text };
			// A Luxon DateTime (what n8n's date fields and expressions give) keeps its own calendar day.
			if (isLuxonDateTime(value)) return value.isValid ? { text: value.toISODate() ?? '' } : { problem: 'is not a valid date' };
			const date = asDate(value);
			if (date === undefined) return { problem: 'is not a date (use yyyy-MM-dd)' };
			// A date-time string keeps its own calendar day, whatever its offset.
			if (typeof value === 'string') return { text: text.slice(0, 10) };
			return { text: date.toISOString().slice(0, 10) };
		}
		case 'datetime': {
			if (isLuxonDateTime(value)) {
				return value.isValid ? { text: value.toISO() ?? '' } : { problem: 'is not a valid date and time' };
			}
			const date = asDate(value);
			if (date === undefined) return { problem: 'is not a date and time (use ISO 8601, e.g. 2024-05-01T10:00:00Z)' };
			// Keep a string that already states its offset; otherwise write UTC with "Z".
			if (typeof value === 'string' && /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[-+]\d{2}:?\d{2})$/.test(text)) return { text };
			return { text: date.toISOString() };
		}
		default:
			return { text: cellText(value) };
	}
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
	const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		let diagonal = previous[0];
		previous[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const above = previous[j];
			previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
			diagonal = above;
		}
	}
	return previous[b.length];
}

function squash(name: string): string {
	return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The closest REST names to `column` (by REST name or display name), up to three equally close. */
export function suggestFields(column: string, fields: readonly FieldInfo[]): string[] {
	const target = squash(column);
	const scored = fields.map((field) => ({
		name: field.name,
		score: Math.min(distance(target, squash(field.name)), distance(target, squash(field.displayName))),
	}));
	const best = Math.min(...scored.map((candidate) => candidate.score));
	if (!(best <= Math.max(2, Math.floor(target.length / 3)))) return [];
	return scored
		.filter((candidate) => candidate.score === best)
		.map((candidate) => candidate.name)
		.sort()
		.slice(0, 3);
}

export interface ColumnResolution {
	/** For each input column: the Marketo field it feeds, or undefined when unknown. */
	fieldOf: Map<string, FieldInfo | undefined>;
	unknown: Array<{ column: string; suggestions: string[] }>;
}

/**
 * Matches input columns to writable Marketo fields: exactly by REST name, or, when
 * `loose` is set (Map Automatically), by REST name or display name ignoring case.
 */
export function resolveColumns(columns: readonly string[], fields: readonly FieldInfo[], loose: boolean): ColumnResolution {
	const exact = new Map(fields.map((field) => [field.name, field]));
	const byLooseName = new Map<string, FieldInfo>();
	if (loose) {
		for (const field of fields) {
			byLooseName.set(field.displayName.toLowerCase(), field);
			byLooseName.set(field.name.toLowerCase(), field);
		}
	}
	const fieldOf = new Map<string, FieldInfo | undefined>();
	const unknown: ColumnResolution['unknown'] = [];
	for (const column of columns) {
		const field = exact.get(column) ?? (loose ? byLooseName.get(column.trim().toLowerCase()) : undefined);
		fieldOf.set(column, field);
		if (field === undefined) unknown.push({ column, suggestions: suggestFields(column, fields) });
	}
	return { fieldOf, unknown };
}
