/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * Fields picked in the editor ("Map Each Field Below") and a static list given by ID, in a
 * real n8n, against the emulator: only the mapped fields reach Marketo, typed as Marketo
 * wants them, and the leads join the list.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

import { N8N_LINES, N8nInstance, getPackageTarball, lineLabel, type N8nLine, type WorkflowFixture } from './harness';
import { sandboxOptions, startMarketoEmulator, type MarketoEmulator } from '../emulator';

const workflow = JSON.parse(
	readFileSync(path.join(__dirname, 'workflows', '05-map-each-field.json'), 'utf8'),
) as WorkflowFixture;
const CLIENT_ID = 'e2e-client';
const CLIENT_SECRET = 'e2e-secret-map';

describe.each(N8N_LINES.map((line) => [lineLabel(line), line] as [string, N8nLine]))(
	'Map Each Field Below in real n8n: %s',
	(_label, line) => {
		let n8n: N8nInstance;
		let emulator: MarketoEmulator;
		let workflowId: string;

		beforeAll(async () => {
			emulator = await startMarketoEmulator({
				...sandboxOptions({ twoPartitions: true }),
				host: '127.0.0.1',
				clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
				queuedMinMs: 100,
				importMinMs: 200,
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
			[workflowId] = await n8n.importWorkflows([workflow]);
		});

		afterAll(async () => {
			await n8n?.cleanup();
			await emulator?.close();
		});

		it(workflow.name, async () => {
			const run = await n8n.execute(workflowId);
			const [batch] = run.itemsOf('Import mapped');
			expect(batch).toMatchObject({
				status: 'Complete',
				format: 'tsv',
				listId: '1002',
				columns: ['email', 'firstName', 'leadScore'],
				totals: { items: 3, imported: 3 },
			});

			const [job] = emulator.jobs();
			expect(job.file.toString('utf8')).toBe(
				'email\tfirstName\tleadScore\r\nmap.one@example.com\tØyvind\t12\r\nmap.two@example.com\t"Zoë, ""Z"""\t7\r\nmap.three@example.com\tLi\t',
			);
			const leads = emulator.leads().filter((lead) => String(lead.email).startsWith('map.'));
			expect(leads.map((lead) => [lead.email, lead.firstName, lead.leadScore, lead.Notes])).toEqual([
				['map.one@example.com', 'Øyvind', 12, undefined],
				['map.two@example.com', 'Zoë, "Z"', 7, undefined],
				['map.three@example.com', 'Li', undefined, undefined],
			]);
			expect(emulator.listMembers(1002)).toEqual(expect.arrayContaining(leads.map((lead) => lead.id)));
		});
	},
);
