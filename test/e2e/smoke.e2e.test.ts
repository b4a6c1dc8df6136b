/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console */
/**
 * Harness smoke test, independent of this package's node: proves that on each n8n line
 *  - core nodes run (Manual Trigger → Code → Set, with expressions),
 *  - a community package packed with `npm pack` is installed into .n8n/nodes and loaded,
 *  - its credential is imported and applied (an in-process HTTP server sees the API key while
 *    n8n runs, i.e. the harness does not block the event loop),
 *  - a failing node is reported (allowError) with n8n's error message.
 */
import { promises as fs } from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

import {
	N8N_LINES,
	N8nInstance,
	chain,
	getFreePort,
	lineLabel,
	nodeId,
	packPackage,
	type N8nLine,
} from './harness';

const FIXTURE_PACKAGE = 'n8n-nodes-e2e-smoke';

/** Writes a minimal plain-JS community package and packs it. */
async function packFixturePackage(): Promise<{ tarball: string; dir: string }> {
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-e2e-fixture-'));
	const files: Record<string, string> = {
		'package.json': JSON.stringify(
			{
				name: FIXTURE_PACKAGE,
				version: '0.0.1',
				license: 'MIT',
				keywords: ['n8n-community-node-package'],
				main: 'index.js',
				files: ['dist', 'index.js'],
				n8n: {
					n8nNodesApiVersion: 1,
					credentials: ['dist/credentials/E2eSmokeApi.credentials.js'],
					nodes: ['dist/nodes/E2eSmoke/E2eSmoke.node.js'],
				},
				peerDependencies: { 'n8n-workflow': '*' },
			},
			null,
			2,
		),
		'index.js': 'module.exports = {};\n',
		'dist/credentials/E2eSmokeApi.credentials.js': `
class E2eSmokeApi {
	constructor() {
		this.name = 'e2eSmokeApi';
		this.displayName = 'E2E Smoke API';
		this.properties = [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		];
		this.authenticate = { type: 'generic', properties: { headers: { 'X-Api-Key': '={{$credentials.apiKey}}' } } };
	}
}
module.exports = { E2eSmokeApi };
`,
		'dist/nodes/E2eSmoke/E2eSmoke.node.js': `
class E2eSmoke {
	constructor() {
		this.description = {
			displayName: 'E2E Smoke',
			name: 'e2eSmoke',
			group: ['transform'],
			version: 1,
			description: 'Harness smoke node',
			defaults: { name: 'E2E Smoke' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'e2eSmokeApi', required: true }],
			properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '/' }],
		};
	}
	async execute() {
		const items = this.getInputData();
		const creds = await this.getCredentials('e2eSmokeApi');
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const p = this.getNodeParameter('path', i);
			const json = await this.helpers.httpRequestWithAuthentication.call(this, 'e2eSmokeApi', {
				method: 'GET', url: creds.baseUrl + p, json: true,
			});
			out.push({ json, pairedItem: { item: i } });
		}
		return [out];
	}
}
module.exports = { E2eSmoke };
`,
	};
	for (const [rel, content] of Object.entries(files)) {
		const file = path.join(dir, rel);
		await fs.mkdir(path.dirname(file), { recursive: true });
		await fs.writeFile(file, content);
	}
	return { tarball: await packPackage(dir), dir };
}

interface SeenRequest {
	method?: string;
	url?: string;
	apiKey?: string | string[];
	userAgent?: string;
}

function startServer(): Promise<{ server: http.Server; baseUrl: string; seen: SeenRequest[] }> {
	const seen: SeenRequest[] = [];
	const server = http.createServer((req, res) => {
		seen.push({
			method: req.method,
			url: req.url,
			apiKey: req.headers['x-api-key'],
			userAgent: req.headers['user-agent'],
		});
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify({ hello: 'world', path: req.url, apiKeySeen: req.headers['x-api-key'] ?? null }));
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as AddressInfo;
			resolve({ server, baseUrl: `http://127.0.0.1:${port}`, seen });
		});
	});
}

const fixture: { tarball?: string; dir?: string } = {};

beforeAll(async () => {
	Object.assign(fixture, await packFixturePackage());
});

afterAll(async () => {
	if (fixture.dir) await fs.rm(fixture.dir, { recursive: true, force: true });
	if (fixture.tarball) await fs.rm(path.dirname(fixture.tarball), { recursive: true, force: true });
});

