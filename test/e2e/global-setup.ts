/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * Jest globalSetup for the e2e suite:
 *  1. scripts/e2e/install-n8n.sh --quiet   (fast when the cache is complete)
 *  2. npm run build                         (skip: N8N_E2E_SKIP_BUILD=1)
 *  3. npm pack → tarball in a temp folder   (skip 2+3: N8N_E2E_TARBALL=<existing .tgz>)
 * The tarball path reaches the test workers through process.env.N8N_E2E_TARBALL (workers
 * are started after globalSetup and inherit its environment). A failing build does not
 * abort the run: it is recorded in N8N_E2E_BUILD_ERROR and reported by getPackageTarball(),
 * so tests that do not need the package (smoke test) still run.
 */
import { existsSync, promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { INSTALL_SCRIPT, N8N_LINES, REPO_DIR, packPackage, runProcess } from './harness';

function tail(text: string, lines = 40): string {
	// eslint-disable-next-line no-control-regex
	const all = text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').trimEnd().split('\n');
	return all.slice(Math.max(0, all.length - lines)).join('\n');
}

export default async function globalSetup(): Promise<void> {
	const t0 = Date.now();
	if (process.env.N8N_E2E_SKIP_INSTALL !== '1') {
		const r = await runProcess('bash', [INSTALL_SCRIPT, '--quiet', ...N8N_LINES.map((l) => l.version)], {
			cwd: REPO_DIR,
			timeoutMs: 60 * 60_000,
		});
		if (r.code !== 0) {
			throw new Error(
				`${INSTALL_SCRIPT} failed (exit ${r.code}):\n${tail(r.stdout)}\n${tail(r.stderr)}`,
			);
		}
	}
	const t1 = Date.now();

	const preset = process.env.N8N_E2E_TARBALL;
	if (preset) {
		if (!existsSync(preset)) throw new Error(`N8N_E2E_TARBALL=${preset} does not exist`);
		process.env.N8N_E2E_TARBALL = path.resolve(preset);
	} else {
		delete process.env.N8N_E2E_BUILD_ERROR;
		try {
			if (process.env.N8N_E2E_SKIP_BUILD !== '1') {
				const b = await runProcess('npm', ['run', 'build'], {
					cwd: REPO_DIR,
					// CI: static (non-animated) progress output from n8n-node build
					env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
					timeoutMs: 15 * 60_000,
				});
				if (b.code !== 0) {
					throw new Error(`npm run build failed (exit ${b.code}):\n${tail(b.stdout)}\n${tail(b.stderr)}`);
				}
			}
			const packDir = await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-e2e-pack-'));
			process.env.N8N_E2E_PACK_DIR = packDir;
			process.env.N8N_E2E_TARBALL = await packPackage(REPO_DIR, packDir);
		} catch (e) {
			delete process.env.N8N_E2E_TARBALL;
			process.env.N8N_E2E_BUILD_ERROR = (e as Error).message;
		}
	}
	const t2 = Date.now();
	if (process.env.N8N_E2E_VERBOSE === '1' || process.env.N8N_E2E_BUILD_ERROR) {
		console.log(
			`\n[e2e] install check ${((t1 - t0) / 1000).toFixed(1)} s, build+pack ${((t2 - t1) / 1000).toFixed(1)} s; ` +
				(process.env.N8N_E2E_TARBALL
					? `tarball ${process.env.N8N_E2E_TARBALL}`
					: `NO tarball (tests needing the package will fail):\n${(process.env.N8N_E2E_BUILD_ERROR ?? '').split('\n').filter((l) => l.trim()).slice(0, 12).join('\n')}`),
		);
	}
}
