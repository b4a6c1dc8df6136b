import { convertForField, isConvertedType, resolveColumns } from '../../nodes/MarketoBulkImport/import/fieldTypes';

describe('date-times are read in the workflow time zone', () => {
	it('a date-time without an offset is a wall-clock time in the given zone', () => {
		expect(convertForField('2024-05-01T10:00:00', 'datetime', 'Europe/Berlin')).toEqual({ text: '2024-05-01T08:00:00.000Z' });
		expect(convertForField('2024-01-15 10:00', 'datetime', 'America/New_York')).toEqual({ text: '2024-01-15T15:00:00.000Z' });
		expect(convertForField('2024-05-01', 'datetime', 'Asia/Tokyo')).toEqual({ text: '2024-04-30T15:00:00.000Z' });
	});

	it('a date-time with an offset keeps it, whatever the zone', () => {
		expect(convertForField('2024-05-01T10:00:00+02:00', 'datetime', 'America/New_York')).toEqual({ text: '2024-05-01T10:00:00+02:00' });
		expect(convertForField('2024-05-01T10:00:00Z', 'datetime', 'Asia/Tokyo')).toEqual({ text: '2024-05-01T10:00:00Z' });
		expect(convertForField('2024-05-01 10:00:00+0530', 'datetime', 'UTC')).toEqual({ text: '2024-05-01T04:30:00.000Z' });
	});

	it('daylight-saving changes are honoured', () => {
		// Berlin: CET (+1) in winter, CEST (+2) in summer.
		expect(convertForField('2024-03-31T01:30:00', 'datetime', 'Europe/Berlin')).toEqual({ text: '2024-03-31T00:30:00.000Z' });
		expect(convertForField('2024-03-31T03:30:00', 'datetime', 'Europe/Berlin')).toEqual({ text: '2024-03-31T01:30:00.000Z' });
	});

	it('an instant falls on its day in the zone for a date field', () => {
		const instant = Date.UTC(2024, 4, 1, 23, 30);
		expect(convertForField(new Date(instant), 'date', 'Europe/Berlin')).toEqual({ text: '2024-05-02' });
		expect(convertForField(new Date(instant), 'date', 'UTC')).toEqual({ text: '2024-05-01' });
		expect(convertForField('2024-05-01T23:30:00-05:00', 'date', 'Asia/Tokyo')).toEqual({ text: '2024-05-01' });
	});

	it('impossible dates are refused, not rolled over', () => {
		expect(convertForField('2024-02-30', 'date', 'UTC')).toHaveProperty('problem');
		expect(convertForField('2024-02-30T10:00:00', 'datetime', 'UTC')).toHaveProperty('problem');
		expect(convertForField('2024-05-01T25:00:00', 'datetime', 'UTC')).toHaveProperty('problem');
		expect(convertForField('yesterday', 'datetime', 'UTC')).toHaveProperty('problem');
	});

	it('an unknown zone falls back to UTC rather than failing every row', () => {
		expect(convertForField('2024-05-01T10:00:00', 'datetime', 'Not/AZone')).toEqual({ text: '2024-05-01T10:00:00.000Z' });
	});
});

describe('review findings: values never shifted or guessed', () => {
	it('numbers are not dates: epoch seconds, yyyymmdd and spreadsheet serials are refused, not read as epoch ms', () => {
		for (const value of [1714521600, 20240501, 45413, 1714521600000]) {
			expect(convertForField(value, 'date', 'UTC')).toHaveProperty('problem');
			expect(convertForField(value, 'datetime', 'UTC')).toHaveProperty('problem');
		}
	});

	it('impossible times are refused, not rolled over; two-digit years are not 19xx', () => {
		for (const text of ['2024-05-01 10:75', '2024-05-01T10:00:60', '0024-05-01T10:00:00']) {
			expect(convertForField(text, 'datetime', 'UTC')).toHaveProperty('problem');
		}
	});

	it('a wall-clock time skipped by daylight saving moves forward, as Luxon does', () => {
		// New York, 2024-03-10: 02:00 EST jumps to 03:00 EDT; Luxon reads 02:30 as 03:30 EDT.
		expect(convertForField('2024-03-10T02:30:00', 'datetime', 'America/New_York')).toEqual({ text: '2024-03-10T07:30:00.000Z' });
		// The repeated hour in autumn: the first (daylight) one.
		expect(convertForField('2024-11-03T01:30:00', 'datetime', 'America/New_York')).toEqual({ text: '2024-11-03T05:30:00.000Z' });
	});
});

describe('column matching', () => {
	const fields = [
		{ name: 'company', displayName: 'Company Name', dataType: 'string' },
		{ name: 'customCompany', displayName: 'Company', dataType: 'string' },
		{ name: 'a1', displayName: 'Region', dataType: 'string' },
		{ name: 'a2', displayName: 'region', dataType: 'string' },
	];

	it('a REST name (any case) wins over another field\'s display name', () => {
		const { fieldOf } = resolveColumns(['Company', 'company name'], fields, true);
		expect(fieldOf.get('Company')?.name).toBe('company');
		expect(fieldOf.get('company name')?.name).toBe('company');
	});

	it('a display name two fields share matches neither, and suggests both', () => {
		const { fieldOf, unknown } = resolveColumns(['REGION'], fields, true);
		expect(fieldOf.get('REGION')).toBeUndefined();
		expect(unknown).toEqual([{ column: 'REGION', suggestions: ['a1', 'a2'] }]);
	});
});

describe('which types take text as it is', () => {
	// Marketo's field data types (describe.json), and one it may add some day.
	const TYPES = ['string', 'text', 'email', 'phone', 'url', 'reference', 'textarea', 'score', 'formula', 'integer', 'float', 'currency', 'percent', 'boolean', 'date', 'datetime', 'someNewType'];

	it('isConvertedType says exactly which types convertForField changes or checks (RowConverter passes text straight through for the others)', () => {
		for (const type of TYPES) {
			// Text no converted type accepts as it is: padded, not a number, a boolean or a date.
			const probe = ' x, "y" ';
			expect([type, isConvertedType(type)]).toEqual([type, JSON.stringify(convertForField(probe, type)) !== JSON.stringify({ text: probe })]);
		}
	});
});
