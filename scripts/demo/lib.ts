/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error, no-console */
/**
 * Starts a complete local "try it" setup, without a Marketo account:
 *
 *   1. `npm run build`, then `npm pack` the package (as n8n's installer would receive it)
 *   2. n8n installed by scripts/e2e/install-n8n.sh (cached in ~/.cache/n8n-nodes-marketo-bulk-e2e)
 *   3. the Marketo emulator as a seeded sandbox (test/emulator/cli.ts --sandbox --two-partitions)
 *   4. a fresh n8n user folder with the package in .n8n/nodes/node_modules/, a credential for
 *      the sandbox and the example workflow imported through the n8n CLI
 *   5. `n8n start` on http://localhost:5678, then the owner account through the REST API
 *
 * Reuses the e2e harness (test/e2e/harness.ts) for install, pack and import. Used by
 * scripts/demo/demo.ts (`npm run demo`) and scripts/screenshots/screenshots.ts.
 */
import { spawn, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import { createWriteStream, existsSync, promises as fs } from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import {
	ALL_N8N_LINES,
	INSTALL_SCRIPT,
	N8nInstance,
	REPO_DIR,
	getFreePort,
	n8nDirOf,
	nodeBinaryOf,
	packPackage,
	type N8nLine,
} from '../../test/e2e/harness';
import {
	CREDENTIAL_ID,
	DEMO_OWNER,
	WORKFLOW_ID,
	demoWorkflow,
	mappedFieldsWorkflow,
	sandboxCredential,
} from './fixtures';

export interface DemoOptions {
	/** `2` (default: n8n 2.41.1 on Node 24) or `1` (n8n 1.123.81 on this Node), or an exact version. */
	n8n?: string;
	/** n8n port (default 5678). Must be free: the printed URL uses it. */
	port?: number;
	/** n8n listen address (default 127.0.0.1; 0.0.0.0 to reach it from outside a container). */
	listen?: string;
	/** Marketo emulator port (default 5680; a free one when 5680 is taken). */
	emulatorPort?: number;
	/** Skip `npm run build` (pack the existing dist/). */
	skipBuild?: boolean;
	/** Keep the n8n user folder after stopping (its path is printed). */
	keep?: boolean;
	/** Log each step (default true). */
	verbose?: boolean;
	/** Print n8n's log lines to the console as well as to the log file. */
	showN8nLog?: boolean;
}

export interface RunningDemo {
	line: N8nLine;
	/** `http://localhost:<port>` */
	url: string;
	emulatorUrl: string;
	owner: typeof DEMO_OWNER;
	workflowId: string;
	credentialId: string;
	userFolder: string;
	n8nLogFile: string;
	/** Seconds per step. */
	timings: Record<string, number>;
	/** Resolves when n8n exits (by itself or through stop()). */
	n8nExited: Promise<number | null>;
	/** Resolves when the Marketo emulator exits. */
	emulatorExited: Promise<number | null>;
	/** Stops n8n and the emulator (process groups), removes the user folder unless kept. */
	stop(): Promise<void>;
}

export function resolveLine(spec = '2'): N8nLine {
	const s = spec.trim();
	const line = ALL_N8N_LINES.find((l) => l.version === s || l.version.split('.')[0] === s);
	if (!line) {
		throw new Error(
			`--n8n ${spec}: expected 1, 2 or one of ${ALL_N8N_LINES.map((l) => l.version).join(', ')}`,
		);
	}
	return line;
}

function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, host, () => srv.close(() => resolve(true)));
	});
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(text: string, lines = 30): string {
	const all = text.trimEnd().split('\n');
	return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/** Sends a signal to a detached child's whole process group (n8n 2.x has a task-runner child). */
function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
	if (!child?.pid) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

function groupAlive(child: ChildProcess | undefined): boolean {
	if (!child?.pid) return false;
	try {
		process.kill(-child.pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** SIGTERM the group, then SIGKILL whatever is left after `graceMs`. */
async function stopGroup(child: ChildProcess | undefined, graceMs: number): Promise<void> {
	if (!child?.pid || !groupAlive(child)) return;
	killGroup(child, 'SIGTERM');
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline && groupAlive(child)) await sleep(100);
	if (groupAlive(child)) killGroup(child, 'SIGKILL');
	const hard = Date.now() + 3000;
	while (Date.now() < hard && groupAlive(child)) await sleep(50);
}

/** n8n's REST answers: `{ data: … }`. */
type RestBody = { data?: unknown; [key: string]: unknown };

/** A small cookie-keeping client for n8n's REST API. */
export class N8nRestClient {
	private cookie = '';
	private readonly browserId = randomUUID();

	constructor(readonly baseUrl: string) {}

	async request(
		method: string,
		urlPath: string,
		body?: unknown,
	): Promise<{ status: number; json: RestBody | undefined; text: string }> {
		const res = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookies = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookies) {
			const pair = c.split(';')[0];
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		const text = await res.text();
		let json: RestBody | undefined;
		try {
			json = JSON.parse(text) as RestBody;
		} catch {
			json = undefined;
		}
		return { status: res.status, json, text };
	}

	async login(email: string, password: string) {
		// 1.x and 2.x: LoginRequestDto { emailOrLdapLoginId, password }
		const r = await this.request('POST', '/rest/login', {
			emailOrLdapLoginId: email,
			password,
		});
		if (r.status !== 200)
			throw new Error(`POST /rest/login → ${r.status}: ${r.text.slice(0, 300)}`);
		return r.json?.data ?? r.json;
	}
}

/** Waits until `GET /rest/settings` answers 200 (REST controllers mounted). */
async function waitForRest(
	baseUrl: string,
	deadline: number,
	exited: () => boolean,
): Promise<void> {
	let last = '';
	while (Date.now() < deadline) {
		if (exited()) throw new Error('n8n exited during start-up');
		try {
			const res = await fetch(`${baseUrl}/rest/settings`);
			if (res.status === 200) return;
			last = `HTTP ${res.status}`;
		} catch (e) {
			last = (e as Error).message;
		}
		await sleep(500);
	}
	throw new Error(`n8n did not answer GET /rest/settings in time (last: ${last})`);
}

/** Runs a command in its own process group, tracked so that stop() can end it. */
function runTracked(
	tracked: Set<ChildProcess>,
	cmd: string,
	args: string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		tracked.add(child);
		let output = '';
		const keep = (b: Buffer) => (output = (output + b.toString()).slice(-50_000));
		child.stdout!.on('data', keep);
		child.stderr!.on('data', keep);
		child.on('error', (e) => {
			tracked.delete(child);
			reject(e);
		});
		child.on('close', (code) => {
			tracked.delete(child);
			resolve({ code, output });
		});
	});
}

export class StoppedError extends Error {
	constructor() {
		super('stopped');
	}
}

/**
 * One demo run. `start()` brings everything up; `stop()` may be called at any time (also
 * during start-up, e.g. on Ctrl-C) and ends every process group the run started.
 */
export class Demo {
	private emulator?: ChildProcess;
	private n8n?: ChildProcess;
	private instance?: N8nInstance;
	private packDir?: string;
	private readonly steps = new Set<ChildProcess>();
	private stopping?: Promise<void>;

	constructor(private readonly options: DemoOptions = {}) {}

	get isStopping(): boolean {
		return this.stopping !== undefined;
	}

	stop(): Promise<void> {
		if (!this.stopping) this.stopping = this.doStop();
		return this.stopping;
	}

	private async doStop(): Promise<void> {
		await Promise.all([...this.steps].map(async (c) => await stopGroup(c, 3_000)));
		await stopGroup(this.n8n, 15_000);
		await stopGroup(this.emulator, 5_000);
		if (this.packDir)
			await fs.rm(this.packDir, { recursive: true, force: true }).catch(() => undefined);
		if (this.instance) {
			if (this.options.keep)
				console.log(`[demo] kept n8n user folder: ${this.instance.userFolder}`);
			else
				await fs
					.rm(this.instance.userFolder, { recursive: true, force: true })
					.catch(() => undefined);
		}
	}

	private check(): void {
		if (this.stopping) throw new StoppedError();
	}

	async start(): Promise<RunningDemo> {
		try {
			return await this.doStart();
		} catch (e) {
			await this.stop();
			throw e;
		}
	}

	private async doStart(): Promise<RunningDemo> {
		const options = this.options;
		const verbose = options.verbose ?? true;
		const log = (msg: string) => {
			if (verbose) console.log(`[demo] ${msg}`);
		};
		const line = resolveLine(options.n8n ?? '2');
		const port = options.port ?? 5678;
		const listen = options.listen ?? '127.0.0.1';
		const url = `http://localhost:${port}`;
		const timings: Record<string, number> = {};
		const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
			this.check();
			const t0 = Date.now();
			try {
				return await fn();
			} finally {
				timings[name] = Math.round((Date.now() - t0) / 100) / 10;
			}
		};

		// Fail fast on a taken n8n port: the URL is printed for people to open.
		if (!(await isPortFree(port, listen === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1'))) {
			throw new Error(`Port ${port} is in use (another n8n?). Stop it, or pass --port <other>.`);
		}

		// 1. Build
		if (!options.skipBuild) {
			log('building the package (npm run build)…');
			await timed('build', async () => {
				const b = await runTracked(this.steps, 'npm', ['run', 'build'], {
					cwd: REPO_DIR,
					env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
				});
				this.check();
				if (b.code !== 0)
					throw new Error(`npm run build failed (exit ${b.code}):\n${tail(b.output)}`);
			});
		} else if (!existsSync(path.join(REPO_DIR, 'dist'))) {
			throw new Error('--skip-build: there is no dist/ folder; run npm run build first');
		}

		// 2. n8n (cached after the first run)
		const installed =
			existsSync(path.join(n8nDirOf(line), '.complete')) && existsSync(nodeBinaryOf(line));
		log(
			installed
				? `n8n ${line.version} is installed (${n8nDirOf(line)})`
				: `installing n8n ${line.version} into ${path.dirname(n8nDirOf(line))} (one time, about 5-10 minutes)…`,
		);
		await timed('install', async () => {
			const r = await runTracked(this.steps, 'bash', [INSTALL_SCRIPT, '--quiet', line.version], {
				cwd: REPO_DIR,
			});
			this.check();
			if (r.code !== 0)
				throw new Error(`${INSTALL_SCRIPT} failed (exit ${r.code}):\n${tail(r.output)}`);
		});

		// 3. Pack
		const tarball = await timed('pack', async () => {
			this.packDir = await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-demo-pack-'));
			return await packPackage(REPO_DIR, this.packDir);
		});
		log(`packed ${path.basename(tarball)}`);

		// 4. Marketo sandbox
		const wantedEmuPort = options.emulatorPort ?? 5680;
		const emuPort = (await isPortFree(wantedEmuPort)) ? wantedEmuPort : await getFreePort();
		const emulatorUrl = await timed('emulator', async () => {
			const emu = spawn(
				process.execPath,
				[
					'-r',
					'ts-node/register/transpile-only',
					path.join('test', 'emulator', 'cli.ts'),
					'--sandbox',
					'--two-partitions',
					'--host',
					'127.0.0.1',
					'--port',
					String(emuPort),
				],
				{
					cwd: REPO_DIR,
					detached: true,
					stdio: ['ignore', 'pipe', 'pipe'],
					env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
				},
			);
			this.emulator = emu;
			return await new Promise<string>((resolve, reject) => {
				let out = '';
				let err = '';
				const timer = setTimeout(
					() => reject(new Error(`Marketo emulator did not start in 60 s:\n${out}\n${err}`)),
					60_000,
				);
				emu.stdout!.on('data', (b: Buffer) => {
					out += b.toString();
					const m = /\{"url":"([^"]+)"\}/.exec(out);
					if (m) {
						clearTimeout(timer);
						resolve(m[1]);
					}
				});
				emu.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-20_000)));
				emu.on('exit', (code) => {
					clearTimeout(timer);
					reject(new Error(`Marketo emulator exited (code ${code}):\n${tail(out)}\n${tail(err)}`));
				});
			});
		});
		log(`Marketo sandbox (emulator) on ${emulatorUrl}`);

		// 5. User folder, package, credential, workflow
		this.instance = await timed('userFolder', () =>
			N8nInstance.create({
				line,
				tarball,
				keep: true,
				env: { N8N_LOG_FORMAT: 'text' },
			}),
		);
		const instance = this.instance;
		log(`n8n user folder: ${instance.userFolder}`);
		log('importing the sandbox credential and the example workflows (n8n CLI)…');
		await timed('importCredential', () =>
			instance.importCredentials([sandboxCredential(emulatorUrl)]),
		);
		await timed('importWorkflow', () =>
			instance.importWorkflows([demoWorkflow(), mappedFieldsWorkflow()]),
		);

		// 6. n8n start
		const n8nLogFile = path.join(instance.userFolder, 'n8n.log');
		const env: NodeJS.ProcessEnv = {
			...instance.env,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: listen,
			N8N_HOST: 'localhost',
			N8N_PROTOCOL: 'http',
			N8N_EDITOR_BASE_URL: `${url}/`,
			N8N_SECURE_COOKIE: 'false',
			N8N_LOG_FORMAT: 'text',
			N8N_LOG_LEVEL: 'info',
			// No telemetry scripts in the editor.
			N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
			N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
			EXTERNAL_FRONTEND_HOOKS_URLS: '',
		};
		// n8n 2.x starts its JS task runner (Code node) with `node` from PATH: make that Node 24 too.
		if (line.node === 'node24') {
			env.PATH = `${path.dirname(nodeBinaryOf(line))}${path.delimiter}${env.PATH ?? ''}`;
		}
		// 2.x only: the MCP registry refresh calls api.n8n.io and logs an ENOTFOUND stack offline.
		// (1.x does not know this module name and would refuse to start.)
		if (
			existsSync(
				path.join(n8nDirOf(line), 'node_modules', 'n8n', 'dist', 'modules', 'mcp-registry'),
			)
		) {
			env.N8N_DISABLED_MODULES = 'mcp-registry';
		}
		this.check();
		const logStream = createWriteStream(n8nLogFile, { flags: 'a' });
		const nodeLabel = line.node === 'node24' ? 'Node 24' : `Node ${process.versions.node}`;
		log(`starting n8n ${line.version} (${nodeLabel}) on ${url} — log: ${n8nLogFile}`);
		const n8nBin = path.join(n8nDirOf(line), 'node_modules', 'n8n', 'bin', 'n8n');
		let exitCode: number | null | undefined;
		let recent = '';
		let editorReady = false;
		const startT0 = Date.now();
		const child = spawn(nodeBinaryOf(line), [n8nBin, 'start'], {
			cwd: instance.userFolder,
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.n8n = child;
		const n8nExited = new Promise<number | null>((resolve) => {
			child.on('exit', (code, signal) => {
				exitCode = code ?? (signal ? -1 : null);
				logStream.end();
				resolve(code);
			});
		});
		const onData = (b: Buffer) => {
			const text = b.toString();
			logStream.write(text);
			recent = (recent + text).slice(-20_000);
			if (recent.includes('Editor is now accessible via')) editorReady = true;
			if (options.showN8nLog) process.stdout.write(text.replace(/^(?=.)/gm, '[n8n] '));
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);

		await timed('n8nStart', async () => {
			const deadline = Date.now() + 240_000;
			while (!editorReady) {
				this.check();
				if (exitCode !== undefined) {
					throw new Error(
						`n8n exited during start-up (code ${exitCode}). Last output:\n${tail(recent)}`,
					);
				}
				if (Date.now() > deadline)
					throw new Error(`n8n did not start in 240 s. Last output:\n${tail(recent)}`);
				await sleep(200);
			}
			await waitForRest(url, deadline, () => exitCode !== undefined || this.isStopping);
		});
		log(`n8n is up after ${((Date.now() - startT0) / 1000).toFixed(1)} s`);

		// 7. Owner account (1.x and 2.x: POST /rest/owner/setup { email, firstName, lastName, password })
		await timed('ownerSetup', async () => {
			const client = new N8nRestClient(url);
			const r = await client.request('POST', '/rest/owner/setup', DEMO_OWNER);
			if (r.status !== 200)
				throw new Error(`POST /rest/owner/setup → ${r.status}: ${r.text.slice(0, 300)}`);
			// The imported workflow and credential must belong to the owner.
			const wfs = await client.request('GET', '/rest/workflows');
			const ids = ((wfs.json?.data ?? []) as Array<{ id: string }>).map((w) => w.id);
			if (!ids.includes(WORKFLOW_ID)) {
				throw new Error(
					`The example workflow is not visible to the owner (GET /rest/workflows → ${wfs.status}: ${wfs.text.slice(0, 300)})`,
				);
			}
			const creds = await client.request('GET', '/rest/credentials');
			const credIds = ((creds.json?.data ?? []) as Array<{ id: string }>).map((c) => c.id);
			if (!credIds.includes(CREDENTIAL_ID)) {
				throw new Error(
					`The sandbox credential is not visible to the owner (GET /rest/credentials → ${creds.status})`,
				);
			}
		});
		this.check();

		const emulatorExited = new Promise<number | null>((resolve) =>
			this.emulator!.on('exit', (code) => resolve(code)),
		);
		return {
			line,
			url,
			emulatorUrl,
			owner: DEMO_OWNER,
			workflowId: WORKFLOW_ID,
			credentialId: CREDENTIAL_ID,
			userFolder: instance.userFolder,
			n8nLogFile,
			timings,
			n8nExited,
			emulatorExited,
			stop: () => this.stop(),
		};
	}
}

/** Convenience: start a demo; call `stop()` on the result when done. */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
	return await new Demo(options).start();
}
