/* eslint-disable @n8n/community-nodes/no-restricted-imports -- a benchmark script, not node code */
/**
 * What ran during each stall, from a V8 CPU profile of the run (`npm run bench:one -- <leads>
 * --cpu-prof`): the functions with the most samples inside the stall's window, counted once per
 * sample whatever their depth in the stack (so callers show with their callees), and the
 * functions the samples were in themselves.
 */
import { readFileSync } from 'fs';

import type { Stall } from './probe';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

const TOP = 12;

function label(node: ProfileNode): string {
	const { functionName, url, lineNumber } = node.callFrame;
	const file = url.split('/').slice(-2).join('/');
	return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

function top(counts: Map<string, number>): string[] {
	return [...counts]
		.sort((a, b) => b[1] - a[1])
		.slice(0, TOP)
		.map(([name, ms]) => `${ms.toFixed(1).padStart(7)} ms  ${name}`);
}

/** One block of text per stall: its window, then the inclusive and self time of what ran. */
export function describeStalls(profileFile: string, stalls: Stall[], startMonotonicUs: number): string {
	const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
	const times: number[] = [];
	let time = profile.startTime;
	for (const delta of profile.timeDeltas) times.push((time += delta));

	const blocks: string[] = [];
	for (const stall of stalls) {
		const from = startMonotonicUs + stall.atMs * 1000;
		const to = from + stall.ms * 1000;
		const inclusive = new Map<string, number>();
		const self = new Map<string, number>();
		for (let i = 0; i < profile.samples.length - 1; i++) {
			if (times[i] < from || times[i] >= to) continue;
			const ms = (times[i + 1] - times[i]) / 1000;
			const leaf = byId.get(profile.samples[i]);
			if (!leaf) continue;
			self.set(label(leaf), (self.get(label(leaf)) ?? 0) + ms);
			const seen = new Set<string>();
			for (let id: number | undefined = leaf.id; id !== undefined; id = parentOf.get(id)) {
				const node = byId.get(id);
				if (!node || node.callFrame.functionName === '(root)') continue;
				const name = label(node);
				if (seen.has(name)) continue;
				seen.add(name);
				inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
			}
		}
		blocks.push(
			[
				`stall of ${stall.ms.toFixed(0)} ms at ${(stall.atMs / 1000).toFixed(2)} s (ran ${stall.ranMs?.toFixed(0) ?? '?'} ms, waited for a CPU ${stall.waitedMs?.toFixed(0) ?? '?'} ms)`,
				'  inclusive:',
				...top(inclusive).map((line) => `    ${line}`),
				'  self:',
				...top(self).map((line) => `    ${line}`),
			].join('\n'),
		);
	}
	return blocks.join('\n');
}
