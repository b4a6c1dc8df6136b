import { NodeOperationError } from 'n8n-workflow';

import type { BatchStatus, CallOptions, ImportTarget } from '../api/bulkImport';
import { getBatchStatus } from '../api/bulkImport';
import type { MarketoFunctions } from '../transport';
import { CancelledError } from '../transport';
import { waitFor } from '../transport/wait';

export interface WaitSettings {
	/** Between two status calls. Marketo recommends 5–30 s. */
	pollIntervalMs: number;
	/** Overall limit; when reached, the last known status is returned with `timedOut`. */
	timeoutMs: number;
}

/** Floor of the poll interval, in ms: a zero interval would hammer Marketo's rate limit. */
export const MIN_POLL_MS = 10;

export const DEFAULT_WAIT: WaitSettings = { pollIntervalMs: 10_000, timeoutMs: 60 * 60_000 };

export function isFinished(status: BatchStatus): boolean {
	return status.status === 'Complete' || status.status === 'Failed';
}

/** Polls one batch until it is Complete or Failed, or until the timeout; a cancel (options.signal) ends the wait at once. */
export async function waitForBatch(
	fns: MarketoFunctions,
	target: ImportTarget,
	batchId: number,
	wait: WaitSettings,
	options: CallOptions = {},
	initial?: BatchStatus,
): Promise<{ status: BatchStatus; timedOut: boolean }> {
	const deadline = Date.now() + wait.timeoutMs;
	const cancelled = () =>
		new NodeOperationError(fns.getNode(), `The execution was cancelled while waiting for batch ${batchId}; Marketo goes on importing it`, {
			itemIndex: options.itemIndex,
			description: 'Read its status later with Get Status.',
		});
	// A cancel can land in a status call as well as between two: the same account either way.
	const read = async () => {
		try {
			return await getBatchStatus(fns, target, batchId, options);
		} catch (error) {
			throw error instanceof CancelledError ? cancelled() : (error as NodeOperationError);
		}
	};
	let status = initial ?? (await read());
	while (!isFinished(status)) {
		const remaining = deadline - Date.now();
		if (remaining <= 0) return { status, timedOut: true };
		const verdict = await waitFor(Math.max(MIN_POLL_MS, Math.min(wait.pollIntervalMs, remaining)), {
			signal: options.signal,
		});
		if (verdict === 'cancelled') throw cancelled();
		status = await read();
	}
	return { status, timedOut: false };
}
