/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console */
/**
 * The Marketo Bulk Import node in a REAL n8n (1.x on Node 20, 2.x on Node 24), against the
 * in-process Marketo emulator. The workflows are plain n8n exports in ./workflows (open them
 * in n8n to look at them); only the credential, which points at the emulator's port, is made
 * here. Per line, in this order, on one n8n user folder and one emulator:
 *
 *  1. 01-round-trip: a Code node generates 2,000 awkward leads (3 without email → failures,
 *     4 with customEmail "bad" → warnings) → Import (CSV, static list 1001 by ID, partition
 *     Europe) → Get Status (Wait Until Finished) → Get Failures → Get Warnings. The leads in
 *     Marketo must equal the Code node's output value for value.
 *  2. The test expires every token; 02-token-expiry-split-import then reads the batch of
 *     run 1 (its token, persisted by n8n in the credential, is now refused: exactly one 602,
 *     one new token) and imports another 2,000 leads split into several files (Max File Size
 *     0.05 MB, SSV, list 1003 by URL) with Wait for Completion and Output Failed and Warned Rows.
 *  3. 03-error-stops: a column named "First Name", sent as it is (Import option Unknown Columns:
 *     Send As They Are, so the node's own column check and display-name mapping are skipped),
 *     stops the workflow with Marketo's error 1006.
 *  4. 04-continue-on-fail: the same import, and Get Status of an unknown batch (1013), with
 *     On Error = Continue: error items, and the run succeeds.
 *
 * The emulator numbers batches from 5001 (02-… reads batch 5001, the batch of run 1).
 * Four `n8n execute` runs per line; the Code node's code is also run here (it is
 * deterministic) to know what to expect.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

import {
	N8N_LINES,
	N8nInstance,
	getPackageTarball,
	lineLabel,
	type ExecutionResult,
	type JsonObject,
	type N8nLine,
	type WorkflowFixture,
} from './harness';
import { sandboxOptions, startMarketoEmulator, type Lead, type MarketoEmulator } from '../emulator';

const WORKFLOWS_DIR = path.join(__dirname, 'workflows');
const FIRST_BATCH_ID = 5001;
const CLIENT_ID = 'e2e-client';
// A secret with characters that need encoding in a form body. Throw-away, emulator only.
const CLIENT_SECRET = 'e2e-secret+/=&%?#';
const CREDENTIAL = { id: 'mktoE2eCred00001', name: 'Marketo (e2e emulator)' };
const SYSTEM_FIELDS = new Set(['id', 'createdAt', 'updatedAt', 'leadPartitionId', 'partitionName', 'listIds']);
const TOKEN_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:int/;

function loadWorkflow(file: string): WorkflowFixture {
	return JSON.parse(readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as WorkflowFixture;
}

const WF = {
	roundTrip: loadWorkflow('01-round-trip.json'),
	tokenSplit: loadWorkflow('02-token-expiry-split-import.json'),
	errorStops: loadWorkflow('03-error-stops.json'),
	continueOnFail: loadWorkflow('04-continue-on-fail.json'),
};

type Row = Record<string, unknown>;

/** Runs a workflow's Code node ("Run Once for All Items", no inputs) here, to know its output. */
function codeNodeOutput(wf: WorkflowFixture, nodeName: string): Row[] {
	const node = wf.nodes.find((n) => n.name === nodeName);
	const jsCode = (node?.parameters as { jsCode?: string } | undefined)?.jsCode;
	if (!jsCode) throw new Error(`"${wf.name}" has no Code node "${nodeName}"`);
	const items = new Function(jsCode)() as Array<{ json: Row }>;
	return items.map((i) => i.json);
}

/** What the node writes in a cell (and Marketo echoes in its reports): text. */
const cell = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** A generated lead as its report row: every column as text. */
function asReportRow(lead: Row, columns: string[]): Row {
	return Object.fromEntries(columns.map((c) => [c, cell(lead[c])]));
}

