/**
 * Skip Unchanged Rows across many runs of a schedule: random rows, random changes (and values
 * changed back), rows of one key twice, new rows, random failed rows and unfinished batches.
 * The real SkipUnchanged (and its plan) runs against n8n's processed-data rules (the harness's
 * in-memory store); Marketo is a map of what it holds per key.
 *
 * Each run must send exactly: rows whose key appears more than once (or is empty), and rows
 * that changed since the previous run or that Marketo did not confirm in it. And a skipped
 * row must be exactly what Marketo holds.
 */
import { createHash } from 'crypto';
import fc from 'fast-check';
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { SkipUnchanged } from '../../nodes/MarketoBulkImport/actions/common/skipUnchanged';
import type { ImportInput } from '../../nodes/MarketoBulkImport/actions/common/importInput';
import { RowLedger } from '../../nodes/MarketoBulkImport/import/fileBuilder';
import type { RowBatch } from '../../nodes/MarketoBulkImport/import/fileBuilder';
import type { BatchAccount } from '../../nodes/MarketoBulkImport/import/outcomes';
import { emptyCounts } from '../../nodes/MarketoBulkImport/import/outcomes';
import { RowFingerprinter } from '../../nodes/MarketoBulkImport/import/rememberedRows';
import { MemoryProcessedDataStore } from '../harness/processedDataStore';
import { assertOptions, propertyRunSettings } from './support';

const settings = propertyRunSettings(150, 20_000);
const COLUMNS = ['email', 'title'];

/** The functions SkipUnchanged uses, bound to one workflow's node in the store. */
function fakeFunctions(store: MemoryProcessedDataStore, mode: 'trigger' | 'manual'): IExecuteFunctions {
	const node = { id: 'node-1', name: 'Import' } as INode;
	const contextData = { node, workflow: { id: 'wf-1', active: true } };
	return {
		getNode: () => node,
		getMode: () => mode,
		helpers: {
			checkProcessedAndRecord: async (items: string[], scope: 'node', options: { mode: 'entries' }) =>
				await store.checkProcessedAndRecord(items, scope, contextData, options),
			removeProcessed: async (items: string[], scope: 'node') =>
				await store.removeProcessed(items, scope, contextData),
			clearAllProcessedItems: async (scope: 'node') => await store.clearAllProcessedItems(scope, contextData),
			getProcessedDataCount: async (scope: 'node') => await store.getProcessedDataCount(scope, contextData),
		},
	} as unknown as IExecuteFunctions;
}

function inputOf(rows: string[][]): ImportInput {
	return {
		columns: COLUMNS,
		rowCount: rows.length,
		async *rows(batchRows: number): AsyncGenerator<RowBatch> {
			for (let first = 0; first < rows.length; first += batchRows) {
				const cells = rows.slice(first, first + batchRows);
				yield { cells, items: cells.map((_, i) => first + i) };
			}
		},
	} as unknown as ImportInput;
}

interface RunPlan {
	/** Per row of the run: the key (index into a pool; -1: empty) and the content. */
	rows: Array<{ key: number; title: string }>;
	/** Sent rows per batch, and per batch: settled, and which of its rows fail. */
	batchSize: number;
	unsettled: boolean[];
	failures: boolean[];
}

const titleArb = fc.constantFrom('A', 'B', 'C');

/** The first run's keys 0..n-1; each later run changes, adds and duplicates a few. */
const scheduleArb = fc
	.record({
		size: fc.integer({ min: 1, max: 25 }),
		runs: fc.array(
			fc.record({
				changes: fc.array(fc.tuple(fc.nat(40), titleArb), { maxLength: 6 }),
				added: fc.nat(3),
				duplicates: fc.array(fc.tuple(fc.nat(40), titleArb), { maxLength: 2 }),
				emptyKeys: fc.nat(1),
				batchSize: fc.integer({ min: 1, max: 8 }),
				unsettled: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
				failures: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
			}),
			{ minLength: 2, maxLength: 6 },
		),
	})
	.map(({ size, runs }) => {
		let current = Array.from({ length: size }, (_, key) => ({ key, title: 'A' }));
		const plans: RunPlan[] = [];
		for (const run of runs) {
			current = current.map((row) => ({ ...row }));
			for (const [at, title] of run.changes) current[at % current.length].title = title;
			for (let i = 0; i < run.added; i++) current.push({ key: current.length, title: 'A' });
			const rows = [...current];
			for (const [at, title] of run.duplicates) rows.push({ key: current[at % current.length].key, title });
			for (let i = 0; i < run.emptyKeys; i++) rows.push({ key: -1, title: 'A' });
			plans.push({
				rows,
				batchSize: run.batchSize,
				unsettled: run.unsettled.map((u, i) => u && i % 3 === 0),
				failures: run.failures.map((f, i) => f && i % 4 === 0),
			});
		}
		return plans;
	});

