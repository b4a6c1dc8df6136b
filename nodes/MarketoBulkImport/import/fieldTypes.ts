/**
 * Converts item values to the text Marketo expects for each field type, and checks
 * columns against Marketo's lead fields before anything is uploaded. Pure: knows nothing
 * of n8n, reports problems as data.
 */
import { cellText } from './cells';

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

/** `2024-05-01`, `2024-05-01T10:00`, `2024-05-01 10:00:00.123`, with an optional `Z` or `±hh:mm` offset. */
const DATE_TIME =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[-+]\d{2}(?::?\d{2})?)?$/i;

/** Formatters per zone: building one costs far more than using it, and imports convert millions of values. */
const formatters = new Map<string, Intl.DateTimeFormat | undefined>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
	if (!formatters.has(timeZone)) {
		let formatter: Intl.DateTimeFormat | undefined;
		try {
			formatter = new Intl.DateTimeFormat('en-US', {
				timeZone,
				hourCycle: 'h23',
				year: 'numeric',
				month: '2-digit',
				day: '2-digit',
				hour: '2-digit',
				minute: '2-digit',
				second: '2-digit',
			});
		} catch {
			formatter = undefined;
		}
		formatters.set(timeZone, formatter);
	}
	return formatters.get(timeZone);
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in ms (Intl, no date library). */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
	const formatter = formatterFor(timeZone);
	if (formatter === undefined) return 0;
	const parts = formatter.formatToParts(new Date(utcMs));
	const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
	const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return asUtc - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/** A wall-clock time in `timeZone` as an instant (the earlier one when clocks go back). */
function zonedToUtc(wallMs: number, timeZone: string): number {
	const first = wallMs - zoneOffsetMs(wallMs, timeZone);
	// Again: the offset at the first guess may differ across a daylight-saving change.
	const second = wallMs - zoneOffsetMs(first, timeZone);
	if (second + zoneOffsetMs(second, timeZone) === wallMs) return second;
	// A wall-clock time skipped when clocks go forward (02:30 on that night): moved forward by
	// the gap, as Luxon (n8n's expressions) does.
	return Math.max(first, second);
}

/** The calendar day of an instant in `timeZone`. */
function dayIn(utcMs: number, timeZone: string): string {
	return new Date(utcMs + zoneOffsetMs(utcMs, timeZone)).toISOString().slice(0, 10);
}

function isKnownZone(timeZone: string | undefined): timeZone is string {
	return Boolean(timeZone) && formatterFor(timeZone as string) !== undefined;
}

/**
 * A date-time string as an instant. Without an offset it is a wall-clock time in `timeZone`
 * (the workflow's), as n8n users expect; with one, the offset decides.
 */
function parseDateTime(text: string, timeZone: string): number | undefined {
	const match = DATE_TIME.exec(text);
	if (match === null) return undefined;
	const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset] = match;
	const date = new Date(0);
	// setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
	date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
	date.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0').slice(0, 3)));
	const wall = date.getTime();
	// Reject 2024-02-30, 25:00, 10:75 and 10:00:60 rather than roll them over.
	if (
		date.getUTCDate() !== Number(day) ||
		date.getUTCMonth() !== Number(month) - 1 ||
		Number(hour) > 23 ||
		Number(minute) > 59 ||
		Number(second) > 59 ||
		Number(year) < 1000
	) {
		return undefined;
	}
	if (offset === undefined) return zonedToUtc(wall, timeZone);
	if (offset.toUpperCase() === 'Z') return wall;
	const sign = offset.startsWith('-') ? -1 : 1;
	const digits = offset.slice(1).replace(':', '');
	const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
	return wall - sign * minutes * 60_000;
}

function instantOf(value: unknown, timeZone: string): number | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	if (typeof value === 'object' && value !== null && typeof (value as { toJSDate?: unknown }).toJSDate === 'function') {
		return instantOf((value as { toJSDate: () => Date }).toJSDate(), timeZone);
	}
	if (typeof value === 'string') return parseDateTime(value.trim(), timeZone);
	return undefined;
}

/** The types convertForField's switch handles; keep the two together (test/import/fieldTypes.test.ts checks them). */
const CONVERTED_TYPES: ReadonlySet<string> = new Set(['integer', 'float', 'currency', 'percent', 'boolean', 'date', 'datetime']);

