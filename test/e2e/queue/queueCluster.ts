/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, @n8n/community-nodes/no-dangerous-functions */
/**
 * n8n in queue mode for the e2e test: one main process (`n8n start`) and workers
 * (`n8n worker`), sharing Postgres, Redis and the encryption key, as a self-hoster runs it.
 *
 * Each process gets its own N8N_USER_FOLDER with the packed package installed in
 * `.n8n/nodes/node_modules/<name>`, as on separate machines: every process type (main,
 * worker) loads community packages from its own user folder (n8n's community-packages
 * module adds `<N8N_USER_FOLDER>/.n8n/nodes/node_modules` to the node load paths), so a
 * worker without the package fails triggered runs with an unknown node type.
 *
 * Redis and Postgres are provided by scripts/e2e/queue/run.sh (npm run test:e2e:queue); it
 * passes their ports in QUEUE_E2E_* variables. Each long-running n8n process is started in
 * its own process group, listed in QUEUE_E2E_PGIDS_FILE so that the script can end it even
 * when jest is killed.
 */
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import { appendFileSync, createWriteStream, existsSync, type WriteStream } from 'fs';
import * as http from 'http';
import { createRequire } from 'module';
import * as path from 'path';

import {
	N8nInstance,
	getFreePort,
	lineLabel,
	n8nDirOf,
	nodeBinaryOf,
	parseLogLines,
	runProcess,
	type CredentialFixture,
	type JsonObject,
	type LogEntry,
	type N8nLine,
	type WorkflowFixture,
} from '../harness';

// ---------------------------------------------------------------------------------------
// HTTP without connection reuse
// ---------------------------------------------------------------------------------------

export interface HttpAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	json: unknown;
	setCookies: string[];
}

/**
 * One HTTP request on a fresh connection. (fetch reuses idle keep-alive sockets, and n8n closes
 * them after 5 s: a later call then fails with "other side closed".)
 */
export function httpRequest(
	url: string,
	options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
	return new Promise((resolve, reject) => {
		const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
		const req = http.request(
			url,
			{
				method: options.method ?? 'GET',
				agent: false,
				headers: { ...(options.headers ?? {}), ...(body ? { 'content-length': String(body.length) } : {}) },
				timeout: options.timeoutMs ?? 30_000,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('error', reject);
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json: unknown;
					try {
						json = JSON.parse(text);
					} catch {
						json = undefined;
					}
					const raw = res.headers['set-cookie'];
					resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, setCookies: Array.isArray(raw) ? raw : raw ? [raw] : [] });
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${url}: no answer within ${options.timeoutMs ?? 30_000} ms`)));
		req.on('error', reject);
		req.end(body);
	});
}

/** n8n's REST API with a session cookie, as the editor uses it. */
export class RestSession {
	private cookie = '';
	private readonly browserId = randomUUID();

	constructor(readonly baseUrl: string) {}

	async request(method: string, urlPath: string, body?: unknown): Promise<{ status: number; text: string; data: unknown }> {
		const r = await httpRequest(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				// n8n ties the session to the browser id it was issued for.
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		for (const c of r.setCookies) {
			const pair = c.split(';')[0];
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		return { status: r.status, text: r.text, data: (r.json as { data?: unknown } | undefined)?.data };
	}
}

// ---------------------------------------------------------------------------------------
// Services from scripts/e2e/queue/run.sh
// ---------------------------------------------------------------------------------------

export interface QueueServices {
	/** The run's temporary folder (removed by the script). */
	dir: string;
	redisPort: number;
	pgPort: number;
	/** Postgres' bin folder (createdb). */
	pgBin: string;
	/** Process groups to end if jest cannot. */
	pgidsFile: string;
}

const SERVICE_VARS = ['QUEUE_E2E_DIR', 'QUEUE_E2E_REDIS_PORT', 'QUEUE_E2E_PG_PORT', 'QUEUE_E2E_PG_BIN', 'QUEUE_E2E_PGIDS_FILE'];

export function queueServicesFromEnv(): QueueServices {
	const missing = SERVICE_VARS.filter((k) => !process.env[k]);
	if (missing.length > 0) {
		throw new Error(
			`The queue-mode e2e test needs the Redis and Postgres that scripts/e2e/queue/run.sh starts: ` +
				`run it with \`npm run test:e2e:queue\`, not jest directly (missing ${missing.join(', ')}).`,
		);
	}
	return {
		dir: process.env.QUEUE_E2E_DIR as string,
		redisPort: Number(process.env.QUEUE_E2E_REDIS_PORT),
		pgPort: Number(process.env.QUEUE_E2E_PG_PORT),
		pgBin: process.env.QUEUE_E2E_PG_BIN as string,
		pgidsFile: process.env.QUEUE_E2E_PGIDS_FILE as string,
	};
}

