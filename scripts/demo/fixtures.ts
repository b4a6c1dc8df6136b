/**
 * What the demo puts into n8n: the owner login, a credential for the local Marketo sandbox,
 * an example workflow (Manual Trigger → Code "spreadsheet rows" → Import → Get Status →
 * Get Failures), and a second one, never run by the demo, whose three imports (leads, custom
 * object records, program members) map their fields one by one (Fields to Send → Map Each
 * Field Below) from pinned sample rows.
 */
import type { CredentialFixture, WorkflowFixture } from '../../test/e2e/harness';

export const PACKAGE_NAME = 'n8n-nodes-marketo-bulk';
export const NODE_TYPE = `${PACKAGE_NAME}.marketoBulkImport`;

/** Owner account created through `POST /rest/owner/setup` (a throw-away local instance). */
export const DEMO_OWNER = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'User',
	// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
	password: 'Marketo-Demo-2026',
};

export const CREDENTIAL_ID = 'mktoSandboxCred01';
export const CREDENTIAL_NAME = 'Marketo sandbox (local emulator)';
export const WORKFLOW_ID = 'mktoBulkDemoWf01';
export const WORKFLOW_NAME = 'Marketo Bulk Import demo';

/** Names of the example workflow's nodes (the screenshots script opens them by name). */
export const NODES = {
	trigger: "When clicking 'Execute workflow'",
	rows: 'Spreadsheet rows',
	import: 'Import leads',
	status: 'Get import status',
	failures: 'Get failed rows',
	rowsToFix: 'Rows to fix',
} as const;

export const MAPPED_WORKFLOW_ID = 'mktoBulkDemoWf02';
export const MAPPED_WORKFLOW_NAME = 'Marketo Bulk Import: mapped fields, nightly';

/** Names of the mapped-fields workflow's nodes. */
export const MAPPED_NODES = {
	trigger: 'Every night',
	contacts: 'CRM contacts',
	cars: 'Cars sold',
	registrations: 'Webinar registrations',
	leads: 'Import contacts as leads',
	cars_import: 'Import cars',
	members: 'Add webinar registrants',
} as const;

/** The sandbox accepts the emulator's default client. */
export function sandboxCredential(emulatorUrl: string): CredentialFixture {
	return {
		id: CREDENTIAL_ID,
		name: CREDENTIAL_NAME,
		type: 'marketoApi',
		data: {
			restEndpoint: `${emulatorUrl}/rest`,
			clientId: 'test-client',
			clientSecret: 'test-secret',
		},
	};
}

/**
 * Rows as they might come out of a spreadsheet of trade-show contacts. Two are bad on purpose:
 * Hannah has no email (Marketo fails the row: the lookup field is empty) and Olivia's
 * customEmail is not an address (Marketo imports the row with a warning). Ada is already in
 * the sandbox, so she is updated rather than created. Commas, quotes and accents check the
 * CSV writer.
 */
