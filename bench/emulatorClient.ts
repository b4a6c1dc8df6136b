/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- a benchmark script, not node code: it forks the emulator's process */
/** Starts bench/emulator.process.ts in a fresh process and talks to it. */
import type { ChildProcess } from 'child_process';
import { spawn } from 'child_process';
import { join } from 'path';

import type { EmulatorOptions } from '../test/emulator';
import type { EmulatorMessage, EmulatorReport } from './emulator.process';

export interface EmulatorProcess {
	url: string;
	pid: number;
	report(): Promise<EmulatorReport>;
	close(): Promise<void>;
}

/**
 * The emulator keeps every upload and what it parsed from it (about 60 MB of heap per 9.5 MB
 * file): the 1 GB file's 108 uploads need 6–7 GB.
 */
const EMULATOR_HEAP_MIB = 10240;

/**
 * The emulator plays Marketo, which runs on Adobe's machines, not on n8n's: at the lowest CPU
 * priority, its parsing of a 10 MB upload takes the cores only when the node leaves them, so
 * the node's event-loop delay is the node's own and not time spent waiting behind Marketo.
 */
const EMULATOR_NICE = 19;

export async function startEmulatorProcess(options: EmulatorOptions): Promise<EmulatorProcess> {
	// ts-node's hooks carry over; --expose-gc and any heap limit of the parent do not matter here.
	const execArgv = [
		...process.execArgv.filter((flag) => !flag.startsWith('--max-old-space-size')),
		`--max-old-space-size=${EMULATOR_HEAP_MIB}`,
	];
	// Through nice(1), so every thread of the process has the priority (setpriority on a pid
	// changes only its main thread on Linux, not V8's garbage-collection helpers).
	const child: ChildProcess = spawn(
		'nice',
		['-n', String(EMULATOR_NICE), process.execPath, ...execArgv, join(__dirname, 'emulator.process.ts'), JSON.stringify(options)],
		{ stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
	);
	const exited = new Promise<number | null>((resolve) => {
		child.once('exit', (code) => resolve(code));
		// nice(1) missing (not Linux or macOS): said, instead of an unhandled 'error' event.
		child.once('error', (error) => {
			console.error(`could not start the emulator through nice(1): ${error.message}`);
			resolve(null);
		});
	});
	const next = <T extends EmulatorMessage['type']>(type: T) =>
		new Promise<Extract<EmulatorMessage, { type: T }>>((resolve, reject) => {
			const onMessage = (message: EmulatorMessage) => {
				if (message.type !== type) return;
				child.off('message', onMessage);
				resolve(message as Extract<EmulatorMessage, { type: T }>);
			};
			child.on('message', onMessage);
			void exited.then((code) => reject(new Error(`the emulator process exited (code ${code}) before answering`)));
		});
	const ready = await next('ready');
	return {
		url: ready.url,
		pid: child.pid as number,
		report: async () => {
			const answer = next('report');
			child.send({ type: 'report' });
			return (await answer).report;
		},
		close: async () => {
			if (child.exitCode !== null) return;
			child.send({ type: 'close' });
			await exited;
		},
	};
}
