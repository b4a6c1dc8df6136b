/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- a benchmark script, not node code: it forks its own worker file */
/**
 * One pipelined import of a given size, for iterating on speed: `npm run bench:one -- 1000000`
 * (optionally `--sequential`, `--fixed`, `--mapped`: Map Each Field Below with plain reads, `--mapped-expressions`: with expressions n8n evaluates, `--cpu-prof`: a V8 CPU profile of the run in
 * $TMPDIR/marketo-bulk-bench-profiles). Prints what the full bench's rows would say about it.
 * Runs the same worker as `npm run bench` (bench/import.bench.ts), in a fresh process.
 */
import { fork } from 'child_process';
import { readdirSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';

import { LEAD_COUNT, MAX_IN_QUEUE, ROWS_PER_SECOND, SLOTS } from './constants';
import type { ImportRun, WorkerJob } from './import.bench';
import { addedRss, callsPerBatch, complete } from './import.runner';
import { describeStalls } from './stallProfile';

const args = process.argv.slice(2);
const PROFILE_DIR = join(tmpdir(), 'marketo-bulk-bench-profiles');
const leadCount = Number(args.find((arg) => /^\d+$/.test(arg)) ?? LEAD_COUNT);
const job: WorkerJob = {
	kind: 'import',
	leadCount,
	maxInQueue: args.includes('--sequential') ? 1 : MAX_IN_QUEUE,
	rowsPerSecond: ROWS_PER_SECOND,
	poll: args.includes('--fixed') ? 'fixed' : 'adaptive',
	mapped: args.includes('--mapped') ? 'reads' : args.includes('--mapped-expressions') ? 'expressions' : undefined,
};

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const loadBefore = load();
const child = fork(join(__dirname, 'import.bench.ts'), [JSON.stringify(job)], {
	// --cpu-prof: a V8 CPU profile of the worker, for finding what holds the event loop.
	execArgv: args.includes('--cpu-prof') ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : process.execArgv,
	stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
let run: ImportRun | undefined;
child.on('message', (message) => {
	run = message as ImportRun;
});
child.on('exit', (code) => {
	if (code !== 0 || run === undefined) {
		console.error(`the worker exited with code ${code}`);
		process.exit(1);
	}
	const minimum = (leadCount / (SLOTS * ROWS_PER_SECOND)) * 1000;
	const { node } = run;
	const lines = [
		`${leadCount.toLocaleString('en-US')} leads, maxInQueue ${job.kind === 'import' ? job.maxInQueue : ''}, ${run.poll} poll: ${complete(run) ? 'every row imported' : `INCOMPLETE ${run.error ?? ''}`}`,
		`wall ${s(node.wallMs)} = ${(node.wallMs / minimum).toFixed(3)}× the minimum (${s(minimum)})`,
		`first upload arrives ${s(run.firstUploadMs)} (field list read ${s(run.describeMs)}); 1st upload handled by the emulator ${s((run.uploads[0]?.queuedMs ?? NaN) - (run.uploads[0]?.arrivedMs ?? NaN))}`,
		`import span ${s(run.importSpanMs)}, stagger ${s(run.staggerMs)}, late refill ${s(run.refillIdleSlotMs)}, end imbalance ${s(run.endImbalanceMs)}`,
		`tail ${s(run.tailMs)} (notice ${s(run.lastNoticeMs)}, output ${s(run.outputMs)}); notice mean ${run.meanNoticeMs.toFixed(0)} ms, max ${run.maxNoticeMs.toFixed(0)} ms`,
		`files (${run.batches}): ${run.fileRows.join(', ')}`,
		`event loop max ${node.loopDelay.maxMs.toFixed(1)} ms, p99 ${node.loopDelay.p99Ms.toFixed(1)} ms; stalls ${node.stalls
			.slice(0, 3)
			.map((stall) => JSON.stringify(stall))
			.join(' ')}`,
		`gc ${node.gcTotalMs.toFixed(0)} ms in all; longest ${node.gcPauses
			.slice(0, 3)
			.map((pause) => `${pause.kind} ${pause.ms.toFixed(0)} ms at ${s(pause.atMs)}`)
			.join(', ')}`,
		`added memory ${(addedRss(run) / 1024 / 1024).toFixed(0)} MiB; calls per batch ${callsPerBatch(run).toFixed(1)}`,
		`main thread ran ${s(node.mainThreadRanMs ?? NaN)}, waited for a CPU ${s(node.mainThreadWaitedMs ?? NaN)}; load ${loadBefore} → ${load()}`,
	];
	console.log(lines.join('\n'));
	if (args.includes('--cpu-prof')) {
		// The worker's main thread writes the profile whose name starts with CPU.<date>.<pid>.0.
		const profile = readdirSync(PROFILE_DIR)
			.filter((name) => name.includes(`.${child.pid}.0.`))
			.map((name) => join(PROFILE_DIR, name))
			.sort()
			.pop();
		if (profile) console.log(`\n${profile}\n${describeStalls(profile, node.stalls, node.startMonotonicUs)}`);
	}
	process.exit(0);
});