export const SAMPLE_LEADS: Array<Record<string, string>> = [
	{
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.com',
		company: 'Analytical Engines',
		title: 'Chief Scientist',
		city: 'London',
		country: 'GB',
	},
	{
		firstName: 'Priya',
		lastName: 'Raman',
		email: 'priya.raman@northwind.example',
		company: 'Northwind Traders',
		title: 'VP Marketing',
		city: 'Chicago',
		country: 'US',
	},
	{
		firstName: 'Lukas',
		lastName: 'Becker',
		email: 'lukas.becker@alpenblick.example',
		company: 'Alpenblick GmbH',
		title: 'Head of Sales',
		city: 'Munich',
		country: 'DE',
	},
	{
		firstName: 'Sofia',
		lastName: 'Marino',
		email: 'sofia.marino@lumenlabs.example',
		company: 'Lumen Labs',
		title: 'Marketing Operations Manager',
		city: 'Milan',
		country: 'IT',
	},
	{
		firstName: 'James',
		lastName: "O'Connor",
		email: 'james.oconnor@harborview.example',
		company: 'Harborview Logistics',
		title: 'Director of Operations',
		city: 'Dublin',
		country: 'IE',
	},
	{
		firstName: 'Mei',
		lastName: 'Chen',
		email: 'mei.chen@bluepeak.example',
		company: 'Bluepeak Analytics, Inc.',
		title: 'Data Analyst',
		city: 'Singapore',
		country: 'SG',
	},
	{
		firstName: 'Diego',
		lastName: 'Álvarez',
		email: 'diego.alvarez@solaria.example',
		company: 'Solaria Energía',
		title: 'Procurement Lead',
		city: 'Madrid',
		country: 'ES',
	},
	{
		firstName: 'Hannah',
		lastName: 'Schmidt',
		email: '',
		company: 'Rheinwerk Systems',
		title: 'IT Manager',
		city: 'Cologne',
		country: 'DE',
	},
	{
		firstName: 'Olivia',
		lastName: 'Brown',
		email: 'olivia.brown@crescenthealth.example',
		company: 'Crescent Health',
		title: 'Product Manager',
		city: 'Boston',
		country: 'US',
		customEmail: 'olivia.brown(at)crescenthealth',
	},
	{
		firstName: 'Tom',
		lastName: 'Williams',
		email: 'tom.williams@oakridge.example',
		company: 'Oakridge Realty',
		title: 'Managing Broker',
		city: 'Austin',
		country: 'US',
	},
	{
		firstName: 'Aiko',
		lastName: 'Tanaka',
		email: 'aiko.tanaka@sakura-digital.example',
		company: 'Sakura Digital',
		title: 'Growth Marketer',
		city: 'Tokyo',
		country: 'JP',
	},
	{
		firstName: 'Noah',
		lastName: 'Fischer',
		email: 'noah.fischer@fjordline.example',
		company: 'Fjordline Shipping',
		title: 'CFO',
		city: 'Oslo',
		country: 'NO',
	},
	{
		firstName: 'Chloé',
		lastName: 'Dubois',
		email: 'chloe.dubois@maisonverte.example',
		company: 'Maison Verte',
		title: 'Brand Manager',
		city: 'Lyon',
		country: 'FR',
	},
	{
		firstName: 'Ravi',
		lastName: 'Patel',
		email: 'ravi.patel@quantumleaf.example',
		company: 'QuantumLeaf Software',
		title: 'CTO',
		city: 'Bengaluru',
		country: 'IN',
	},
	{
		firstName: 'Emma',
		lastName: 'Johansson',
		email: 'emma.johansson@nordlys.example',
		company: 'Nordlys Design "Studio"',
		title: 'Creative Director',
		city: 'Stockholm',
		country: 'SE',
		customEmail: 'emma@nordlys.example',
	},
];

function codeNodeSource(): string {
	const rows = SAMPLE_LEADS.map((row) => `\t${JSON.stringify(row)},`).join('\n');
	return [
		'// Stand-in for a spreadsheet, CRM export or form submissions: one item per lead.',
		'// Field names are Marketo REST API names (Admin → Field Management → export field names).',
		"// Two rows are bad on purpose: Hannah has no email, Olivia's customEmail is not an address.",
		'const rows = [',
		rows,
		'];',
		'return rows.map((json) => ({ json }));',
		'',
	].join('\n');
}

