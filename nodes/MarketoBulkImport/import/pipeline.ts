import type { BatchStatus, CallOptions, ImportTarget } from '../api/bulkImport';
import { createImport, getBatchStatus } from '../api/bulkImport';
import type { DelimitedFormat } from '../csv';
import type { MarketoFunctions } from '../transport';
import { CancelledError, DeadlineReachedError, isUploadOutcomeUnknown } from '../transport';
import { waitFor } from '../transport/wait';
import type { ImportFile } from './fileBuilder';
import type { WaitSettings } from './waitForBatch';
import { observationOf, PollSchedule } from './pollSchedule';
import { isFinished, MIN_POLL_MS } from './waitForBatch';

/** The longest single sleep: the loop looks at the deadline and the schedule at least this often. */
const MAX_SLEEP_MS = 60_000;

/**
 * Submits files so that Marketo's two import slots stay busy without flooding its queue
 * of ten (shared with every other integration of the instance): at most `maxInQueue` of
 * our batches are Queued or Importing at once. Files go in their input order, and are
 * prepared one ahead: the next file is built while the current one uploads, so at most
 * maxInQueue + 1 files exist at once.
 */
export interface PipelineSettings {
	target: ImportTarget;
	format: DelimitedFormat;
	/** The name Marketo shows for file `fileNumber`; `single` when it is the only file. */
	fileName: (fileNumber: number, single: boolean) => string;
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
	/** When waiting: the end of the Timeout, counted from the start of the node (else from now). */
	deadline?: number;
	/** Rows the files will hold in all, to tell whether the first file is the only one. */
	totalRows: number;
	/** Told of each accepted file, as soon as Marketo has answered (for the execution log). */
	onAccepted?: (batch: BatchRecord) => void;
	/**
	 * Called when a batch is Complete or Failed, before its file's bytes are dropped (to trace
	 * its reports), with the call options to use: they carry the deadline and the cancel signal.
	 */
	onFinished?: (batch: BatchRecord, call: CallOptions) => Promise<void>;
}


export interface BatchRecord {
	fileNumber: number;
	file: ImportFile;
	batchId?: number;
	status?: BatchStatus;
	timedOut?: boolean;
}

export interface PipelineResult {
	/** Every file built, in order: accepted ones have a batchId. */
	batches: BatchRecord[];
	/** Whether every row became a file (false when the run stopped before building them all). */
	allBuilt: boolean;
	/**
	 * Set when the run stopped early: a file could not be submitted (later files were not
	 * submitted either), a status check failed, the timeout ran out or the run was cancelled.
	 */
	error?: Error;
	/** The file whose upload was cut off: Marketo may or may not have it. */
	uncertainFile?: BatchRecord;
}

/** The run was stopped (n8n's Stop, or an execution timeout): said as such, never as a network failure. */
export class ImportCancelledError extends Error {
	constructor(notSent: boolean) {
		super(
			notSent
				? 'The execution was cancelled before every file was sent'
				: 'The execution was cancelled while waiting for Marketo to finish the batches',
		);
		this.name = 'ImportCancelledError';
	}
}

