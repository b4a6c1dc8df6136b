import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listStaticLists } from '../api/metadata';

const PAGE_SIZE = 200;

/**
 * Static lists, for the Static List picker. The Asset API pages by offset and cannot
 * filter by name, so a filter is applied to each page; the pagination token is the offset.
 */
export async function searchStaticLists(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const offset = Number(paginationToken ?? 0) || 0;
	const page = await listStaticLists(this, offset, PAGE_SIZE);
	const needle = (filter ?? '').trim().toLowerCase();
	const results = page
		.filter((list) => needle === '' || String(list.name).toLowerCase().includes(needle))
		.map((list) => ({
			name: String(list.name),
			value: String(list.id),
			url: typeof list.computedUrl === 'string' ? list.computedUrl : undefined,
		}));
	return {
		results,
		paginationToken: page.length === PAGE_SIZE ? String(offset + PAGE_SIZE) : undefined,
	};
}
