/**
 * The text form of one value in an import file, and what has none. Knows nothing of n8n:
 * problems are reported as data, so the caller decides whether that stops the run or
 * becomes an error item (Continue On Fail).
 */

/** A record (or a whole file) that is not imported, and why. */
export interface Refusal {
	itemIndex: number;
	/** For file input: the line of the file where the row starts. */
	line?: number;
	field?: string;
	/** What is wrong, without saying where (the caller adds the item and line). */
	message: string;
	/** How to fix it, when it differs from the usual advice about nested values. */
	fix?: string;
	/** The whole input item (a file) is refused, not one row of it. */
	wholeItem?: boolean;
	/** For a refused file: how many data rows it holds (counted as not submitted). */
	rows?: number;
}

/** Why a value has no text form in a Marketo file; undefined when it has one. */
export function describeUnsupported(value: unknown): string | undefined {
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object' && value !== null && !(value instanceof Date) && !isDateTimeLike(value)) {
		return 'an object';
	}
	if (typeof value === 'number' && !Number.isFinite(value)) return `the number ${String(value)}`;
	if (value instanceof Date && Number.isNaN(value.getTime())) return 'an invalid date';
	if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
	return undefined;
}

/** Luxon DateTime (what n8n expressions produce) without importing luxon. */
function isDateTimeLike(value: unknown): value is { toISO: () => string | null } {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { toISO?: unknown }).toISO === 'function' &&
		(value as { isLuxonDateTime?: unknown }).isLuxonDateTime === true
	);
}

/** Text form of a value: strings as they are, numbers and booleans as text, dates as ISO 8601. */
export function cellText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
		return String(value);
	}
	if (value instanceof Date) return value.toISOString();
	if (isDateTimeLike(value)) return value.toISO() ?? '';
	return String(value);
}
