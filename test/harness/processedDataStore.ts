/**
 * n8n's processed-data store (what the Remove Duplicates node and our Skip Unchanged Rows
 * use), in memory, for n8n-core's engine: the same rules as n8n's own DeduplicationHelper in
 * mode "entries" — one list of MD5 hashes per workflow and context (`n:<node id>` for scope
 * node), new entries appended, the oldest dropped beyond maxEntries, removal one by one.
 */
import { createHash } from 'crypto';
import { DataDeduplicationService } from 'n8n-core';
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';

const hashOf = (value: DeduplicationItemTypes) => createHash('md5').update(value.toString()).digest('base64');

export class MemoryProcessedDataStore implements IDataDeduplicator {
	private readonly lists = new Map<string, string[]>();

	/** Every call, to see who wrote what. */
	readonly calls: Array<{ method: string; workflowId: string; items: number }> = [];

	private place(scope: DeduplicationScope, contextData: ICheckProcessedContextData): string {
		const context = scope === 'node' ? `n:${contextData.node?.id ?? ''}` : '';
		return `${String(contextData.workflow.id)}|${context}`;
	}

	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		if (options.mode !== 'entries') throw new Error('only mode "entries" is played here');
		this.calls.push({ method: 'checkProcessedAndRecord', workflowId: String(contextData.workflow.id), items: items.length });
		const place = this.place(scope, contextData);
		const list = this.lists.get(place) ?? [];
		const known = new Set(list);
		const output: IDeduplicationOutput = { new: [], processed: [] };
		for (const item of items) {
			const hash = hashOf(item);
			if (known.has(hash)) output.processed.push(item);
			else {
				output.new.push(item);
				list.push(hash);
				known.add(hash);
			}
		}
		if (options.maxEntries) list.splice(0, Math.max(0, list.length - options.maxEntries));
		this.lists.set(place, list);
		return output;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, contextData: ICheckProcessedContextData): Promise<void> {
		this.calls.push({ method: 'removeProcessed', workflowId: String(contextData.workflow.id), items: items.length });
		const list = this.lists.get(this.place(scope, contextData));
		if (!list) return;
		const remove = new Set(items.map(hashOf));
		this.lists.set(
			this.place(scope, contextData),
			list.filter((hash) => !remove.has(hash)),
		);
	}

	async clearAllProcessedItems(scope: DeduplicationScope, contextData: ICheckProcessedContextData): Promise<void> {
		this.calls.push({ method: 'clearAllProcessedItems', workflowId: String(contextData.workflow.id), items: 0 });
		this.lists.delete(this.place(scope, contextData));
	}

	async getProcessedDataCount(scope: DeduplicationScope, contextData: ICheckProcessedContextData): Promise<number> {
		return this.lists.get(this.place(scope, contextData))?.length ?? 0;
	}

	/** The hashes held for one workflow's node (by node ID). */
	entries(workflowId: string, nodeId: string): readonly string[] {
		return this.lists.get(`${workflowId}|n:${nodeId}`) ?? [];
	}

	/** Forgets everything (between tests). */
	reset(): void {
		this.lists.clear();
		this.calls.length = 0;
	}
}

/** The one store of this test process, wired into n8n-core once (n8n allows a single init). */
export const processedData = new MemoryProcessedDataStore();
let initialised = false;

export async function useMemoryProcessedData(): Promise<void> {
	if (initialised) return;
	await DataDeduplicationService.init(processedData);
	initialised = true;
}
