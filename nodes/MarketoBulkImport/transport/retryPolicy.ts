/**
 * How long to wait before asking Marketo again. Pure: decision.ts says *whether* to wait
 * after an outcome, this module says *how long*.
 */
export interface RetrySettings {
	/** First wait after a transient failure (see decision.ts), in ms. */
	initialDelayMs: number;
	/** Cap on one wait, in ms. */
	maxDelayMs: number;
	/** How many times a transient failure is retried (reads; uploads only when nothing was sent). */
	maxTransientRetries: number;
	/** Rate (606) and concurrency (615) limits: first wait, in ms. Marketo's rate window is 20 s. */
	rateLimitDelayMs: number;
	/** Total time one request may spend waiting on 606/615 before giving up, in ms. */
	maxRateLimitWaitMs: number;
	/** Queue full (1016) or target list busy (1019): first wait, in ms; doubles each time up to `maxDelayMs`. */
	queueFullDelayMs: number;
	/** Total time one upload may wait for a free queue slot, in ms. */
	maxQueueWaitMs: number;
	/** Random spread added to each wait (0.2 = up to +20 %) so parallel clients don't retry in step. */
	jitter: number;
}

/** Floor of every wait, in ms. */
export const MIN_DELAY_MS = 10;

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
	initialDelayMs: 2_000,
	maxDelayMs: 60_000,
	maxTransientRetries: 4,
	rateLimitDelayMs: 5_000,
	maxRateLimitWaitMs: 5 * 60_000,
	queueFullDelayMs: 30_000,
	maxQueueWaitMs: 30 * 60_000,
	jitter: 0.2,
};

/** Rate-limit and queue waits also stop after this many waits, whatever the configured times. */
export const MAX_WAIT_ATTEMPTS = 60;

/** Exponential back-off: initial × 2^(attempt-1), capped, plus jitter. `attempt` starts at 1. */
export function backoffDelay(
	attempt: number,
	initialMs: number,
	maxMs: number,
	jitter: number,
	random: () => number = Math.random,
): number {
	// Never 0: a zero wait would turn a busy Marketo into a tight loop.
	const base = Math.min(maxMs, Math.max(MIN_DELAY_MS, initialMs) * 2 ** Math.max(0, attempt - 1));
	return Math.round(base * (1 + jitter * random()));
}
