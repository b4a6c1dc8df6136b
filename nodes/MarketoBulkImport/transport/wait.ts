import { sleep, sleepWithAbort } from 'n8n-workflow';

/** Why the transport waits before sending again. */
export type WaitKind = 'retry' | 'rateLimit' | 'queueFull';

export interface WaitLimits {
	/** Epoch ms. A wait that would end after it is not started. */
	deadline?: number;
	/** Ends a wait early when aborted. */
	signal?: AbortSignal;
	/** Clock, for tests. */
	now?: () => number;
}

/** How a wait ended: it ran out, it would have passed the deadline, or it was cancelled. */
export type WaitVerdict = 'waited' | 'deadline' | 'cancelled';

/**
 * The one place the transport waits. It never waits past the deadline (it does not start a
 * wait that would end after it) and ends at once when the signal aborts.
 */
export async function waitFor(ms: number, limits: WaitLimits = {}): Promise<WaitVerdict> {
	const { deadline, signal } = limits;
	const now = limits.now ?? Date.now;
	if (signal?.aborted) return 'cancelled';
	if (deadline !== undefined && now() + ms > deadline) return 'deadline';
	if (signal === undefined) {
		await sleep(ms);
		return 'waited';
	}
	return await abortableSleep(ms, signal);
}

async function abortableSleep(ms: number, signal: AbortSignal): Promise<WaitVerdict> {
	// sleepWithAbort clears its timer on abort; hosts with an n8n-workflow older than it fall back to a race.
	if (typeof sleepWithAbort === 'function') {
		try {
			await sleepWithAbort(ms, signal);
			return 'waited';
		} catch {
			// It rejects only when the signal aborts.
			return 'cancelled';
		}
	}
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<WaitVerdict>((resolve) => {
		onAbort = () => resolve('cancelled');
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([sleep(ms).then((): WaitVerdict => 'waited'), aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}
