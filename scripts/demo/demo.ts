/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * `npm run demo` — try the node in a real n8n against a local Marketo sandbox (no Marketo
 * account needed). Stops everything on Ctrl-C.
 *
 *   npm run demo                      n8n 2.41.1 on Node 24
 *   npm run demo -- --n8n 1           n8n 1.123.81 on this Node (legacy expression engine on Node 20)
 *   npm run demo -- --port 5679 --emulator-port 5690 --listen 0.0.0.0 --skip-build --keep --n8n-log
 */
import { Demo, StoppedError, type DemoOptions, type RunningDemo } from './lib';
import { CREDENTIAL_NAME, MAPPED_WORKFLOW_ID, MAPPED_WORKFLOW_NAME, WORKFLOW_NAME } from './fixtures';

const HELP = `Usage: npm run demo -- [options]

  --n8n <1|2|version>     n8n line: 2 = 2.41.1 on Node 24 (default), 1 = 1.123.81 on this Node
  --port <n>              n8n port (default 5678)
  --listen <addr>         n8n listen address (default 127.0.0.1; 0.0.0.0 for access from outside a container)
  --emulator-port <n>     Marketo sandbox port (default 5680, or a free port if taken)
  --skip-build            do not run npm run build (pack the existing dist/)
  --keep                  keep the n8n user folder (database, logs) after stopping
  --n8n-log               also print n8n's log lines here (always written to <user folder>/n8n.log)
  -h, --help`;

function parseArgs(argv: string[]): DemoOptions & { help?: boolean } {
	const out: DemoOptions & { help?: boolean } = {};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = (): string => {
			if (inline !== undefined) return inline;
			const v = argv[++i];
			if (v === undefined) throw new Error(`${flag} needs a value`);
			return v;
		};
		const num = (): number => {
			const n = Number(value());
			if (!Number.isInteger(n) || n <= 0 || n > 65535)
				throw new Error(`${flag} needs a port number`);
			return n;
		};
		switch (flag) {
			case '--n8n':
				out.n8n = value();
				break;
			case '--port':
				out.port = num();
				break;
			case '--listen':
				out.listen = value();
				break;
			case '--emulator-port':
				out.emulatorPort = num();
				break;
			case '--skip-build':
				out.skipBuild = true;
				break;
			case '--keep':
				out.keep = true;
				break;
			case '--n8n-log':
				out.showN8nLog = true;
				break;
			case '-h':
			case '--help':
				out.help = true;
				break;
			default:
				throw new Error(`Unknown argument ${argv[i]}\n\n${HELP}`);
		}
	}
	return out;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	if (options.help) {
		console.log(HELP);
		return;
	}
	const t0 = Date.now();
	const demo = new Demo(options);
	let running: RunningDemo | undefined;
	let exiting = false;
	const shutdown = (reason: string, code: number) => {
		if (exiting) return;
		exiting = true;
		console.log(`\n[demo] ${reason}: stopping n8n and the Marketo sandbox…`);
		demo.stop().then(
			() => {
				console.log('[demo] stopped.');
				process.exit(code);
			},
			(e: unknown) => {
				console.error('[demo] error while stopping:', e);
				process.exit(1);
			},
		);
	};
	// Ctrl-C reaches this process twice (from the terminal and forwarded by npm): count
	// signals at least a second apart.
	let signals = 0;
	let lastSignalAt = 0;
	const onSignal = (signal: NodeJS.Signals) => {
		const now = Date.now();
		if (now - lastSignalAt > 1000) signals++;
		lastSignalAt = now;
		if (signals === 2)
			console.log(
				'[demo] still stopping; press Ctrl-C once more to exit at once (may leave n8n running)',
			);
		if (signals >= 3) process.exit(130);
		shutdown(signal, 0);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
	// If npm (or the shell) that started us goes away without a signal, stop too.
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent) shutdown('parent process exited', 0);
	}, 1000).unref();

	try {
		running = await demo.start();
	} catch (e) {
		if (e instanceof StoppedError || exiting) return; // shutdown() exits
		console.error(`[demo] FAILED: ${(e as Error).message}`);
		process.exit(1);
	}
	if (exiting) return;
	const d = running;
	const t = d.timings;
	const secs = ((Date.now() - t0) / 1000).toFixed(1);
	const bar = '─'.repeat(72);
	console.log(`
${bar}
  n8n ${d.line.version} with n8n-nodes-marketo-bulk is ready (${secs} s)

  Open:      ${d.url}
  Sign in:   ${d.owner.email}  /  ${d.owner.password}

  Workflow:  "${WORKFLOW_NAME}"  →  ${d.url}/workflow/${d.workflowId}
             Click "Execute workflow", then open the nodes to see the batch,
             the failed row (no email) and the warned row (bad customEmail).
  Workflow:  "${MAPPED_WORKFLOW_NAME}"  →  ${d.url}/workflow/${MAPPED_WORKFLOW_ID}
             Fields to Send → Map Each Field Below for leads, a custom object and
             program members, from pinned rows (not run by the demo).
  Credential "${CREDENTIAL_NAME}" points at the sandbox:
             ${d.emulatorUrl}/rest  (client test-client / test-secret)
  Sandbox:   static lists Newsletter Subscribers (1001), Webinar Attendees (1002),
             Trade Show Leads (1003); partitions Default, Europe; 3 leads.
  n8n log:   ${d.n8nLogFile}

  Timings (s): ${Object.entries(t)
		.map(([k, v]) => `${k} ${v}`)
		.join(', ')}

  Press Ctrl-C to stop everything.
${bar}`);

	void d.n8nExited.then((code) =>
		shutdown(`n8n exited unexpectedly (code ${code}); see ${d.n8nLogFile}`, 1),
	);
	void d.emulatorExited.then((code) =>
		shutdown(`the Marketo emulator exited unexpectedly (code ${code})`, 1),
	);
}

main().catch((e: unknown) => {
	console.error(`[demo] FAILED: ${(e as Error)?.stack ?? String(e)}`);
	process.exit(1);
});
