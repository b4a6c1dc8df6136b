/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Standalone emulator:
 *   npx ts-node test/emulator/cli.ts --port 0 [--host 127.0.0.1] [--config options.json] [--sandbox] [--two-partitions]
 * Prints one JSON line `{"url":"http://127.0.0.1:PORT"}` on stdout once listening and runs
 * until SIGINT/SIGTERM. Options from --config override the sandbox seed.
 */
import { readFileSync } from 'node:fs';

import { sandboxOptions, startMarketoEmulator, type EmulatorOptions } from './index';

function parseArgs(argv: string[]): { port?: number; host?: string; config?: string; sandbox: boolean; twoPartitions: boolean } {
	const out: { port?: number; host?: string; config?: string; sandbox: boolean; twoPartitions: boolean } = {
		sandbox: false,
		twoPartitions: false,
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = (): string => {
			if (inline !== undefined) return inline;
			const v = argv[++i];
			if (v === undefined) throw new Error(`${flag} needs a value`);
			return v;
		};
		switch (flag) {
			case '--port':
				out.port = Number(value());
				break;
			case '--host':
				out.host = value();
				break;
			case '--config':
				out.config = value();
				break;
			case '--sandbox':
				out.sandbox = true;
				break;
			case '--two-partitions':
				out.twoPartitions = true;
				break;
			default:
				throw new Error(`Unknown argument ${argv[i]}`);
		}
	}
	return out;
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	let options: EmulatorOptions = {};
	if (args.sandbox) options = sandboxOptions({ twoPartitions: args.twoPartitions });
	if (args.config) {
		const fromFile = JSON.parse(readFileSync(args.config, 'utf8')) as EmulatorOptions;
		options = { ...options, ...fromFile };
	}
	if (args.port !== undefined) options.port = args.port;
	if (args.host !== undefined) options.host = args.host;
	const emu = await startMarketoEmulator(options);
	process.stdout.write(`${JSON.stringify({ url: emu.url })}\n`);
	let stopping = false;
	const stop = (): void => {
		if (stopping) return;
		stopping = true;
		emu.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
	process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
	process.exit(1);
});