// ---------------------------------------------------------------------------------------
// One long-running n8n process
// ---------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Keep at most this much of a process's output in memory (the log file has all of it). */
const MAX_OUTPUT_CHARS = 20_000_000;

function tailLines(text: string, lines: number): string {
	const all = text.trimEnd().split('\n');
	return all.slice(Math.max(0, all.length - lines)).join('\n');
}

export class N8nProcess {
	private output = '';
	private exit?: { code: number | null; signal: NodeJS.Signals | null };
	private readonly exited: Promise<void>;
	private readonly log: WriteStream;

	private constructor(
		readonly name: string,
		readonly logFile: string,
		private readonly child: ChildProcess,
	) {
		this.log = createWriteStream(logFile, { flags: 'a' });
		const onData = (b: Buffer) => {
			const text = b.toString('utf8');
			this.log.write(text);
			this.output += text;
			if (this.output.length > MAX_OUTPUT_CHARS) this.output = this.output.slice(-MAX_OUTPUT_CHARS / 2);
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		this.exited = new Promise((resolve) => {
			child.on('exit', (code, signal) => {
				this.exit = { code, signal };
				resolve();
			});
		});
	}

	/** Starts `n8n <args>` for an instance's user folder, in its own process group. */
	static start(name: string, instance: N8nInstance, args: string[], env: NodeJS.ProcessEnv, pgidsFile: string): N8nProcess {
		const bin = path.join(n8nDirOf(instance.line), 'node_modules', 'n8n', 'bin', 'n8n');
		const child = spawn(nodeBinaryOf(instance.line), [bin, ...args], {
			cwd: instance.userFolder,
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		if (child.pid) appendFileSync(pgidsFile, `${child.pid}\n`);
		return new N8nProcess(name, path.join(instance.userFolder, 'io', `${name}.log`), child);
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	get running(): boolean {
		return this.exit === undefined;
	}

	/** Everything the process printed (stdout and stderr, interleaved). */
	get text(): string {
		return this.output;
	}

	/** Its JSON log lines (N8N_LOG_FORMAT=json). */
	logs(): LogEntry[] {
		return parseLogLines(this.output);
	}

	tail(lines = 40): string {
		const exit = this.exit ? ` (exited: ${this.exit.code ?? this.exit.signal})` : '';
		return `--- ${this.name}${exit}: last ${lines} lines of ${this.logFile} ---\n${tailLines(this.output, lines)}`;
	}

	/** Polls `check` until it is true; fails with the log tail when the process exits or time runs out. */
	async waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			if (await check()) return;
			if (this.exit) throw new Error(`${this.name} exited before ${what}.\n${this.tail()}`);
			if (Date.now() > deadline) throw new Error(`${this.name}: no ${what} within ${timeoutMs / 1000} s.\n${this.tail()}`);
			await sleep(250);
		}
	}

	/** SIGTERM the process group (n8n shuts down gracefully), SIGKILL what is left after `graceMs`. */
	async stop(graceMs = 20_000): Promise<void> {
		const pid = this.child.pid;
		if (pid && this.groupAlive()) {
			this.signal('SIGTERM');
			const deadline = Date.now() + graceMs;
			while (Date.now() < deadline && this.groupAlive()) await sleep(100);
			if (this.groupAlive()) this.signal('SIGKILL');
			const hard = Date.now() + 5_000;
			while (Date.now() < hard && this.groupAlive()) await sleep(50);
		}
		await Promise.race([this.exited, sleep(1_000)]);
		await new Promise<void>((resolve) => this.log.end(() => resolve()));
	}

	private signal(signal: NodeJS.Signals): void {
		try {
			if (this.child.pid) process.kill(-this.child.pid, signal);
		} catch {
			// already gone
		}
	}

	private groupAlive(): boolean {
		try {
			if (!this.child.pid) return false;
			process.kill(-this.child.pid, 0);
			return true;
		} catch {
			return false;
		}
	}
}

// ---------------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------------

export interface QueueClusterOptions {
	line: N8nLine;
	tarball: string;
	services: QueueServices;
	/** Default 2. */
	workers?: number;
	/** `n8n worker --concurrency`; default 1, so that simultaneous runs go to different workers. */
	workerConcurrency?: number;
	credentials: CredentialFixture[];
	/** Imported and activated before the main process starts. */
	workflows: WorkflowFixture[];
	/** Default info (the node logs accepted batches at info level). */
	logLevel?: 'info' | 'debug';
}

/** An execution as n8n's REST API lists it. */
export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode?: string;
	startedAt?: string;
	stoppedAt?: string;
	finished?: boolean;
	[key: string]: unknown;
}

/** An execution with its run data (unflattened). */
export interface ExecutionDetails extends ExecutionSummary {
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: JsonObject }> | null> }; error?: JsonObject; executionStatus?: string }>>;
			error?: JsonObject;
			lastNodeExecuted?: string;
		};
	};
}