describe.each(N8N_LINES.map((line) => [lineLabel(line), line] as [string, N8nLine]))(
	'harness smoke: %s',
	(_label, line) => {
		let n8n: N8nInstance;
		let srv: Awaited<ReturnType<typeof startServer>>;

		beforeAll(async () => {
			srv = await startServer();
			n8n = await N8nInstance.create({ line, tarball: fixture.tarball, logLevel: 'debug' });
		});

		afterAll(async () => {
			await n8n?.cleanup();
			await new Promise((r) => srv?.server.close(r));
		});

		it('runs core nodes and a packed community node with its credential', async () => {
			const closedPort = await getFreePort();
			const tLoad = Date.now();
			const loaded = await n8n.checkPackageLoaded();
			expect(loaded.metadata).toMatchObject({ nodes: 1, credentials: 1 });
			const t0 = Date.now();
			await n8n.importCredentials([
				{ id: 'smokeCred01', name: 'Smoke creds', type: 'e2eSmokeApi', data: { baseUrl: srv.baseUrl, apiKey: 's3cr3t-key-123' } },
				{ id: 'smokeCredDown', name: 'Smoke creds (down)', type: 'e2eSmokeApi', data: { baseUrl: `http://127.0.0.1:${closedPort}`, apiKey: 'x' } },
			]);
			const smokeNode = (credId: string, credName: string) => ({
				id: nodeId(),
				name: 'Smoke',
				type: `${FIXTURE_PACKAGE}.e2eSmoke`,
				typeVersion: 1,
				position: [660, 0],
				parameters: { path: '=/hello?a={{ $json.a }}' },
				credentials: { e2eSmokeApi: { id: credId, name: credName } },
			});
			const baseNodes = [
				{ id: nodeId(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: nodeId(),
					name: 'Code',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: { jsCode: 'return [{ json: { a: 1 } }, { json: { a: 2 } }];' },
				},
				{
					id: nodeId(),
					name: 'Set',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					position: [440, 0],
					parameters: {
						mode: 'manual',
						includeOtherFields: true,
						assignments: {
							assignments: [
								{ id: nodeId(), name: 'greeting', value: 'hello', type: 'string' },
								{ id: nodeId(), name: 'tenfold', value: '={{ $json.a * 10 }}', type: 'number' },
							],
						},
						options: {},
					},
				},
			];
			const [okId, failId] = await n8n.importWorkflows([
				{
					id: 'smokeOk0000000001',
					name: 'Smoke OK',
					nodes: [...baseNodes, smokeNode('smokeCred01', 'Smoke creds')],
					connections: chain('Start', 'Code', 'Set', 'Smoke'),
				},
				{
					id: 'smokeFail00000001',
					name: 'Smoke connection refused',
					nodes: [...baseNodes, smokeNode('smokeCredDown', 'Smoke creds (down)')],
					connections: chain('Start', 'Code', 'Set', 'Smoke'),
				},
			]);
			const t1 = Date.now();

			const ok = await n8n.execute(okId);
			const t2 = Date.now();
			expect(ok.status).toBe('success');
			expect(ok.lastNodeExecuted).toBe('Smoke');
			expect(ok.itemsOf('Code')).toEqual([{ a: 1 }, { a: 2 }]);
			expect(ok.itemsOf('Set')).toEqual([
				{ a: 1, greeting: 'hello', tenfold: 10 },
				{ a: 2, greeting: 'hello', tenfold: 20 },
			]);
			expect(ok.itemsOf('Smoke')).toEqual([
				{ hello: 'world', path: '/hello?a=1', apiKeySeen: 's3cr3t-key-123' },
				{ hello: 'world', path: '/hello?a=2', apiKeySeen: 's3cr3t-key-123' },
			]);
			expect(ok.packageLoaded).toBe(true);
			expect(srv.seen.map((r) => `${r.method} ${r.url} ${String(r.apiKey)}`)).toEqual([
				'GET /hello?a=1 s3cr3t-key-123',
				'GET /hello?a=2 s3cr3t-key-123',
			]);

			const bad = await n8n.execute(failId, { allowError: true });
			const t3 = Date.now();
			expect(bad.status).not.toBe('success');
			expect(bad.exitCode).toBe(1);
			expect(bad.errorMessage).toMatch(/refused|ECONNREFUSED/i);
			expect(bad.nodeError('Smoke')).toBeDefined();
			expect(bad.itemsOf('Set')).toHaveLength(2);
			await expect(n8n.execute(failId)).rejects.toThrow(/n8n \S+\] execute workflow "Smoke connection refused"/);
			const t4 = Date.now();

			console.log(
				`[smoke ${lineLabel(line)}] checkPackageLoaded ${t0 - tLoad} ms, imports ${t1 - t0} ms, execute ok ${t2 - t1} ms, ` +
					`execute failing ${t3 - t2} ms (+ throwing variant ${t4 - t3} ms)`,
			);
		});
	},
);
