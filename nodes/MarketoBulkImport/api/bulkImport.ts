import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { DelimitedFormat } from '../csv';
import { CONTENT_TYPES } from '../csv';
import { buildMultipartBody } from '../multipart';
import type { MarketoFunctions } from '../transport';
import { marketoFile, marketoJson, UploadOutcomeUnknownError } from '../transport';
import type { RetrySettings } from '../transport/retryPolicy';

/**
 * Marketo's three bulk imports share one life cycle (create → Queued → Importing →
 * Complete | Failed, then failures/warnings files) but not their paths or field names.
 * An ImportTarget hides those differences from the rest of the node.
 */
export type ImportTarget =
	| { kind: 'lead' }
	| { kind: 'customObject'; apiName: string }
	| { kind: 'programMember'; programId: string };

export type ReportKind = 'failures' | 'warnings';

export type ImportStatus = 'Queued' | 'Importing' | 'Complete' | 'Failed';

/** A job's status, with the counters normalised across the three kinds of import. */
export interface BatchStatus extends IDataObject {
	batchId: number;
	status: ImportStatus;
	/** Rows imported so far: `numOfLeadsProcessed` (leads, members) or `numOfObjectsProcessed`. */
	numOfRowsProcessed: number;
	numOfRowsFailed: number;
	numOfRowsWithWarning: number;
	message: string;
	/** Marketo's result object as received. */
	raw: IDataObject;
}

export interface CreateImportParams {
	format: DelimitedFormat;
	file: Buffer;
	/** A buffer holding `file` with room around it: the upload body is framed in place (no copy). */
	fileRoom?: Buffer;
	fileName: string;
	/** Extra form fields: lookupField, listId, partitionName, programMemberStatus. */
	fields?: Record<string, string | undefined>;
}

function encode(segment: string): string {
	return encodeURIComponent(segment);
}

export function createPath(target: ImportTarget): string {
	switch (target.kind) {
		case 'lead':
			return '/bulk/v1/leads.json';
		case 'customObject':
			return `/bulk/v1/customobjects/${encode(target.apiName)}/import.json`;
		case 'programMember':
			return `/bulk/v1/program/${encode(target.programId)}/members/import.json`;
	}
}

export function batchPath(target: ImportTarget, batchId: number, leaf: 'status' | ReportKind): string {
	switch (target.kind) {
		case 'lead':
			return leaf === 'status'
				? `/bulk/v1/leads/batch/${batchId}.json`
				: `/bulk/v1/leads/batch/${batchId}/${leaf}.json`;
		case 'customObject':
			return `/bulk/v1/customobjects/${encode(target.apiName)}/import/${batchId}/${leaf}.json`;
		case 'programMember':
			return `/bulk/v1/program/members/import/${batchId}/${leaf}.json`;
	}
}

/** The column Marketo appends to report files. */
export function reasonColumn(kind: ReportKind): string {
	return kind === 'failures' ? 'Import Failure Reason' : 'Import Warning Reason';
}

function toStatus(raw: IDataObject): BatchStatus {
	return {
		batchId: Number(raw.batchId),
		status: String(raw.status) as ImportStatus,
		numOfRowsProcessed: Number(raw.numOfLeadsProcessed ?? raw.numOfObjectsProcessed ?? 0),
		numOfRowsFailed: Number(raw.numOfRowsFailed ?? 0),
		numOfRowsWithWarning: Number(raw.numOfRowsWithWarning ?? 0),
		message: String(raw.message ?? ''),
		raw,
	};
}

export interface CallOptions {
	itemIndex?: number;
	retry?: Partial<RetrySettings>;
	context?: string;
	/** Epoch ms: no wait runs past it (the call throws DeadlineReachedError instead). */
	deadline?: number;
	/** Ends any wait at once (the call throws CancelledError). */
	signal?: AbortSignal;
}

/** Uploads one file. Parameters travel as form fields, which Marketo reads like query parameters. */
export async function createImport(
	fns: MarketoFunctions,
	target: ImportTarget,
	params: CreateImportParams,
	options: CallOptions = {},
): Promise<BatchStatus> {
	const values: Record<string, string | undefined> = { format: params.format, ...params.fields };
	const fields = Object.entries(values)
		.filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
		.map(([name, value]) => ({ name, value }));
	const multipart = buildMultipartBody({
		fields,
		files: [
			{
				name: 'file',
				filename: params.fileName,
				contentType: CONTENT_TYPES[params.format],
				content: params.file,
				room: params.fileRoom,
			},
		],
	});
	const response = await marketoJson(fns, {
		method: 'POST',
		path: createPath(target),
		// `format` also goes in the query string: the documented place for it.
		qs: { format: params.format },
		headers: { 'Content-Type': multipart.contentType },
		body: multipart.body,
		idempotent: false,
		...options,
	});
	const result = response.result?.[0] ?? {};
	const status = toStatus({ numOfLeadsProcessed: 0, ...result });
	if (!Number.isInteger(status.batchId) || status.batchId <= 0) {
		// Marketo said yes but named no batch: it may hold the file, and nothing can follow it.
		throw new UploadOutcomeUnknownError(fns.getNode(), response as JsonObject, {
			message: `${options.context ? `${options.context}: ` : ''}Marketo accepted an upload without a batch ID, so it is unknown whether it imports the file`,
			description:
				'Check the recent imports in Marketo (Admin → Integration → Web Services shows API activity) before running the import again, to avoid importing rows twice.',
			itemIndex: options.itemIndex,
			lastCode: 'noBatchId',
			lastMessage: 'success without a batch ID',
		});
	}
	return status;
}

export async function getBatchStatus(
	fns: MarketoFunctions,
	target: ImportTarget,
	batchId: number,
	options: CallOptions = {},
): Promise<BatchStatus> {
	const response = await marketoJson(fns, {
		method: 'GET',
		path: batchPath(target, batchId, 'status'),
		idempotent: true,
		...options,
	});
	const result = response.result?.[0];
	if (result === undefined || typeof result.status !== 'string') {
		throw new NodeApiError(fns.getNode(), response as JsonObject, {
			message: `Marketo returned no status for batch ${batchId}`,
			description: 'Run Get Status again; if it persists, check the batch in Marketo.',
			itemIndex: options.itemIndex,
		});
	}
	return toStatus(result);
}

/** The failures or warnings file of a batch, or undefined when it has none. */
export async function downloadReport(
	fns: MarketoFunctions,
	target: ImportTarget,
	batchId: number,
	kind: ReportKind,
	options: CallOptions = {},
): Promise<Buffer | undefined> {
	return await marketoFile(fns, {
		method: 'GET',
		path: batchPath(target, batchId, kind),
		idempotent: true,
		...options,
	});
}