// Throw-away owner of a throw-away instance.
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
const OWNER = { email: 'owner@queue-e2e.example.com', firstName: 'Queue', lastName: 'Owner', password: 'QueueE2e-Passw0rd' };
const TERMINAL_STATUSES = new Set(['success', 'error', 'canceled', 'crashed']);

export class QueueCluster {
	readonly workers: N8nProcess[] = [];
	main?: N8nProcess;
	readonly rest: RestSession;
	/** Every process's instance (user folder): [main, worker-1, worker-2, …]. */
	readonly instances: N8nInstance[] = [];
	readonly timings: Record<string, number> = {};
	private flatted?: { parse(text: string): unknown };

	private constructor(
		readonly line: N8nLine,
		readonly baseUrl: string,
		readonly database: string,
		private readonly options: QueueClusterOptions,
	) {
		this.rest = new RestSession(baseUrl);
	}

	get label(): string {
		return `${lineLabel(this.line)}, queue mode`;
	}

	static async start(options: QueueClusterOptions): Promise<QueueCluster> {
		const { line } = options;
		const port = await getFreePort();
		const database = `n8n_${line.version.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`;
		const cluster = new QueueCluster(line, `http://127.0.0.1:${port}`, database, options);
		try {
			await cluster.boot(port);
			return cluster;
		} catch (e) {
			const tails = cluster.tails();
			await cluster.stop();
			throw new Error(`[${cluster.label}] start-up failed: ${(e as Error).message}${tails ? `\n${tails}` : ''}`);
		}
	}

