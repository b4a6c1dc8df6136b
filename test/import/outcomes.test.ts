/* eslint-disable @n8n/community-nodes/no-restricted-globals */
import fc from 'fast-check';

import type { BatchStatus } from '../../nodes/MarketoBulkImport/api/bulkImport';
import type { BatchReport } from '../../nodes/MarketoBulkImport/import/outcomes';
import { accountBatch, sumCounts } from '../../nodes/MarketoBulkImport/import/outcomes';
import type { BatchRecord } from '../../nodes/MarketoBulkImport/import/pipeline';
import type { TraceResult } from '../../nodes/MarketoBulkImport/import/rowTracing';

function batch(rows: number, status?: Partial<BatchStatus>, batchId: number | null = 1001): BatchRecord {
	return {
		fileNumber: 1,
		file: { content: Buffer.from(''), bytes: 0, firstRow: 0, rowCount: rows },
		batchId: batchId ?? undefined,
		status:
			status === undefined
				? undefined
				: ({ batchId: 1001, status: 'Complete', numOfRowsProcessed: 0, numOfRowsFailed: 0, numOfRowsWithWarning: 0, message: '', raw: {}, ...status } as BatchStatus),
	};
}

const traced = (rowIndexes: number[], untraced = 0): TraceResult => ({
	traced: rowIndexes.map((rowIndex) => ({ rowIndex, row: { values: {}, reason: 'r' } })),
	untraced: Array.from({ length: untraced }, () => ({ values: {}, reason: 'r' })),
});

function report(record: BatchRecord, failures: TraceResult, warnings: TraceResult, error?: Error): BatchReport {
	return { batch: record, failures, warnings, error };
}

describe('accountBatch', () => {
	it('a fully traced batch: counters, and the rest imported', () => {
		const b = batch(10, { numOfRowsFailed: 2, numOfRowsWithWarning: 1 });
		const account = accountBatch(b, false, report(b, traced([3, 4]), traced([7])));
		expect(account.counts).toMatchObject({ imported: 7, failed: 2, importedWithWarning: 1, outcomeUnknown: 0 });
	});

	it('an untraced failed row: counters kept, the rest unknown and never imported', () => {
		const b = batch(10, { numOfRowsFailed: 2, numOfRowsWithWarning: 0 });
		const account = accountBatch(b, false, report(b, traced([3], 1), traced([])));
		expect(account.counts).toMatchObject({ imported: 0, failed: 2, outcomeUnknown: 8 });
		expect(account.unknownReason).toBe('1 of its failed or warned rows could not be traced to input rows');
	});

	it('a report that could not be read', () => {
		const b = batch(5, { numOfRowsFailed: 0, numOfRowsWithWarning: 2 });
		const account = accountBatch(b, false, report(b, traced([]), traced([]), new Error('boom')));
		expect(account.counts).toMatchObject({ imported: 0, importedWithWarning: 2, outcomeUnknown: 3 });
		expect(account.unknownReason).toMatch(/could not be read \(boom\)/);
	});

	it('no failed or warned rows need no report', () => {
		const b = batch(5, {});
		expect(accountBatch(b, false, undefined).counts.imported).toBe(5);
	});

	it('an interrupted upload is unknown; a file never sent is not submitted; a Failed job failed; a running job pending', () => {
		expect(accountBatch(batch(3, undefined, null), true, undefined).counts.outcomeUnknown).toBe(3);
		expect(accountBatch(batch(3, undefined, null), false, undefined).counts.notSubmitted).toBe(3);
		expect(accountBatch(batch(3, { status: 'Failed' }), false, undefined).counts.failed).toBe(3);
		expect(accountBatch(batch(3, { status: 'Importing' }), false, undefined).counts.pending).toBe(3);
	});

	it('counts always add up to the rows, and finished batches keep Marketo\'s counters (property)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 50 }),
				fc.nat(60),
				fc.nat(60),
				fc.nat(60),
				fc.nat(60),
				fc.nat(3),
				fc.boolean(),
				(rows, failed, warned, tracedFailed, tracedWarned, untraced, readError) => {
					const b = batch(rows, { numOfRowsFailed: failed, numOfRowsWithWarning: warned });
					const f = Math.min(tracedFailed, rows);
					const w = Math.min(tracedWarned, rows - f);
					const r = report(
						b,
						traced(Array.from({ length: f }, (_, i) => i), untraced),
						traced(Array.from({ length: w }, (_, i) => f + i)),
						readError ? new Error('x') : undefined,
					);
					const { counts } = accountBatch(b, false, r);
					if (sumCounts(counts) !== rows) return false;
					if (failed + warned <= rows && (counts.failed !== failed || counts.importedWithWarning !== warned)) return false;
					const fully = !readError && untraced === 0 && f === failed && w === warned;
					return fully || failed + warned === 0 || counts.imported === 0;
				},
			),
			{ seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31), numRuns: 500 },
		);
	});
});
