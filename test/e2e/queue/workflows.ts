/* eslint-disable @n8n/community-nodes/no-dangerous-functions */
/**
 * The queue-mode workflows: Webhook (POST, answers at once) → Code node generating leads →
 * Marketo Bulk Import (Wait for Completion). One builder, so that the three workflows differ
 * only in what they are about (webhook path, lead prefix and count, file size, queue places).
 */
import type { JsonObject, WorkflowFixture } from '../harness';

export interface ImportWorkflowSpec {
	/** ≤ 21 characters. */
	id: string;
	name: string;
	/** Production webhook path: POST /webhook/<path>. */
	webhookPath: string;
	/** Every email is `<prefix><n>@example.org`: tells the runs apart in the emulator. */
	prefix: string;
	leads: number;
	maxFileSizeMb: number;
	maxInQueue: number;
	pollIntervalSeconds: number;
	credential: { id: string; name: string };
}

/** The columns the generated leads have, in order. */
export const LEAD_COLUMNS = ['email', 'firstName', 'lastName', 'company', 'leadScore', 'title', 'unsubscribed'];

/**
 * The Code node's code ("Run Once for All Items"). Deterministic, so the test runs the same
 * code to know what Marketo must hold. Awkward values on purpose: commas, quotes, semicolons,
 * CR/LF, non-ASCII, emoji, leading and trailing spaces, empty and null cells.
 */
export function leadGeneratorCode(prefix: string, count: number): string {
	return [
		'// Deterministic test data: the queue-mode e2e test runs this same code to know what Marketo must hold.',
		`const prefix = ${JSON.stringify(prefix)};`,
		`const count = ${count};`,
		"const first = ['Zoë', 'José', 'Łukasz', '明', \"O'Brien\", '  Leading', 'Ann'];",
		"const last = ['Smith, Jr.', 'Müller', '\"The Rock\"', 'Line\\nBreak', 'Semi;colon', 'Trailing  ', 'Crlf\\r\\nHere', ''];",
		"const companies = ['Acme, Inc. \"Global\"', 'Straße & Söhne; GmbH', '😀 Emoji Ltd', '日本株式会社'];",
		'const leads = [];',
		'for (let i = 0; i < count; i++) {',
		'  leads.push({',
		"    email: prefix + i + '@example.org',",
		'    firstName: first[i % first.length],',
		'    lastName: last[(i * 3) % last.length],',
		"    company: i % 9 === 0 ? companies[(i / 9) % companies.length] : 'Company ' + (i % 1000),",
		'    leadScore: i % 100,',
		"    title: i % 4 === 0 ? 'VP\\r\\nSales' : i % 4 === 1 ? 'Engineer' : null,",
		'    unsubscribed: i % 2 === 0,',
		'  });',
		'}',
		'return leads.map((json) => ({ json }));',
		'',
	].join('\n');
}

export type GeneratedLead = Record<string, unknown>;

/** Runs a generator's code here, as the Code node runs it in n8n. */
export function generatedLeads(prefix: string, count: number): GeneratedLead[] {
	const items = new Function(leadGeneratorCode(prefix, count))() as Array<{ json: GeneratedLead }>;
	return items.map((i) => i.json);
}

/** Node ids: uuid-shaped, stable per workflow id (n8n only needs them unique). */
function nodeUuid(workflowId: string, n: number): string {
	let h = 0;
	for (const c of workflowId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
	const hex = h.toString(16).padStart(8, '0').slice(0, 8);
	return `${hex}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export const WEBHOOK_NODE = 'Webhook';
export const GENERATE_NODE = 'Generate leads';
export const IMPORT_NODE = 'Import leads';

export function importWorkflow(spec: ImportWorkflowSpec): WorkflowFixture {
	const nodes: JsonObject[] = [
		{
			parameters: {
				httpMethod: 'POST',
				path: spec.webhookPath,
				responseMode: 'onReceived',
				options: {},
			},
			id: nodeUuid(spec.id, 1),
			name: WEBHOOK_NODE,
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: nodeUuid(spec.id, 100),
		},
		{
			parameters: { jsCode: leadGeneratorCode(spec.prefix, spec.leads) },
			id: nodeUuid(spec.id, 2),
			name: GENERATE_NODE,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
		},
		{
			parameters: {
				resource: 'lead',
				operation: 'import',
				format: 'csv',
				lookupField: 'email',
				options: {
					fileName: spec.prefix.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, ''),
					maxFileSizeMb: spec.maxFileSizeMb,
					maxInQueue: spec.maxInQueue,
					waitForCompletion: true,
					pollIntervalSeconds: spec.pollIntervalSeconds,
					timeoutMinutes: 10,
					retryWaitSeconds: 1,
					queueWaitSeconds: 1,
					maxQueueWaitMinutes: 5,
				},
			},
			id: nodeUuid(spec.id, 3),
			name: IMPORT_NODE,
			type: 'n8n-nodes-marketo-bulk.marketoBulkImport',
			typeVersion: 1,
			position: [440, 0],
			credentials: { marketoApi: { id: spec.credential.id, name: spec.credential.name } },
		},
	];
	return {
		id: spec.id,
		name: spec.name,
		nodes,
		connections: {
			[WEBHOOK_NODE]: { main: [[{ node: GENERATE_NODE, type: 'main', index: 0 }]] },
			[GENERATE_NODE]: { main: [[{ node: IMPORT_NODE, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		pinData: {},
	};
}