/** A Marketo node of the demo (the ones after Import run once, on the batch item). */
const leadNode = (
	name: string,
	position: [number, number],
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
) => ({
	id: nodeUuid(name),
	name,
	type: NODE_TYPE,
	typeVersion: 1,
	position,
	parameters,
	credentials: { marketoApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
	...extra,
});

/** Stable uuid-shaped node ids, so re-imports and screenshots are reproducible. */
function nodeUuid(name: string): string {
	let h = 0x811c9dc5;
	const hex: string[] = [];
	for (let round = 0; round < 4; round++) {
		for (const ch of `${round}:${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
		hex.push(h.toString(16).padStart(8, '0'));
	}
	const s = hex.join('');
	return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

/** A Code node whose output is pinned, so the next node's panel shows input without a run. */
const pinnedRowsNode = (name: string, position: [number, number], comment: string) => ({
	id: nodeUuid(name),
	name,
	type: 'n8n-nodes-base.code',
	typeVersion: 2,
	position,
	parameters: { jsCode: `// ${comment}\n// Its output is pinned in the demo.\nreturn [];\n` },
});

/**
 * "Fields to Send" → Map Each Field Below: Marketo field ← expression on the input item. The
 * schema (the field list) is left to n8n, which loads it from Marketo when the panel opens: a
 * saved one that differs from Marketo's in any way is flagged as stale.
 */
const mapEachField = (fields: Array<{ id: string; value: string }>) => ({
	mappingMode: 'defineBelow',
	value: Object.fromEntries(fields.map((f) => [f.id, f.value])),
	matchingColumns: [],
	schema: [],
	attemptToConvertTypes: false,
	convertFieldsToString: false,
});

/**
 * Column names from other systems ("E-mail", "Company name") that Map Automatically would not
 * match: each import names its Marketo fields and fills them by expression.
 */
export function mappedFieldsWorkflow(): WorkflowFixture {
	const waitAndReport = { waitForCompletion: true, outputRows: true };
	return {
		id: MAPPED_WORKFLOW_ID,
		name: MAPPED_WORKFLOW_NAME,
		active: false,
		nodes: [
			{
				id: nodeUuid(MAPPED_NODES.trigger),
				name: MAPPED_NODES.trigger,
				type: 'n8n-nodes-base.scheduleTrigger',
				typeVersion: 1.2,
				position: [0, 200],
				parameters: { rule: { interval: [{ field: 'days', triggerAtHour: 2 }] } },
			},
			pinnedRowsNode(MAPPED_NODES.contacts, [220, 0], 'Contacts from the CRM, with its own column names.'),
			pinnedRowsNode(MAPPED_NODES.cars, [220, 200], 'Cars sold today, one item per car.'),
			pinnedRowsNode(MAPPED_NODES.registrations, [220, 400], 'Registrations from the webinar platform.'),
			leadNode(MAPPED_NODES.leads, [440, 0], {
				resource: 'lead',
				operation: 'import',
				lookupField: 'email',
				columns: mapEachField([
					{ id: 'email', value: '={{ $json["E-mail"] }}' },
					{ id: 'firstName', value: '={{ $json["Given name"] }}' },
					{ id: 'lastName', value: '={{ $json["Family name"] }}' },
					{ id: 'company', value: '={{ $json["Company name"] }}' },
				]),
				// The nightly run sends only rows that changed since Marketo last confirmed them.
				options: {
					...waitAndReport,
					skipUnchanged: true,
					rememberedRowsLimit: 100000,
					rememberManualExecutions: false,
					dryRun: false,
				},
			}),
			leadNode(MAPPED_NODES.cars_import, [440, 200], {
				resource: 'customObject',
				operation: 'import',
				customObjectName: 'car_c',
				columns: mapEachField([
					{ id: 'vin', value: '={{ $json.VIN }}' },
					{ id: 'make', value: '={{ $json.Brand }}' },
					{ id: 'model', value: '={{ $json.Model }}' },
					{ id: 'year', value: '={{ $json["Model year"] }}' },
					{ id: 'customerEmail', value: '={{ $json["Buyer e-mail"] }}' },
				]),
				options: waitAndReport,
			}),
			leadNode(MAPPED_NODES.members, [440, 400], {
				resource: 'programMember',
				operation: 'import',
				programId: '2001',
				programMemberStatus: 'Registered',
				columns: mapEachField([
					{ id: 'email', value: '={{ $json.attendee_email }}' },
					{ id: 'registrationCode', value: '={{ $json.ticket }}' },
					{ id: 'firstName', value: '={{ $json.first }}' },
					{ id: 'lastName', value: '={{ $json.last }}' },
				]),
				options: waitAndReport,
			}),
		],
		connections: {
			[MAPPED_NODES.trigger]: {
				main: [
					[
						{ node: MAPPED_NODES.contacts, type: 'main', index: 0 },
						{ node: MAPPED_NODES.cars, type: 'main', index: 0 },
						{ node: MAPPED_NODES.registrations, type: 'main', index: 0 },
					],
				],
			},
			[MAPPED_NODES.contacts]: { main: [[{ node: MAPPED_NODES.leads, type: 'main', index: 0 }]] },
			[MAPPED_NODES.cars]: { main: [[{ node: MAPPED_NODES.cars_import, type: 'main', index: 0 }]] },
			[MAPPED_NODES.registrations]: { main: [[{ node: MAPPED_NODES.members, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {
			[MAPPED_NODES.contacts]: [
				{ 'E-mail': 'priya.raman@northwind.example', 'Given name': 'Priya', 'Family name': 'Raman', 'Company name': 'Northwind Traders' },
				{ 'E-mail': 'lukas.becker@alpenblick.example', 'Given name': 'Lukas', 'Family name': 'Becker', 'Company name': 'Alpenblick GmbH' },
				{ 'E-mail': 'mei.chen@bluepeak.example', 'Given name': 'Mei', 'Family name': 'Chen', 'Company name': 'Bluepeak Analytics, Inc.' },
			].map((json) => ({ json })),
			[MAPPED_NODES.cars]: [
				{ VIN: '1HGCM82633A004352', Brand: 'Honda', Model: 'Accord', 'Model year': 2024, 'Buyer e-mail': 'ada@example.com' },
				{ VIN: 'WVWZZZ1JZXW000001', Brand: 'Volkswagen', Model: 'Golf', 'Model year': 2025, 'Buyer e-mail': 'grace@example.com' },
			].map((json) => ({ json })),
			[MAPPED_NODES.registrations]: [
				{ attendee_email: 'ada@example.com', first: 'Ada', last: 'Lovelace', ticket: 'WEB-1042' },
				{ attendee_email: 'alan@example.com', first: 'Alan', last: 'Turing', ticket: 'WEB-1043' },
			].map((json) => ({ json })),
		},
	};
}

export function demoWorkflow(): WorkflowFixture {
	return {
		id: WORKFLOW_ID,
		name: WORKFLOW_NAME,
		active: false,
		nodes: [
			{
				id: nodeUuid(NODES.trigger),
				name: NODES.trigger,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: nodeUuid(NODES.rows),
				name: NODES.rows,
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: { jsCode: codeNodeSource() },
			},
			leadNode(NODES.import, [440, 0], {
				resource: 'lead',
				operation: 'import',
				format: 'csv',
				lookupField: 'email',
				options: {
					partitionName: 'Default',
					listId: {
						__rl: true,
						mode: 'list',
						value: '1003',
						cachedResultName: 'Trade Show Leads',
					},
					waitForCompletion: true,
					pollIntervalSeconds: 2,
					timeoutMinutes: 5,
					outputRows: true,
					fileName: 'trade-show-leads',
				},
			}),
			// Import's first output (Batches) carries one item per batch; its failed and warned rows
			// go to the second output (Rows to Fix), where a sheet or a Slack message would go.
			{
				id: nodeUuid(NODES.rowsToFix),
				name: NODES.rowsToFix,
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [660, 200],
				parameters: {},
			},
			leadNode(
				NODES.status,
				[660, 0],
				{
					resource: 'lead',
					operation: 'getStatus',
					batchId: '={{ $json.batchId }}',
					options: {},
				},
				{ executeOnce: true },
			),
			leadNode(
				NODES.failures,
				[880, 0],
				{
					resource: 'lead',
					operation: 'getFailures',
					batchId: '={{ $json.batchId }}',
					output: 'items',
					options: {},
				},
				{ executeOnce: true },
			),
		],
		connections: {
			[NODES.trigger]: {
				main: [[{ node: NODES.rows, type: 'main', index: 0 }]],
			},
			[NODES.rows]: {
				main: [[{ node: NODES.import, type: 'main', index: 0 }]],
			},
			[NODES.import]: {
				main: [[{ node: NODES.status, type: 'main', index: 0 }], [{ node: NODES.rowsToFix, type: 'main', index: 0 }]],
			},
			[NODES.status]: {
				main: [[{ node: NODES.failures, type: 'main', index: 0 }]],
			},
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}
