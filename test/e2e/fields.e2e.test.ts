/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Fields picked in the editor ("Map Each Field Below") for leads (with a static list given by ID),
 * custom objects and program members, in a real n8n, against the emulator: only the mapped
 * fields reach Marketo, typed as Marketo wants them, and the leads join the list. An item whose
 * required (dedupe) field is empty fails alone, as Marketo fails it, in both n8n lines, and
 * reaches the No Op on Import's second output (Rows to Fix) while the batch reaches the one on
 * the first. Run as an AI agent's tool (n8n's Tool Executor, fields from $fromAI), Import answers
 * with the batch and the rows to fix together, on the one output an agent reads.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

import { N8N_LINES, N8nInstance, getPackageTarball, lineLabel, type N8nLine, type WorkflowFixture } from './harness';
import { sandboxOptions, startMarketoEmulator, type MarketoEmulator } from '../emulator';

const loadWorkflow = (file: string) => JSON.parse(readFileSync(path.join(__dirname, 'workflows', file), 'utf8')) as WorkflowFixture;
const workflow = loadWorkflow('05-map-each-field.json');
const sisterWorkflow = loadWorkflow('06-map-each-field-sister-imports.json');
const toolWorkflow = loadWorkflow('07-import-as-tool.json');
type JsonObjectList = Array<Record<string, unknown>>;
const CLIENT_ID = 'e2e-client';
const CLIENT_SECRET = 'e2e-secret-map';

describe.each(N8N_LINES.map((line) => [lineLabel(line), line] as [string, N8nLine]))(
	'Map Each Field Below in real n8n: %s',
	(_label, line) => {
		let n8n: N8nInstance;
		let emulator: MarketoEmulator;
		let workflowId: string;
		let sisterWorkflowId: string;
		let toolWorkflowId: string;

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
			[workflowId, sisterWorkflowId, toolWorkflowId] = await n8n.importWorkflows([workflow, sisterWorkflow, toolWorkflow]);
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

		it(sisterWorkflow.name, async () => {
			const run = await n8n.execute(sisterWorkflowId);
			// Custom object: the mapped fields, converted; the row with an empty dedupe field fails alone.
			expect(run.itemsOf('Import cars')[0]).toMatchObject({
				status: 'Complete',
				customObjectName: 'car_c',
				columns: ['vin', 'make', 'year', 'customerEmail'],
				totals: { items: 3, imported: 2, failed: 1 },
			});
			// Two outputs: the batch on Batches, the failed row on Rows to Fix, each reaching its No Op.
			expect(run.itemsOf('Import cars', { output: 0 })).toHaveLength(1);
			expect(run.itemsOf('Car batches')).toEqual(run.itemsOf('Import cars', { output: 0 }));
			const carsToFix = run.fullItemsOf('Import cars', { output: 1 });
			expect(carsToFix).toEqual([
				expect.objectContaining({
					json: expect.objectContaining({ make: 'Lada', outcome: 'failed', importFailureReason: 'missing.dedupe.fields' }),
					pairedItem: { item: 2 },
				}),
			]);
			expect(run.itemsOf('Cars to fix')).toEqual(carsToFix.map((item) => item.json));
			const carJob = emulator.jobs().find((job) => job.kind === 'customObject');
			expect(carJob?.file.toString('utf8')).toBe(
				'vin,make,year,customerEmail\r\nE2E00000000000001,Škoda,2019,sister.one@example.com\r\nE2E00000000000002,"Citroën, ""DS""",2021,sister.two@example.com\r\n,Lada,1990,sister.three@example.com',
			);
			const cars = emulator.customObjectRecords('car_c').filter((car) => String(car.fields.vin).startsWith('E2E'));
			expect(cars.map((car) => [car.fields.vin, car.fields.make, car.fields.year])).toEqual([
				['E2E00000000000001', 'Škoda', 2019],
				['E2E00000000000002', 'Citroën, "DS"', 2021],
			]);

			// Program members: lead and member fields, email first; members get the chosen status.
			expect(run.itemsOf('Import members')[0]).toMatchObject({
				status: 'Complete',
				programId: '2001',
				programMemberStatus: 'Registered',
				columns: ['email', 'firstName', 'registrationCode', 'pmScore'],
				totals: { items: 3, imported: 3 },
			});
			const memberJob = emulator.jobs().find((job) => job.kind === 'programMember');
			expect(memberJob?.file.toString('utf8')).toBe(
				'email\tfirstName\tregistrationCode\tpmScore\r\nsister.one@example.com\tÅsa\tREG-1\t12\r\nsister.two@example.com\tZoë\tREG-2\t7\r\nsister.three@example.com\tLi\t\t',
			);
			const one = emulator.leads().find((lead) => lead.email === 'sister.one@example.com');
			expect(one?.firstName).toBe('Åsa');
			const membership = emulator.programMembers(2001).find((member) => member.leadId === one?.id);
			expect(membership).toMatchObject({ progressionStatus: 'Registered', fields: { registrationCode: 'REG-1', pmScore: 12 } });
		});

		it(toolWorkflow.name, async () => {
			const run = await n8n.execute(toolWorkflowId);
			// What the agent got: the tool's one answer, from the node's first output only. (The Tool
			// Executor passes n8n 1.x its whole query, n8n 2.x the entry named after the tool: the workflow has both.)
			const answers = run.runData['Import as tool']?.map((toolRun) => (toolRun.data as { ai_tool?: unknown[][] } | undefined)?.ai_tool?.[0]?.[0]);
			expect(answers).toHaveLength(1);
			const response = (answers?.[0] as { json: { response: JsonObjectList } }).json.response;
			expect(response).toEqual([
				expect.objectContaining({ status: 'Complete', partitionName: 'Europe', totals: expect.objectContaining({ items: 1, importedWithWarning: 1 }) }),
				expect.objectContaining({ email: 'tool.one@example.com', outcome: 'warning', importWarningReason: 'Invalid email address' }),
			]);
			const lead = emulator.leads().find((candidate) => candidate.email === 'tool.one@example.com');
			expect(lead).toMatchObject({ firstName: 'Tuuli', partitionName: 'Europe' });
		});
	},
);