/** Indexes of generated leads matching a predicate. */
function indexesWhere(leads: Row[], predicate: (lead: Row) => boolean): number[] {
	return leads.flatMap((lead, i) => (predicate(lead) ? [i] : []));
}

/**
 * Compares the emulator's leads with the generated ones, value for value: a generated
 * non-empty value must be stored exactly (strings untouched, numbers and booleans typed),
 * an empty or null one not at all, and no other field may appear.
 * Returns the first few differences (empty when all match).
 */
function leadDifferences(stored: Lead[], generated: Row[], columns: string[]): string[] {
	const byEmail = new Map(stored.map((l) => [String(l.email ?? '').toLowerCase(), l]));
	const diffs: string[] = [];
	for (const lead of generated) {
		const email = String(lead.email);
		const s = byEmail.get(email.toLowerCase());
		if (!s) {
			diffs.push(`${email}: not in Marketo`);
			continue;
		}
		for (const c of columns) {
			const want = lead[c] === '' || lead[c] === null || lead[c] === undefined ? undefined : lead[c];
			if (s[c] !== want) diffs.push(`${email}.${c}: Marketo has ${JSON.stringify(s[c])}, generated ${JSON.stringify(want)}`);
		}
		const extra = Object.keys(s).filter((k) => !SYSTEM_FIELDS.has(k) && !columns.includes(k));
		if (extra.length) diffs.push(`${email}: unexpected fields ${extra.join(', ')}`);
		if (diffs.length >= 8) break;
	}
	return diffs;
}

function countBy<T>(list: T[], key: (t: T) => string): Record<string, number> {
	const out: Record<string, number> = {};
	for (const t of list) out[key(t)] = (out[key(t)] ?? 0) + 1;
	return out;
}

/** No run output or log line may hold the client secret or an access token. */
function expectNoSecrets(run: ExecutionResult) {
	const text = JSON.stringify(run.raw) + JSON.stringify(run.logs);
	expect(text).not.toContain(CLIENT_SECRET);
	expect(text).not.toMatch(TOKEN_RE);
}