export async function runImportPipeline(
	fns: MarketoFunctions,
	files: AsyncIterable<ImportFile>,
	settings: PipelineSettings,
): Promise<PipelineResult> {
	const source = files[Symbol.asyncIterator]();
	const batches: BatchRecord[] = [];
	// The timeout is a Wait for Completion option: without waiting, nothing limits the submission
	// but the transport's own bounded waits.
	const deadline = settings.waitForCompletion
		? (settings.deadline ?? Date.now() + settings.wait.timeoutMs)
		: Number.POSITIVE_INFINITY;
	const { signal } = settings;
	const call: CallOptions = { ...settings.call, signal, ...(settings.waitForCompletion ? { deadline } : {}) };
	const inQueue: BatchRecord[] = [];
	// When to ask about which batch: learnt from Marketo's progress, never sooner than the Poll Interval.
	const schedule = new PollSchedule({ floorMs: Math.max(MIN_POLL_MS, settings.wait.pollIntervalMs) });
	const byId = new Map<number, BatchRecord>();
	let prepared: Promise<IteratorResult<ImportFile>> | undefined = source.next();
	let pendingBatch: BatchRecord | undefined;
	let submitError: Error | undefined;
	let uncertainFile: BatchRecord | undefined;

	const result = (error: Error | undefined): PipelineResult => ({
		batches,
		allBuilt: prepared === undefined,
		error,
		uncertainFile,
	});
	/** Whether a file is still to be sent; settles the file being built, if any (a short wait). */
	const moreToSend = async (): Promise<boolean> => {
		if (pendingBatch !== undefined) return true;
		if (prepared === undefined) return false;
		const next = await prepared;
		if (next.done) {
			prepared = undefined;
			return false;
		}
		pendingBatch = { fileNumber: batches.length + 1, file: next.value };
		batches.push(pendingBatch);
		prepared = source.next();
		return true;
	};
	const finish = async (batch: BatchRecord) => {
		if (settings.waitForCompletion) await settings.onFinished?.(batch, call);
		batch.file.content = batch.file.room = undefined;
	};

	for (;;) {
		// Fill the free places in the queue, in file order.
		while (submitError === undefined && inQueue.length < settings.maxInQueue && (pendingBatch || prepared)) {
			if (signal?.aborted) {
				submitError = new ImportCancelledError(true);
				break;
			}
			if (pendingBatch === undefined) {
				const next = await (prepared as Promise<IteratorResult<ImportFile>>);
				if (next.done) {
					prepared = undefined;
					break;
				}
				pendingBatch = { fileNumber: batches.length + 1, file: next.value };
				batches.push(pendingBatch);
				// Build the next file while this one uploads.
				prepared = source.next();
			}
			const batch = pendingBatch;
			const single = batch.fileNumber === 1 && batch.file.rowCount >= settings.totalRows;
			try {
				batch.status = await createImport(
					fns,
					settings.target,
					{
						format: settings.format,
						file: batch.file.content as Buffer,
						fileRoom: batch.file.room,
						fileName: settings.fileName(batch.fileNumber, single),
						fields: settings.fields,
					},
					{ ...call, context: single ? undefined : `File ${batch.fileNumber}` },
				);
				batch.batchId = batch.status.batchId;
				pendingBatch = undefined;
				settings.onAccepted?.(batch);
				if (!isFinished(batch.status)) {
					inQueue.push(batch);
					byId.set(batch.batchId, batch);
					schedule.submitted(batch.batchId, batch.file.rowCount, Date.now());
				} else {
					await finish(batch);
				}
				if (!settings.waitForCompletion) batch.file.content = batch.file.room = undefined;
			} catch (error) {
				submitError = error as Error;
				if (isUploadOutcomeUnknown(error)) uncertainFile = batch;
				// Its bytes are not needed any more: it is either unknown or not sent.
				batch.file.content = batch.file.room = undefined;
			}
		}
		if (submitError instanceof CancelledError) {
			// Cancelled while backing off: Marketo had refused that file, so it was not sent.
			submitError = new ImportCancelledError(true);
		} else if (submitError instanceof DeadlineReachedError) {
			// The timeout ran out while Marketo's queue or limits kept a file waiting: it was not sent.
			submitError = new Error(`The timeout ran out before every file could be submitted (${submitError.message})`);
		}

		const allSubmitted = (pendingBatch === undefined && prepared === undefined) || submitError !== undefined;
		if (allSubmitted) schedule.lastSubmitted();
		if (allSubmitted && (!settings.waitForCompletion || inQueue.length === 0)) break;

		if (Date.now() >= deadline) {
			for (const batch of inQueue) batch.timedOut = true;
			// Files never submitted are reported by the caller as not submitted.
			if (!allSubmitted && (await moreToSend())) submitError = new Error('The timeout ran out before every file could be submitted');
			break;
		}

		// Marketo imports in arrival order, two at a time: only our two oldest batches can have
		// finished, and the schedule asks about each when it should be done (or to learn the rate).
		const first = schedule.next(Date.now());
		let { askNow } = first;
		if (askNow.length === 0) {
			const waitMs = Math.max(MIN_POLL_MS, Math.min(first.wakeAt, deadline) - Date.now());
			const verdict = await waitFor(Math.min(waitMs, MAX_SLEEP_MS), { signal });
			if (verdict === 'cancelled') {
				// The batches stay Marketo's; files not yet sent are reported as not submitted.
				return result(submitError ?? new ImportCancelledError(!allSubmitted));
			}
			({ askNow } = schedule.next(Date.now()));
		}
		try {
			for (const batchId of askNow) {
				const batch = byId.get(batchId) as BatchRecord;
				batch.status = await getBatchStatus(fns, settings.target, batchId, call);
				schedule.observed(batchId, observationOf(batch.status, Date.now()));
				if (isFinished(batch.status)) {
					inQueue.splice(inQueue.indexOf(batch), 1);
					byId.delete(batchId);
					await finish(batch);
				}
			}
		} catch (error) {
			if (error instanceof CancelledError) return result(submitError ?? new ImportCancelledError(!allSubmitted));
			if (error instanceof DeadlineReachedError) {
				// Backing off on a status call reached the timeout: the batches are still Marketo's.
				for (const batch of inQueue) batch.timedOut = true;
				if (!allSubmitted && (await moreToSend())) submitError = new Error('The timeout ran out before every file could be submitted');
				break;
			}
			return result(submitError ?? (error as Error));
		}
	}

	return result(submitError);
}