const emailOf = (key: number) => (key < 0 ? '' : `Lead${key}@Example.com`);

describe(`Skip Unchanged Rows over a schedule, property-based (seed ${settings.seed}, ${settings.numRuns} runs; replay with FC_SEED=${settings.seed})`, () => {
	it(
		'each run sends exactly the rows that changed or were not confirmed (and rows of keys used twice); a skipped row is what Marketo holds',
		async () => {
			await fc.assert(
				fc.asyncProperty(scheduleArb, async (plans) => {
					const store = new MemoryProcessedDataStore();
					const marketo = new Map<number, string>();
					/** Rows confirmed or skipped in the previous run, unique by key: key → title. */
					let settledBefore = new Map<number, string>();
					for (const plan of plans) {
						const fns = fakeFunctions(store, 'trigger');
						const cells = plan.rows.map(({ key, title }) => [emailOf(key), title]);
						const keyCount = new Map<number, number>();
						for (const { key } of plan.rows) keyCount.set(key, (keyCount.get(key) ?? 0) + 1);
						const unique = (key: number) => key >= 0 && keyCount.get(key) === 1;

						const skip = await SkipUnchanged.prepare(
							fns,
							inputOf(cells),
							{ context: 'lead', keyColumns: ['email'] },
							{ clear: false, limit: 1_000_000, record: true },
							3,
						);
						// While Marketo imports, the history holds exactly the skipped rows: nothing unconfirmed.
						const fingerprinter = new RowFingerprinter('lead', COLUMNS, ['email']);
						const md5 = (text: string) => createHash('md5').update(text).digest('base64');
						const skippedHashes = plan.rows.flatMap(({ key, title }, i) =>
							unique(key) && settledBefore.get(key) === title ? [md5(fingerprinter.of(cells[i]).row)] : [],
						);
						expect(new Set(store.entries('wf-1', 'node-1'))).toEqual(new Set(skippedHashes));

						const ledger = new RowLedger();
						const sent: number[] = [];
						let inputRow = 0;
						const sentRows = new Set<number>();
						for await (const batch of skip.rowsToSend(inputOf(cells).rows(4), ledger)) {
							for (let r = 0; r < batch.cells.length; r++) {
								sent.push(batch.items[r]);
								sentRows.add(batch.items[r]);
								ledger.add(batch.items[r]);
							}
						}
						inputRow = plan.rows.length;

						// Expected: every row of a key used twice or empty, and rows not settled unchanged before.
						const expected = plan.rows
							.map((row, i) => ({ ...row, i }))
							.filter(({ key, title }) => !unique(key) || settledBefore.get(key) !== title)
							.map(({ i }) => i);
						expect(sent).toEqual(expected);
						expect(skip.skippedRows).toBe(inputRow - sent.length);
						// A skipped row is what Marketo holds.
						plan.rows.forEach(({ key, title }, i) => {
							if (!sentRows.has(i)) expect(marketo.get(key)).toBe(title);
						});

						// Marketo imports the batches; some are not settled, some rows fail.
						const accounts: BatchAccount[] = [];
						const settledNow = new Map<number, string>();
						for (let first = 0, b = 0; first < sent.length; first += plan.batchSize, b++) {
							const rowCount = Math.min(plan.batchSize, sent.length - first);
							const settled = !plan.unsettled[b % plan.unsettled.length];
							const counts = emptyCounts();
							const failedRows: BatchAccount['failedRows'] = [];
							for (let fileRow = first; fileRow < first + rowCount; fileRow++) {
								const row = plan.rows[sent[fileRow]];
								if (!settled) continue;
								if (plan.failures[fileRow % plan.failures.length] && row.key >= 0) {
									failedRows.push({ rowIndex: fileRow, row: { values: {}, reason: 'failed' } });
								} else if (row.key >= 0) {
									marketo.set(row.key, row.title);
									if (unique(row.key)) settledNow.set(row.key, row.title);
								}
							}
							counts.failed = failedRows.length;
							if (settled) counts.imported = rowCount - failedRows.length;
							else counts.pending = rowCount;
							accounts.push({
								batch: {
									fileNumber: b + 1,
									file: { content: undefined, bytes: 0, firstRow: first, rowCount },
									batchId: 1000 + b,
									status: settled ? ({ status: 'Complete' } as never) : ({ status: 'Importing' } as never),
								},
								counts,
								failedRows,
								warnedRows: [],
							});
						}
						await skip.remember(accounts);
						plan.rows.forEach(({ key, title }, i) => {
							if (!sentRows.has(i) && unique(key)) settledNow.set(key, title);
						});
						settledBefore = settledNow;
					}
				}),
				assertOptions(settings),
			);
		},
		settings.jestTimeoutMs,
	);
});
