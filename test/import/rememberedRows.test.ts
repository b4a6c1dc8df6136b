import { confirmedFileRows, RowFingerprinter, SkipPlan } from '../../nodes/MarketoBulkImport/import/rememberedRows';

describe('RowFingerprinter', () => {
	const columns = ['email', 'firstName', 'title'];
	const lead = new RowFingerprinter('lead|email', columns, ['email']);

	it('is compact and the same for the same row; any change of a cell, a column or the context changes it', () => {
		const row = lead.of(['ada@example.com', 'Ada', 'CTO']);
		expect(row.row).toMatch(/^[A-Za-z0-9+/]{22}$/);
		expect(lead.of(['ada@example.com', 'Ada', 'CTO'])).toEqual(row);
		expect(lead.of(['ada@example.com', 'Ada', 'CEO']).row).not.toBe(row.row);
		expect(lead.of(['ada@example.com', 'Ada', 'CTO ']).row).not.toBe(row.row);
		expect(new RowFingerprinter('lead|email', ['email', 'lastName', 'title'], ['email']).of(['ada@example.com', 'Ada', 'CTO']).row).not.toBe(row.row);
		expect(new RowFingerprinter('lead|id', columns, ['email']).of(['ada@example.com', 'Ada', 'CTO']).row).not.toBe(row.row);
	});

	it('cells cannot run into each other: "a","bc" differs from "ab","c"', () => {
		expect(lead.of(['x@example.com', 'a', 'bc']).row).not.toBe(lead.of(['x@example.com', 'ab', 'c']).row);
	});

	it('keys: by the key columns, trimmed and case-insensitive; none when a key cell is empty or missing', () => {
		expect(lead.of(['Ada@Example.com ', 'Ada', 'CTO']).key).toBe(lead.of(['ada@example.com', 'Other', 'X']).key);
		expect(lead.of(['', 'Ada', 'CTO']).key).toBeUndefined();
		expect(new RowFingerprinter('lead|id', columns, ['id']).of(['a@example.com', 'A', 'B']).key).toBeUndefined();
		const car = new RowFingerprinter('car_c', ['vin', 'make'], ['vin', 'make']);
		expect(car.of(['V1', 'Honda']).key).not.toBe(car.of(['V1', 'Ford']).key);
		expect(car.of(['V1', '']).key).toBeUndefined();
	});
});

describe('SkipPlan', () => {
	const fingerprinter = new RowFingerprinter('lead', ['email', 'title'], ['email']);
	const planOf = (rows: string[][]) => {
		const plan = new SkipPlan();
		for (const row of rows) plan.add(fingerprinter.of(row));
		return plan;
	};

	it('skips known rows of unique keys; sends rows of keys used twice or empty, and forgets them', () => {
		const rows = [
			['a@x.com', 'A'],
			['b@x.com', 'B'],
			['c@x.com', 'C'],
			['c@x.com', 'C2'],
			['', 'E'],
		];
		const known = new Set(rows.map((row) => fingerprinter.of(row).row));
		known.delete(fingerprinter.of(rows[1]).row);
		const plan = planOf(rows);
		plan.decide(known);
		expect([0, 1, 2, 3, 4].map((row) => plan.isSkipped(row))).toEqual([true, false, false, false, false]);
		expect(plan.skippedCount).toBe(1);
		expect(plan.skippedFingerprints()).toEqual([fingerprinter.of(rows[0]).row]);
		expect(new Set(plan.fingerprintsToForget(known))).toEqual(new Set([1, 2, 3, 4].map((i) => fingerprinter.of(rows[i]).row)));
	});

	it('remembers only confirmed rows that were new and of a unique key', () => {
		const rows = [
			['a@x.com', 'A'],
			['b@x.com', 'B'],
			['b@x.com', 'B'],
			['d@x.com', 'D'],
		];
		const plan = planOf(rows);
		plan.decide(new Set());
		[0, 1, 2, 3].forEach((row) => plan.sent(row));
		// File rows 0..3 are input rows 0..3; all confirmed.
		expect(plan.confirmedFingerprints([0, 1, 2, 3])).toEqual([fingerprinter.of(rows[0]).row, fingerprinter.of(rows[3]).row]);
		expect(plan.confirmedFingerprints([1, 2])).toEqual([]);
	});
});

describe('confirmedFileRows', () => {
	it('rows of settled batches except failed ones; unsettled batches confirm nothing', () => {
		expect(
			confirmedFileRows([
				{ firstRow: 0, rowCount: 3, settled: true, failedRows: [1] },
				{ firstRow: 3, rowCount: 2, settled: false, failedRows: [] },
				{ firstRow: 5, rowCount: 2, settled: true, failedRows: [] },
			]),
		).toEqual([0, 2, 5, 6]);
	});
});