	private async timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
		const t0 = Date.now();
		try {
			return await fn();
		} finally {
			this.timings[name] = Math.round((Date.now() - t0) / 100) / 10;
		}
	}

	private async boot(port: number): Promise<void> {
		const { line, services } = this.options;
		const workerCount = this.options.workers ?? 2;

		// 1. A database of its own on the shared Postgres.
		await this.timed('createdb', async () => {
			const r = await runProcess(
				path.join(services.pgBin, 'createdb'),
				['-h', '127.0.0.1', '-p', String(services.pgPort), '-U', 'n8n', this.database],
				{ timeoutMs: 30_000 },
			);
			if (r.code !== 0) throw new Error(`createdb ${this.database} failed (exit ${r.code}): ${r.stderr.trim()}`);
		});

		// 2. The same settings for every process: queue mode, Postgres, Redis, encryption key.
		const shared: NodeJS.ProcessEnv = {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(services.pgPort),
			DB_POSTGRESDB_DATABASE: this.database,
			DB_POSTGRESDB_USER: 'n8n',
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(services.redisPort),
			QUEUE_BULL_PREFIX: `bull-${this.database}`,
			// Throw-away database; the same key on every process, or workers cannot read credentials.
			// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
			N8N_ENCRYPTION_KEY: 'n8n-nodes-marketo-bulk-queue-e2e-key',
			N8N_LOG_LEVEL: this.options.logLevel ?? 'info',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		};
		// 2.x only: the MCP registry refresh calls api.n8n.io (1.x does not know the module name).
		if (existsSync(path.join(n8nDirOf(line), 'node_modules', 'n8n', 'dist', 'modules', 'mcp-registry'))) {
			shared.N8N_DISABLED_MODULES = 'mcp-registry';
		}

		// 3. One user folder per process, each with the package installed (as on separate machines).
		await this.timed('userFolders', async () => {
			for (let i = 0; i <= workerCount; i++) {
				this.instances.push(await N8nInstance.create({ line, tarball: this.options.tarball, env: shared }));
			}
		});
		const [mainInstance, ...workerInstances] = this.instances;

		// 4. Credentials and workflows through the CLI (this also migrates the database), then activate.
		await this.timed('import', async () => {
			await mainInstance.importCredentials(this.options.credentials);
			if (this.options.workflows.length > 0) await mainInstance.importWorkflows(this.options.workflows);
		});
		await this.timed('activate', () => this.activate(mainInstance, this.options.workflows.map((wf) => wf.id as string)));

		// 5. Main and workers, all at once.
		const withNode = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
			...env,
			// 2.x starts its JS task runner with `node` from PATH: the line's Node.
			PATH: `${path.dirname(nodeBinaryOf(line))}${path.delimiter}${env.PATH ?? ''}`,
		});
		const started = Date.now();
		this.main = N8nProcess.start(
			'main',
			mainInstance,
			['start'],
			withNode({
				...mainInstance.env,
				N8N_PORT: String(port),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: '127.0.0.1',
				N8N_PROTOCOL: 'http',
				WEBHOOK_URL: `${this.baseUrl}/`,
				N8N_SECURE_COOKIE: 'false',
			}),
			this.options.services.pgidsFile,
		);
		const healthPorts: number[] = [];
		for (const [i, instance] of workerInstances.entries()) {
			const healthPort = await getFreePort();
			healthPorts.push(healthPort);
			this.workers.push(
				N8nProcess.start(
					`worker-${i + 1}`,
					instance,
					['worker', `--concurrency=${this.options.workerConcurrency ?? 1}`],
					withNode({
						...instance.env,
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(healthPort),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					}),
					this.options.services.pgidsFile,
				),
			);
		}

		// 6. Ready: main answers /healthz and has registered the active workflows' webhooks (the
		// "Editor is now accessible" line comes after that); each worker answers /healthz/readiness
		// (connected to Postgres and Redis).
		const main = this.main;
		await this.timed('startMain', () =>
			main.waitFor(
				'/healthz and the "Editor is now accessible" line',
				async () => main.text.includes('Editor is now accessible via') && (await httpOk(`${this.baseUrl}/healthz`)),
				240_000,
			),
		);
		await this.timed('startWorkers', async () => {
			for (const [i, worker] of this.workers.entries()) {
				await worker.waitFor(
					`answer on /healthz/readiness (port ${healthPorts[i]})`,
					() => httpOk(`http://127.0.0.1:${healthPorts[i]}/healthz/readiness`),
					240_000,
				);
			}
		});
		this.timings.processesUp = Math.round((Date.now() - started) / 100) / 10;

		// 2.x registers the production webhooks after that line (publication outbox): ask for
		// each one with a CORS preflight, which n8n answers from its webhook registry without
		// starting a run.
		await this.timed('webhooks', async () => {
			for (const { method, path: hookPath } of webhooksOf(this.options.workflows)) {
				await main.waitFor(
					`production webhook ${method} /webhook/${hookPath} registered`,
					() => this.webhookRegistered(hookPath, method),
					120_000,
				);
			}
		});

		// 7. The owner account; its session is what the editor would use (Stop).
		await this.timed('owner', async () => {
			const r = await this.rest.request('POST', '/rest/owner/setup', OWNER);
			if (r.status !== 200) throw new Error(`POST /rest/owner/setup → ${r.status}: ${r.text.slice(0, 300)}`);
		});
	}

	/**
	 * 1.x: `update:workflow --all --active=true` (one command); 2.x: `publish:workflow --id` per
	 * workflow (update:workflow is deprecated there, publish has no --all), run side by side.
	 */
	private async activate(instance: N8nInstance, workflowIds: string[]): Promise<void> {
		if (workflowIds.length === 0) return;
		const major = Number(this.line.version.split('.')[0]);
		const commands =
			major >= 2 ? workflowIds.map((id) => ['publish:workflow', `--id=${id}`]) : [['update:workflow', '--all', '--active=true']];
		await Promise.all(
			commands.map(async (args) => {
				const r = await instance.n8n(args, 120_000);
				if (r.code !== 0) {
					throw new Error(`n8n ${args.join(' ')} failed (exit ${r.code}):\n${tailLines(r.stdout + r.stderr, 30)}`);
				}
			}),
		);
	}

	/** Whether main has a production webhook for `method /webhook/<path>` (CORS preflight: 204 and the method allowed). */
	async webhookRegistered(hookPath: string, method: string): Promise<boolean> {
		try {
			const r = await httpRequest(`${this.baseUrl}/webhook/${hookPath}`, {
				method: 'OPTIONS',
				headers: { origin: this.baseUrl, 'access-control-request-method': method },
				timeoutMs: 5_000,
			});
			const allowed = String(r.headers['access-control-allow-methods'] ?? '').split(/,\s*/);
			return r.status < 300 && allowed.includes(method);
		} catch {
			return false;
		}
	}

	/** POSTs to a production webhook (`/webhook/<path>`); returns the HTTP status and body. */
	async callWebhook(webhookPath: string, body: JsonObject = {}): Promise<{ status: number; text: string; at: number }> {
		const at = Date.now();
		const r = await httpRequest(`${this.baseUrl}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			timeoutMs: 60_000,
		});
		return { status: r.status, text: r.text, at };
	}

	/** The workflow's executions, newest first. */
	async executionsOf(workflowId: string): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const r = await this.rest.request('GET', `/rest/executions?filter=${filter}&limit=50`);
		if (r.status !== 200) throw new Error(`GET /rest/executions → ${r.status}: ${r.text.slice(0, 300)}`);
		const data = r.data as { results?: ExecutionSummary[] } | ExecutionSummary[] | undefined;
		const list = Array.isArray(data) ? data : (data?.results ?? []);
		return list.map((e) => ({ ...e, id: String(e.id) }));
	}

	/** Waits until the workflow has an execution (after its webhook was called); returns its id. */
	async waitForExecutionOf(workflowId: string, timeoutMs = 60_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const [latest] = await this.executionsOf(workflowId);
			if (latest) return latest.id;
			if (Date.now() > deadline) {
				throw new Error(`[${this.label}] no execution of workflow ${workflowId} within ${timeoutMs / 1000} s\n${this.tails()}`);
			}
			await sleep(250);
		}
	}

	/** One execution with its run data. */
	async execution(id: string): Promise<ExecutionDetails> {
		const r = await this.rest.request('GET', `/rest/executions/${id}`);
		if (r.status !== 200) throw new Error(`GET /rest/executions/${id} → ${r.status}: ${r.text.slice(0, 300)}`);
		const raw = r.data as ExecutionSummary & { data?: unknown };
		const data = typeof raw.data === 'string' ? this.unflatten(raw.data) : raw.data;
		return { ...raw, id: String(raw.id), data } as ExecutionDetails;
	}

	/** Waits until an execution has ended (success, error, canceled, crashed). */
	async waitForEnd(id: string, timeoutMs: number): Promise<ExecutionDetails> {
		const deadline = Date.now() + timeoutMs;
		let last = '';
		for (;;) {
			const r = await this.rest.request('GET', `/rest/executions/${id}`);
			const status = (r.data as { status?: string } | undefined)?.status ?? `HTTP ${r.status}`;
			last = status;
			if (TERMINAL_STATUSES.has(status)) return await this.execution(id);
			if (Date.now() > deadline) {
				throw new Error(`[${this.label}] execution ${id} still "${last}" after ${timeoutMs / 1000} s\n${this.tails()}`);
			}
			await sleep(500);
		}
	}

	/** Stop, as the editor's Stop button does: `POST /rest/executions/{id}/stop` with the owner's session. */
	async stopExecution(id: string): Promise<{ status: number; text: string; data: unknown }> {
		return await this.rest.request('POST', `/rest/executions/${id}/stop`);
	}

	/** The worker that ran an execution, from its log line `Worker started execution <id> (job <n>)`. */
	workerOf(executionId: string): string | undefined {
		const re = new RegExp(`^Worker started execution ${executionId} \\(job `);
		return this.workers.find((w) => w.logs().some((l) => typeof l.message === 'string' && re.test(l.message)))?.name;
	}

	/**
	 * A worker's log lines for one execution: from its `Worker started execution <id>` line up
	 * to the next execution it started (workers run one at a time here: --concurrency=1).
	 */
	executionLogs(executionId: string): { worker?: string; logs: LogEntry[] } {
		const started = /^Worker started execution (\S+) \(job /;
		for (const w of this.workers) {
			const logs = w.logs();
			const from = logs.findIndex((l) => typeof l.message === 'string' && started.exec(l.message)?.[1] === executionId);
			if (from < 0) continue;
			const next = logs.findIndex((l, i) => i > from && typeof l.message === 'string' && started.test(l.message));
			return { worker: w.name, logs: logs.slice(from, next < 0 ? undefined : next) };
		}
		return { logs: [] };
	}

	/** Every process's log tail, for failure messages. */
	tails(lines = 40): string {
		return [this.main, ...this.workers]
			.filter((p): p is N8nProcess => p !== undefined)
			.map((p) => p.tail(lines))
			.join('\n');
	}

	/** Stops workers and main (gracefully, then hard), drops the database, removes the user folders. */
	async stop(): Promise<void> {
		await Promise.all(this.workers.map(async (w) => await w.stop()));
		await this.main?.stop();
		const { services } = this.options;
		await runProcess(
			path.join(services.pgBin, 'dropdb'),
			['-h', '127.0.0.1', '-p', String(services.pgPort), '-U', 'n8n', '--if-exists', this.database],
			{ timeoutMs: 30_000 },
		).catch(() => undefined);
		for (const instance of this.instances) await instance.cleanup();
	}

	private unflatten(text: string): unknown {
		if (!this.flatted) {
			// n8n stores run data in flatted form; read it with n8n's own copy.
			const req = createRequire(path.join(n8nDirOf(this.line), 'node_modules', 'n8n', 'package.json'));
			this.flatted = req('flatted') as { parse(text: string): unknown };
		}
		return this.flatted.parse(text);
	}
}

/** The production webhooks of workflows (Webhook nodes: method and path). */
function webhooksOf(workflows: WorkflowFixture[]): Array<{ method: string; path: string }> {
	return workflows.flatMap((wf) =>
		wf.nodes
			.filter((n) => n.type === 'n8n-nodes-base.webhook')
			.map((n) => {
				const p = n.parameters as { httpMethod?: string; path?: string };
				return { method: p.httpMethod ?? 'GET', path: String(p.path) };
			}),
	);
}

async function httpOk(url: string): Promise<boolean> {
	try {
		return (await httpRequest(url, { timeoutMs: 5_000 })).status === 200;
	} catch {
		return false;
	}
}
