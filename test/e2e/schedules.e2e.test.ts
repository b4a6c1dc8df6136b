/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- a test: it reads n8n's database with the sqlite3 command */
/**
 * Skip Unchanged Rows in a real n8n (both lines), through `n8n execute`: a CSV file of 10,000
 * leads from a Code node, imported twice. Between the runs the workflow is imported again with a source that
 * changes 100 leads and adds 50 (same workflow and node IDs, as when a user edits it): the
 * second run uploads exactly those 150 rows. The history is read from n8n's own database
 * (table processed_data, one row per workflow and node) after each run.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

import { N8N_LINES, N8nInstance, getPackageTarball, lineLabel, type N8nLine, type WorkflowFixture } from './harness';
import { startMarketoEmulator, type MarketoEmulator } from '../emulator';
import { parseDelimited } from '../../nodes/MarketoBulkImport/csv';

const CLIENT_ID = 'e2e-client';
const CLIENT_SECRET = 'e2e-secret-map';
const WORKFLOW_ID = 'mktoE2eSchedule1';
const IMPORT_NODE_ID = '0004e8d1-e2e0-4000-8000-000000000003';
const LEADS = 10_000;

/** The source: 10,000 leads; `changed` of them with a new title, and `added` more. */
function workflow(changed: number, added: number): WorkflowFixture {
	// One CSV file (as a CRM export), not 10,000 items: `n8n execute` prints the whole run as one
	// log line, and a print of several MB can be cut off when n8n exits.
	const code = [
		`const changed = ${changed}, added = ${added};`,
		`const lines = ['email,firstName,company,title'];`,
		`for (let i = 0; i < ${LEADS} + added; i++) {`,
		`  const title = i % 97 === 0 && i / 97 < changed ? 'Changed' : 'Engineer';`,
		`  lines.push('sched' + i + '@example.com,Ann ' + (i % 13) + ',"Acme, Inc. ""' + (i % 7) + '"""' + ',' + title);`,
		`}`,
		`const csv = lines.join('\\r\\n');`,
		`const data = typeof Buffer !== 'undefined' ? Buffer.from(csv, 'utf8').toString('base64') : btoa(csv);`,
		`return [{ json: { rows: lines.length - 1 }, binary: { data: { data, mimeType: 'text/csv', fileName: 'contacts.csv', fileExtension: 'csv' } } }];`,
	].join('\n');
	return {
		id: WORKFLOW_ID,
		name: 'Marketo e2e: Skip Unchanged Rows, 10,000 leads',
		nodes: [
			{ parameters: {}, id: '0004e8d1-e2e0-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			{ parameters: { jsCode: code }, id: '0004e8d1-e2e0-4000-8000-000000000002', name: 'Source', type: 'n8n-nodes-base.code', typeVersion: 2, position: [220, 0] },
			{
				parameters: {
					resource: 'lead',
					operation: 'import',
					inputSource: 'binaryFile',
					format: 'csv',
					lookupField: 'email',
					options: { waitForCompletion: true, skipUnchanged: true, pollIntervalSeconds: 0.25, timeoutMinutes: 3, retryWaitSeconds: 0.1 },
				},
				id: IMPORT_NODE_ID,
				name: 'Import',
				type: 'n8n-nodes-marketo-bulk.marketoBulkImport',
				typeVersion: 1,
				position: [440, 0],
				credentials: { marketoApi: { id: 'mktoE2eCred00001', name: 'Marketo (e2e emulator)' } },
			},
		],
		connections: {
			Start: { main: [[{ node: 'Source', type: 'main', index: 0 }]] },
			Source: { main: [[{ node: 'Import', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

/** Entries n8n holds for the Import node, read from its sqlite database. */
function rememberedEntries(userFolder: string): number {
	const database = path.join(userFolder, '.n8n', 'database.sqlite');
	const out = execFileSync('sqlite3', [
		database,
		`SELECT json_array_length(value, '$.data') FROM processed_data WHERE workflowId = '${WORKFLOW_ID}' AND context = 'n:${IMPORT_NODE_ID}'`,
	])
		.toString()
		.trim();
	return out === '' ? 0 : Number(out);
}

describe.each(N8N_LINES.map((line) => [lineLabel(line), line] as [string, N8nLine]))('Skip Unchanged Rows in real n8n: %s', (_label, line) => {
	let n8n: N8nInstance;
	let emulator: MarketoEmulator;

	beforeAll(async () => {
		emulator = await startMarketoEmulator({
			host: '127.0.0.1',
			clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
			queuedMinMs: 50,
			importMinMs: 100,
			rowsPerSecond: 0,
		});
		n8n = await N8nInstance.create({ line, tarball: getPackageTarball() });
		await n8n.importCredentials([
			{
				id: 'mktoE2eCred00001',
				name: 'Marketo (e2e emulator)',
				type: 'marketoApi',
				data: { restEndpoint: `${emulator.url}/rest`, identityEndpoint: '', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
			},
		]);
	}, 120_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await emulator?.close();
	});

	it('10,000 leads twice: the second run, with 100 changed and 50 new, uploads only those 150; the history is in n8n\'s database', async () => {
		await n8n.importWorkflows([workflow(0, 0)]);
		const first = await n8n.execute(WORKFLOW_ID);
		const [batch] = first.itemsOf('Import');
		expect(batch).toMatchObject({ status: 'Complete', totals: { items: LEADS, imported: LEADS, skippedUnchanged: 0 } });
		expect(emulator.jobs().reduce((rows, job) => rows + job.dataRows, 0)).toBe(LEADS);
		expect(rememberedEntries(n8n.userFolder)).toBe(LEADS);

		// The user edits the source (same workflow, same node): the history stays in the database.
		await n8n.importWorkflows([workflow(100, 50)]);
		expect(rememberedEntries(n8n.userFolder)).toBe(LEADS);
		const jobsBefore = emulator.jobs().length;
		const second = await n8n.execute(WORKFLOW_ID);

		const sent = emulator
			.jobs()
			.slice(jobsBefore)
			.flatMap((job) => {
				const [header, ...rows] = parseDelimited(job.file.toString('utf8'), ',');
				return rows.map((cells) => ({ email: cells[header.indexOf('email')], title: cells[header.indexOf('title')] }));
			});
		const expected = [
			...Array.from({ length: 100 }, (_, k) => ({ email: `sched${k * 97}@example.com`, title: 'Changed' })),
			...Array.from({ length: 50 }, (_, k) => ({ email: `sched${LEADS + k}@example.com`, title: 'Engineer' })),
		];
		expect(sent).toEqual(expected);
		const items = second.itemsOf('Import');
		expect(items.find((item) => item.batchId !== undefined)).toMatchObject({
			totals: { items: LEADS + 50, imported: 150, skippedUnchanged: LEADS - 100, failed: 0, notSubmitted: 0 },
		});
		expect(items.find((item) => item.outcome === 'skippedUnchanged')).toMatchObject({ rows: LEADS - 100, remembered: true });
		// One entry per lead: the 100 old versions were replaced by the new ones, the 50 new added.
		expect(rememberedEntries(n8n.userFolder)).toBe(LEADS + 50);
	}, 600_000);
});