describe.each(N8N_LINES.map((line) => [lineLabel(line), line] as [string, N8nLine]))(
	'Marketo Bulk Import in real n8n: %s',
	(_label, line) => {
		let n8n: N8nInstance;
		let emulator: MarketoEmulator;
		const ids: Record<keyof typeof WF, string> = { roundTrip: '', tokenSplit: '', errorStops: '', continueOnFail: '' };
		const timings: string[] = [];

		const execute = async (key: keyof typeof WF, allowError = false) => {
			const t0 = Date.now();
			const run = await n8n.execute(ids[key], { allowError });
			timings.push(`${key} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
			return run;
		};

		beforeAll(async () => {
			const t0 = Date.now();
			emulator = await startMarketoEmulator({
				...sandboxOptions({ twoPartitions: true }),
				host: '127.0.0.1',
				clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopeEmail: 'e2e@example.com' }],
				queuedMinMs: 200,
				importMinMs: 300,
				rowsPerSecond: 0,
				batchIdStart: FIRST_BATCH_ID,
			});
			n8n = await N8nInstance.create({ line, tarball: getPackageTarball() });
			await n8n.importCredentials([
				{
					...CREDENTIAL,
					type: 'marketoApi',
					data: { restEndpoint: `${emulator.url}/rest`, identityEndpoint: '', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
				},
			]);
			const [a, b, c, d] = await n8n.importWorkflows([WF.roundTrip, WF.tokenSplit, WF.errorStops, WF.continueOnFail]);
			Object.assign(ids, { roundTrip: a, tokenSplit: b, errorStops: c, continueOnFail: d });
			timings.push(`setup ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		});

		afterAll(async () => {
			console.log(`[marketo e2e ${lineLabel(line)}] ${timings.join(', ')}; emulator saw ${emulator?.requests().length} requests`);
			await n8n?.cleanup();
			await emulator?.close();
		});

		it(`1. ${WF.roundTrip.name}`, async () => {
			const run = await execute('roundTrip');
			const generated = codeNodeOutput(WF.roundTrip, 'Generate leads');
			const columns = ['email', 'firstName', 'lastName', 'company', 'leadScore', 'title', 'unsubscribed', 'customEmail'];
			const failedIdx = indexesWhere(generated, (l) => l.email === '');
			const warnedIdx = indexesWhere(generated, (l) => l.customEmail === 'bad');
			expect([failedIdx.length, warnedIdx.length]).toEqual([3, 4]);

			// n8n handed the Code node's items to the node unchanged.
			expect(run.itemsOf('Generate leads')).toEqual(generated);

			// Import: one batch (file) holding every item, not waited for.
			const imported = run.fullItemsOf('Import leads');
			expect(imported).toHaveLength(1);
			expect(imported[0].json).toMatchObject({
				batchId: FIRST_BATCH_ID,
				status: 'Queued',
				format: 'csv',
				lookupField: 'email',
				listId: '1001',
				partitionName: 'Europe',
				columns,
				file: { number: 1, of: 1, rows: 2000 },
				totals: { items: 2000, imported: 0, importedWithWarning: 0, failed: 0, notSubmitted: 0, pending: 2000, outcomeUnknown: 0 },
			});
			expect(imported[0].pairedItem).toEqual(generated.map((_, item) => ({ item })));

			expect(run.itemsOf('Get Status')).toEqual([
				expect.objectContaining({
					batchId: FIRST_BATCH_ID,
					status: 'Complete',
					numOfLeadsProcessed: 1997,
					numOfRowsFailed: 3,
					numOfRowsWithWarning: 4,
					timedOut: false,
				}),
			]);

			const byCompany = (a: Row, b: Row) => String(a.company).localeCompare(String(b.company));
			expect([...run.itemsOf('Get Failures')].sort(byCompany)).toEqual(
				failedIdx
					.map((i) => ({ ...asReportRow(generated[i], columns), importFailureReason: "Value for lookup field 'email' not found" }))
					.sort(byCompany),
			);
			expect([...run.itemsOf('Get Warnings')].sort(byCompany)).toEqual(
				warnedIdx
					.map((i) => ({ ...asReportRow(generated[i], columns), importWarningReason: 'Invalid email address' }))
					.sort(byCompany),
			);

			// What Marketo received and holds.
			const [job] = emulator.jobs();
			expect(emulator.jobs()).toHaveLength(1);
			expect(job).toMatchObject({
				batchId: FIRST_BATCH_ID,
				status: 'Complete',
				format: 'csv',
				lookupField: 'email',
				listId: 1001,
				partitionName: 'Europe',
				filename: 'e2e-round-trip.csv',
				dataRows: 2000,
				header: columns,
				hasBom: false,
			});
			const created = emulator.leads().filter((l) => String(l.email).startsWith('e2e.lead'));
			const expectedLeads = generated.filter((l) => l.email !== '');
			expect(created).toHaveLength(1997);
			expect(leadDifferences(created, expectedLeads, columns)).toEqual([]);
			expect(countBy(created, (l) => `${l.leadPartitionId} ${l.partitionName}`)).toEqual({ '2 Europe': 1997 });
			const seedMembers = emulator.leads().filter((l) => ['ada@example.com', 'grace@example.com'].includes(String(l.email)));
			expect(emulator.listMembers(1001).sort((a, b) => a - b)).toEqual(
				[...seedMembers, ...created].map((l) => l.id).sort((a, b) => a - b),
			);

			// One token for the whole run, in the Authorization header only.
			expect(emulator.tokenIssues()).toBe(1);
			expect(emulator.requests().filter((r) => r.path.startsWith('/bulk/')).every((r) => r.authorization === 'bearer')).toBe(true);
			expectNoSecrets(run);
		});

		it(`2. token expired between runs, then: ${WF.tokenSplit.name}`, async () => {
			const before = emulator.requests().length;
			const jobsBefore = emulator.jobs().length;
			emulator.expireTokens();
			const run = await execute('tokenSplit');
			const requests = emulator.requests().slice(before);

			// The token n8n stored in the credential in run 1 is refused once, renewed once, and
			// the refused call is replayed; every later call uses the new token.
			const tokenErrors = requests.filter((r) => r.code === '601' || r.code === '602');
			expect(tokenErrors.map((r) => `${r.code} ${r.method} ${r.path}`)).toEqual([
				`602 GET /bulk/v1/leads/batch/${FIRST_BATCH_ID}.json`,
			]);
			expect(emulator.tokenIssues()).toBe(2);
			const replay = requests.findIndex((r) => r.code === '602');
			expect(requests.slice(replay + 1).find((r) => r.path.startsWith('/bulk/'))).toMatchObject({
				path: `/bulk/v1/leads/batch/${FIRST_BATCH_ID}.json`,
				status: 200,
				code: undefined,
			});
			expect(run.itemsOf('Status of earlier batch')).toEqual([
				expect.objectContaining({ batchId: FIRST_BATCH_ID, status: 'Complete', numOfRowsFailed: 3, numOfRowsWithWarning: 4 }),
			]);
			expect(run.itemsOf('Failures of earlier batch')).toHaveLength(3);

			// The split import.
			const generated = codeNodeOutput(WF.tokenSplit, 'Generate leads');
			const columns = ['email', 'firstName', 'lastName', 'company', 'leadScore', 'title', 'unsubscribed', 'customEmail'];
			const failedIdx = indexesWhere(generated, (l) => l.email === '');
			const warnedIdx = indexesWhere(generated, (l) => l.customEmail === 'bad');
			expect([failedIdx.length, warnedIdx.length]).toEqual([5, 3]);

			// Batches on the first output, the failed and warned rows on the second (Rows to Fix).
			const batches = run.fullItemsOf('Import in files', { output: 0 });
			const rows = run.fullItemsOf('Import in files', { output: 1 });
			expect(batches.filter((i) => i.json.outcome !== undefined)).toEqual([]);
			expect(batches.length).toBeGreaterThanOrEqual(4);
			const totals = {
				items: 2000,
				imported: 2000 - failedIdx.length - warnedIdx.length,
				importedWithWarning: warnedIdx.length,
				failed: failedIdx.length,
				notSubmitted: 0,
				pending: 0,
				outcomeUnknown: 0,
			};
			batches.forEach((b, n) => {
				expect(b.json).toMatchObject({
					batchId: FIRST_BATCH_ID + 1 + n,
					status: 'Complete',
					format: 'ssv',
					listId: '1003',
					partitionName: 'Default',
					file: { number: n + 1, of: batches.length },
					totals,
				});
				const file = b.json.file as { rows: number; bytes: number };
				expect(file.bytes).toBeLessThanOrEqual(0.05 * 1024 * 1024);
				expect(Number(b.json.numOfLeadsProcessed) + Number(b.json.numOfRowsFailed)).toBe(file.rows);
			});
			expect(batches.reduce((s, b) => s + (b.json.file as { rows: number }).rows, 0)).toBe(2000);
			expect(batches.reduce((s, b) => s + Number(b.json.numOfRowsFailed), 0)).toBe(failedIdx.length);
			expect(batches.reduce((s, b) => s + Number(b.json.numOfRowsWithWarning), 0)).toBe(warnedIdx.length);
			// Each input item is paired with exactly one batch, in order.
			expect(batches.flatMap((b) => (b.pairedItem as Array<{ item: number }>).map((p) => p.item))).toEqual(
				generated.map((_, i) => i),
			);

			// Failed and warned rows: Marketo's reason, the row's values, paired with their own input item.
			const rowView = (i: { json: JsonObject; pairedItem?: unknown }) => ({
				item: (i.pairedItem as { item: number }).item,
				outcome: i.json.outcome,
				reason: i.json.importFailureReason ?? i.json.importWarningReason,
				values: Object.fromEntries(columns.map((c) => [c, i.json[c]])),
				traced: i.json.traced,
			});
			const expectedRow = (item: number, outcome: string, reason: string) => ({
				item,
				outcome,
				reason,
				values: asReportRow(generated[item], columns),
				traced: undefined,
			});
			const byItem = (a: { item: number }, b: { item: number }) => a.item - b.item;
			expect(rows.map(rowView).sort(byItem)).toEqual(
				[
					...failedIdx.map((i) => expectedRow(i, 'failed', "Value for lookup field 'email' not found")),
					...warnedIdx.map((i) => expectedRow(i, 'warning', 'Invalid email address')),
				].sort(byItem),
			);
			for (const r of rows) {
				const batch = batches.find((b) => b.json.batchId === r.json.batchId);
				expect((batch?.pairedItem as Array<{ item: number }>).map((p) => p.item)).toContain(
					(r.pairedItem as { item: number }).item,
				);
			}

			// Marketo: one job per file, each under the size limit, all Complete; the leads as generated.
			const jobs = emulator.jobs().slice(jobsBefore);
			expect(jobs.map((j) => [j.batchId, j.status, j.filename])).toEqual(
				batches.map((b, n) => [b.json.batchId, 'Complete', `e2e-split-${String(n + 1).padStart(3, '0')}.csv`]),
			);
			expect(jobs.every((j) => j.file.length <= 0.05 * 1024 * 1024 && j.delimiter === ';' && j.listId === 1003)).toBe(true);
			const created = emulator.leads().filter((l) => String(l.email).startsWith('split'));
			const expectedLeads = generated.filter((_, i) => !failedIdx.includes(i));
			expect(created).toHaveLength(expectedLeads.length);
			expect(leadDifferences(created, expectedLeads, columns)).toEqual([]);
			expect(countBy(created, (l) => `${l.partitionName} lists ${l.listIds.join(',')}`)).toEqual({
				[`Default lists 1003`]: expectedLeads.length,
			});
			expect(emulator.tokenIssues()).toBe(2);
			expectNoSecrets(run);
		});

		it(`3. ${WF.errorStops.name}`, async () => {
			const jobsBefore = emulator.jobs().length;
			const run = await execute('errorStops', true);
			console.log(`[marketo e2e ${lineLabel(line)}] stop error as n8n reports it: ${run.errorMessage}`);
			expect(run.status).toBe('error');
			expect(run.errorMessage).toMatch(/^Marketo error 1006: Field 'First Name' not found\. No batch was accepted by Marketo\./);
			expect(run.errorMessage).toMatch(/REST API names/);
			expect(run.lastNodeExecuted).toBe('Import leads');
			expect(run.nodeError('Import leads')).toBeDefined();
			expect(run.runData['After import']).toBeUndefined();
			expect(emulator.jobs()).toHaveLength(jobsBefore);
			expectNoSecrets(run);
		});

		it(`4. ${WF.continueOnFail.name}`, async () => {
			const jobsBefore = emulator.jobs().length;
			const run = await execute('continueOnFail');
			expect(run.status).toBe('success');
			expect(run.itemsOf('Import leads')).toEqual([
				{
					error: expect.stringMatching(/^Marketo error 1006: Field 'First Name' not found\. No batch was accepted by Marketo\. Not submitted: items 0–2 \(3 of 3\b/),
					acceptedBatchIds: [],
					notSubmittedItems: [0, 1, 2],
					totals: { items: 3, imported: 0, importedWithWarning: 0, failed: 0, notSubmitted: 3, pending: 0, outcomeUnknown: 0 },
				},
			]);
			expect(run.itemsOf('After import')).toHaveLength(1);
			expect(run.itemsOf('Status of unknown batch')).toEqual([{ error: 'Marketo error 1013: Object not found' }]);
			expect(emulator.jobs()).toHaveLength(jobsBefore);
			expectNoSecrets(run);
		});
	},
);