/** Whether convertForField changes or checks values of this type; other types take text as it is. */
export function isConvertedType(dataType: string | undefined): boolean {
	return dataType !== undefined && CONVERTED_TYPES.has(dataType);
}

/**
 * One value, converted for a field of `dataType`. Empty stays empty. `timeZone` (the
 * workflow's) places date-times written without an offset, and gives instants their day.
 */
export function convertForField(value: unknown, dataType: string, timeZone = 'UTC'): Conversion {
	if (value === null || value === undefined || value === '') return { text: '' };
	const zone = isKnownZone(timeZone) ? timeZone : 'UTC';
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
		case 'date':
		case 'datetime':
			// 1714521600 (epoch seconds), 1714521600000 (ms), 20240501 and 45413 (a spreadsheet
			// serial) are all numbers: which one was meant cannot be told, so none is guessed.
			if (typeof value === 'number') {
				return {
					problem: `is a number, not a date; give it as ${dataType === 'date' ? 'yyyy-MM-dd' : 'an ISO 8601 date-time'} (for epoch milliseconds, an expression such as {{ DateTime.fromMillis($json.field).toISO() }})`,
				};
			}
			return dataType === 'date' ? convertDate(value, text, zone) : convertDateTime(value, text, zone);
		default:
			return { text: cellText(value) };
	}
}

/** A date field: `yyyy-MM-dd`, the day a date-time string is written with, or a Date's day in the zone. */
function convertDate(value: unknown, text: string, zone: string): Conversion {
	if (typeof value === 'string' && ISO_DATE.test(text)) {
		return instantOf(text, zone) === undefined ? { problem: 'is not a valid date' } : { text };
	}
	// A Luxon DateTime (what n8n's date fields and expressions give) keeps its own calendar day.
	if (isLuxonDateTime(value)) return value.isValid ? { text: value.toISODate() ?? '' } : { problem: 'is not a valid date' };
	const instant = instantOf(value, zone);
	if (instant === undefined) return { problem: 'is not a date (use yyyy-MM-dd)' };
	// A date-time string keeps the calendar day it is written with, whatever its offset.
	if (typeof value === 'string') return { text: text.slice(0, 10) };
	// An instant (a Date) falls on the day it is in the workflow's time zone.
	return { text: dayIn(instant, zone) };
}

/** A datetime field: ISO 8601, an offset kept when written, else the workflow's zone, sent in UTC. */
function convertDateTime(value: unknown, text: string, zone: string): Conversion {
	if (isLuxonDateTime(value)) {
		return value.isValid ? { text: value.toISO() ?? '' } : { problem: 'is not a valid date and time' };
	}
	const instant = instantOf(value, zone);
	if (instant === undefined) return { problem: 'is not a date and time (use ISO 8601, e.g. 2024-05-01T10:00:00Z)' };
	// Keep a string that already states its offset; otherwise write the instant in UTC.
	if (typeof value === 'string' && /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[-+]\d{2}:?\d{2})$/i.test(text)) return { text };
	return { text: new Date(instant).toISOString() };
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
	// Loose matches, REST names before display names: "Company" is the field company, even when
	// a custom field is also displayed as "Company". A name shared by several fields matches none.
	const looseMatches = (key: (field: FieldInfo) => string) => {
		const found = new Map<string, FieldInfo[]>();
		for (const field of fields) {
			const name = key(field).trim().toLowerCase();
			found.set(name, [...(found.get(name) ?? []), field]);
		}
		return found;
	};
	const byRestName = loose ? looseMatches((field) => field.name) : new Map<string, FieldInfo[]>();
	const byDisplayName = loose ? looseMatches((field) => field.displayName) : new Map<string, FieldInfo[]>();
	const fieldOf = new Map<string, FieldInfo | undefined>();
	const unknown: ColumnResolution['unknown'] = [];
	for (const column of columns) {
		const key = column.trim().toLowerCase();
		const candidates = exact.has(column) ? [exact.get(column) as FieldInfo] : (byRestName.get(key) ?? byDisplayName.get(key) ?? []);
		const field = candidates.length === 1 ? candidates[0] : undefined;
		fieldOf.set(column, field);
		if (field === undefined) {
			const suggestions = candidates.length > 1 ? candidates.map((c) => c.name).sort().slice(0, 3) : suggestFields(column, fields);
			unknown.push({ column, suggestions });
		}
	}
	return { fieldOf, unknown };
}
