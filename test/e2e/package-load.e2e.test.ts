/* eslint-disable no-console */
/**
 * The packed n8n-nodes-marketo-bulk tarball (built and packed by global-setup.ts) installs into a
 * real n8n like a community package, n8n loads its node and credential, and the node type
 * resolves and runs (against an unreachable Marketo: the run must fail inside our node, not with
 * "Unrecognized node type"). Workflow-level behaviour is covered by the emulator-backed suites.
 */
import {
	N8N_LINES,
	N8nInstance,
	PACKAGE_NAME,
	chain,
	getFreePort,
	getPackageTarball,
	lineLabel,
	nodeId,
	type N8nLine,
} from './harness';

describe.each(N8N_LINES.map((line) => [lineLabel(line), line] as [string, N8nLine]))(
	`${PACKAGE_NAME} loads in real n8n: %s`,
	(_label, line) => {
		let n8n: N8nInstance;

		beforeAll(async () => {
			n8n = await N8nInstance.create({ line, tarball: getPackageTarball() });
		});

		afterAll(async () => {
			await n8n?.cleanup();
		});

		it('loads the node and credential, and runs the node', async () => {
			const t0 = Date.now();
			const loaded = await n8n.checkPackageLoaded();
			expect(loaded.message).toBe(`Loaded all credentials and nodes from ${PACKAGE_NAME}`);
			expect(loaded.metadata).toMatchObject({ nodes: 1, credentials: 1 });

			const closed = `http://127.0.0.1:${await getFreePort()}`;
			await n8n.importCredentials([
				{
					id: 'mktoLoadCred01',
					name: 'Marketo (unreachable)',
					type: 'marketoApi',
					data: { restEndpoint: `${closed}/rest`, identityEndpoint: `${closed}/identity`, clientId: 'id', clientSecret: 'secret' },
				},
			]);
			const wfId = await n8n.importWorkflow({
				id: 'mktoLoad000000001',
				name: 'Marketo package load',
				nodes: [
					{ id: nodeId(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
					{
						id: nodeId(),
						name: 'Marketo',
						type: `${PACKAGE_NAME}.marketoBulkImport`,
						typeVersion: 1,
						position: [220, 0],
						parameters: {},
						credentials: { marketoApi: { id: 'mktoLoadCred01', name: 'Marketo (unreachable)' } },
					},
				],
				connections: chain('Start', 'Marketo'),
			});
			const run = await n8n.execute(wfId, { allowError: true });
			expect(run.errorMessage).not.toMatch(/Unrecognized node type/);
			expect(Object.keys(run.runData)).toContain('Marketo');
			expect(run.lastNodeExecuted).toBe('Marketo');
			console.log(
				`[package-load ${lineLabel(line)}] ${Date.now() - t0} ms; run status ${run.status}: ${run.errorMessage ?? '(no error)'}`,
			);
		});
	},
);
