import type { BatchStatus, CallOptions, ImportTarget } from '../api/bulkImport';
import { createImport, getBatchStatus } from '../api/bulkImport';
import type { DelimitedFormat } from '../csv';
import type { MarketoFunctions } from '../transport';
import { CancelledError, DeadlineReachedError, isUploadOutcomeUnknown } from '../transport';
import { waitFor } from '../transport/wait';
import type { ImportFile } from './files';
import type { WaitSettings } from './waitForBatch';
import { isFinished, MIN_POLL_MS } from './waitForBatch';

/**
 * Submits files so that Marketo's two import slots stay busy without flooding its queue
 * of ten (shared with every other integration of the instance): at most `maxInQueue` of
 * our batches are Queued or Importing at once. Files go in their input order.
 */
export interface PipelineSettings {
	target: ImportTarget;
	format: DelimitedFormat;
	fileName: (fileNumber: number) => string;
	fields: Record<string, string | undefined>;
	/** Our batches allowed in Marketo's queue at once (2 importing + some waiting). */
	maxInQueue: number;
	/** Wait until every batch is Complete or Failed (else stop once all files are accepted). */
	waitForCompletion: boolean;
	/** Poll interval (also paces a submission that waits for queue places) and timeout (only when waiting). */
	wait: WaitSettings;
	call: CallOptions;
	/** The execution's cancel signal: no upload starts and no wait goes on once it aborts. */
	signal?: AbortSignal;
	/** Told of each accepted file, as soon as Marketo has answered (for the execution log). */
	onAccepted?: (batch: BatchRecord, fileCount: number) => void;
}

/** Imports Marketo runs at once per instance. */
const MARKETO_IMPORT_SLOTS = 2;

export interface BatchRecord {
	fileNumber: number;
	file: ImportFile;
	batchId?: number;
	status?: BatchStatus;
	timedOut?: boolean;
}

export interface PipelineResult {
	batches: BatchRecord[];
	/**
	 * Set when the run stopped early: a file could not be submitted (later files were not
	 * submitted either), or a status check failed. Batches with a batchId were accepted.
	 */
	error?: Error;
	/** The file whose upload was cut off: Marketo may or may not have it. */
	uncertainFile?: BatchRecord;
}

export async function runImportPipeline(
	fns: MarketoFunctions,
	files: ImportFile[],
	settings: PipelineSettings,
): Promise<PipelineResult> {
	const batches: BatchRecord[] = files.map((file, index) => ({ fileNumber: index + 1, file }));
	// The timeout is a Wait for Completion option: without waiting, nothing limits the submission
	// but the transport's own bounded waits.
	const deadline = settings.waitForCompletion ? Date.now() + settings.wait.timeoutMs : Number.POSITIVE_INFINITY;
	const { signal } = settings;
	const call: CallOptions = { ...settings.call, signal, ...(settings.waitForCompletion ? { deadline } : {}) };
	const inQueue: BatchRecord[] = [];
	let next = 0;
	let submitError: Error | undefined;
	let uncertainFile: BatchRecord | undefined;

	const refresh = async (batch: BatchRecord) => {
		batch.status = await getBatchStatus(fns, settings.target, batch.batchId as number, call);
	};

	for (;;) {
		// Fill the free places in the queue, in file order.
		while (submitError === undefined && next < batches.length && inQueue.length < settings.maxInQueue) {
			const batch = batches[next];
			if (signal?.aborted) {
				submitError = cancelled(batches.length - next, batches.length);
				break;
			}
			try {
				batch.status = await createImport(
					fns,
					settings.target,
					{
						format: settings.format,
						file: batch.file.content,
						fileName: settings.fileName(batch.fileNumber),
						fields: settings.fields,
					},
					{ ...call, context: files.length > 1 ? `File ${batch.fileNumber} of ${files.length}` : undefined },
				);
				batch.batchId = batch.status.batchId;
				next++;
				settings.onAccepted?.(batch, batches.length);
				if (!isFinished(batch.status)) inQueue.push(batch);
			} catch (error) {
				submitError = error as Error;
				if (isUploadOutcomeUnknown(error)) uncertainFile = batch;
			}
		}
		if (submitError instanceof CancelledError) {
			// Cancelled while backing off: Marketo had refused that file, so it was not sent.
			submitError = cancelled(batches.length - next, batches.length);
		} else if (submitError instanceof DeadlineReachedError) {
			// The timeout ran out while Marketo's queue or limits kept a file waiting: it was not sent.
			submitError = new Error(
				`The timeout ran out before every file could be submitted (${submitError.message}): ${batches.length - next} of ${batches.length} files were not sent`,
			);
		}

		const allSubmitted = next >= batches.length || submitError !== undefined;
		if (allSubmitted && (!settings.waitForCompletion || inQueue.length === 0)) break;

		if (Date.now() >= deadline) {
			for (const batch of inQueue) batch.timedOut = true;
			// Files never submitted are reported by the caller as not submitted.
			if (!allSubmitted) {
				submitError = new Error(
					`The timeout ran out before every file could be submitted: ${batches.length - next} of ${batches.length} files were not sent`,
				);
			}
			break;
		}

		const verdict = await waitFor(Math.max(MIN_POLL_MS, Math.min(settings.wait.pollIntervalMs, deadline - Date.now())), { signal });
		if (verdict === 'cancelled') {
			// The batches stay Marketo's; files not yet sent are reported as not submitted.
			return { batches, error: submitError ?? cancelled(batches.length - next, batches.length), uncertainFile };
		}
		try {
			// Marketo imports in arrival order, two at a time: only our two oldest batches can
			// have finished, so only they are asked about (the rest would waste API calls).
			for (const batch of inQueue.slice(0, MARKETO_IMPORT_SLOTS)) {
				await refresh(batch);
				if (isFinished(batch.status as BatchStatus)) inQueue.splice(inQueue.indexOf(batch), 1);
			}
		} catch (error) {
			if (error instanceof CancelledError) {
				return { batches, error: submitError ?? cancelled(batches.length - next, batches.length), uncertainFile };
			}
			if (error instanceof DeadlineReachedError) {
				// Backing off on a status call reached the timeout: the batches are still Marketo's.
				for (const batch of inQueue) batch.timedOut = true;
				break;
			}
			return { batches, error: error as Error, uncertainFile };
		}
	}

	return { batches, error: submitError, uncertainFile };
}

/** The run was stopped (n8n's Stop, or an execution timeout): said as such, never as a network failure. */
export class ImportCancelledError extends Error {
	constructor(notSent: number, fileCount: number) {
		super(
			notSent > 0
				? `The execution was cancelled: ${notSent} of ${fileCount} files were not sent`
				: 'The execution was cancelled while waiting for Marketo to finish the batches',
		);
		this.name = 'ImportCancelledError';
	}
}

function cancelled(notSent: number, fileCount: number): ImportCancelledError {
	return new ImportCancelledError(notSent, fileCount);
}
