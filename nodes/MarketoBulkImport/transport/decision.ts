/**
 * What the transport does after each outcome: one table, pure, read at a glance.
 *
 * The rule that shapes it: an upload (a non-idempotent call) is sent again only after an
 * answer proving Marketo created no batch. Any outcome that leaves room for doubt takes the
 * "unknown whether Marketo accepted the file" path, because a resent file would be imported
 * twice. Reads and token requests can be repeated freely, so they retry transient failures.
 */
import type { Outcome } from './classify';
import type { NetworkFailure } from './networkErrors';
import { networkPhase } from './networkErrors';
import type { RetrySettings } from './retryPolicy';
import { backoffDelay, MAX_WAIT_ATTEMPTS } from './retryPolicy';

/**
 * `read`: an idempotent call (status, report, metadata). `upload`: a bulk import POST.
 * `token`: the token request n8n runs before a call when the token is missing or renewed;
 * when it fails, the call itself was never sent, whatever its kind.
 */
export type CallKind = 'read' | 'upload' | 'token';

export type OutcomeClass =
	| 'ok'
	/** 601, 602: the token was rejected before the call was processed. */
	| 'tokenRejected'
	/** 606, 615, HTTP 429: refused by a rate or concurrency limit, before processing. */
	| 'rateLimited'
	/** 1016: the import queue is full; the file was refused, no batch made. */
	| 'queueFull'
	/** 1019: the target list is being imported to; the file was refused, no batch made. */
	| 'targetBusy'
	/** 604, 608, 611, 713, HTTP 5xx, a 2xx that is not JSON: Marketo may have processed the call. */
	| 'ambiguous'
	/** Any other Marketo code or HTTP 4xx (413, 414…): a refusal that repeating cannot fix. */
	| 'refused'
	/** DNS failure, refused or unreachable connection: not a byte was sent. */
	| 'notSent'
	/** TLS certificate or handshake refused: nothing was sent, and retrying cannot fix it. */
	| 'tlsFailed'
	/** Connection reset, time-out, closed while sending: the request may have arrived. */
	| 'brokenAfterSend'
	/** The request was aborted (execution cancelled), possibly mid-body. */
	| 'aborted'
	/** An error without a known network code: nothing proves the request was not sent. */
	| 'unexplained'
	/** The token request: Marketo refused the client ID/secret, or the credential is wrong. */
	| 'credentialRefused';

export type Rule = 'return' | 'retry' | 'renewAndRetry' | 'waitRateLimit' | 'waitQueueFull' | 'unknownUpload' | 'stop';

/**
 * The table. For an upload, `retry` means the file is sent again. The README's "Retries and
 * errors" section states the same table with the reason for each row.
 */
export const RULES: Readonly<Record<OutcomeClass, Readonly<Record<CallKind, Rule>>>> = {
	ok: { read: 'return', upload: 'return', token: 'return' },
	tokenRejected: { read: 'renewAndRetry', upload: 'renewAndRetry', token: 'renewAndRetry' },
	rateLimited: { read: 'waitRateLimit', upload: 'waitRateLimit', token: 'waitRateLimit' },
	queueFull: { read: 'stop', upload: 'waitQueueFull', token: 'stop' },
	targetBusy: { read: 'stop', upload: 'waitQueueFull', token: 'stop' },
	ambiguous: { read: 'retry', upload: 'unknownUpload', token: 'retry' },
	refused: { read: 'stop', upload: 'stop', token: 'stop' },
	notSent: { read: 'retry', upload: 'retry', token: 'retry' },
	tlsFailed: { read: 'stop', upload: 'stop', token: 'stop' },
	brokenAfterSend: { read: 'retry', upload: 'unknownUpload', token: 'retry' },
	aborted: { read: 'stop', upload: 'unknownUpload', token: 'stop' },
	unexplained: { read: 'stop', upload: 'unknownUpload', token: 'stop' },
	credentialRefused: { read: 'stop', upload: 'stop', token: 'stop' },
};

/** Marketo codes with their own row; every other code is `refused`. */
const MARKETO_CODES: Readonly<Record<string, OutcomeClass>> = {
	'601': 'tokenRejected',
	'602': 'tokenRejected',
	'606': 'rateLimited',
	'615': 'rateLimited',
	'1016': 'queueFull',
	'1019': 'targetBusy',
	'604': 'ambiguous',
	'608': 'ambiguous',
	'611': 'ambiguous',
	'713': 'ambiguous',
};

function networkClass(failure: NetworkFailure): OutcomeClass {
	switch (networkPhase(failure.code, failure.message)) {
		case 'beforeSend':
			return 'notSent';
		case 'tls':
			return 'tlsFailed';
		case 'afterConnect':
			return 'brokenAfterSend';
		case 'cancelled':
			return 'aborted';
		case 'unknown':
			return 'unexplained';
	}
}

export function classOf(outcome: Outcome): OutcomeClass {
	switch (outcome.kind) {
		case 'ok':
			return 'ok';
		case 'marketo':
			return MARKETO_CODES[outcome.code] ?? 'refused';
		case 'http':
			if (outcome.status >= 500) return 'ambiguous';
			if (outcome.status === 429) return 'rateLimited';
			return 'refused';
		case 'unreadable':
			return 'ambiguous';
		case 'network':
			return networkClass(outcome.failure);
		case 'identity':
			switch (outcome.problem) {
				case 'unreachable': {
					// A network failure of the token request; one without a known code is still one.
					const found = outcome.failure ? networkClass(outcome.failure) : 'unexplained';
					return found === 'unexplained' ? 'brokenAfterSend' : found;
				}
				case 'serverError':
					return 'ambiguous';
				case 'certificate':
					return 'tlsFailed';
				case 'refused':
				case 'settings':
				case 'answer':
					return 'credentialRefused';
				case undefined:
					return 'unexplained';
			}
	}
}

/** The call kind whose column decides: a failed token request means the call was never sent. */
export function kindFor(outcome: Outcome, callKind: Exclude<CallKind, 'token'>): CallKind {
	return outcome.kind === 'identity' ? 'token' : callKind;
}

/** What one call has used up so far. */
export interface Spent {
	retries: number;
	renewed: boolean;
	rateLimitWaits: number;
	rateLimitWaitedMs: number;
	queueWaits: number;
	queueWaitedMs: number;
}

export const NOTHING_SPENT: Spent = {
	retries: 0,
	renewed: false,
	rateLimitWaits: 0,
	rateLimitWaitedMs: 0,
	queueWaits: 0,
	queueWaitedMs: 0,
};

export interface DecisionContext {
	kind: CallKind;
	settings: RetrySettings;
	spent: Spent;
	/** For jitter; Math.random by default. */
	random?: () => number;
}

export type StopReason =
	/** The table says stop: a refusal, or a failure retrying cannot fix. */
	| 'refused'
	/** A transient failure, but the retries are used up. */
	| 'retriesUsed'
	/** 601/602 again right after a renewed token. */
	| 'renewalDidNotHelp'
	/** 606/615, 1016 or 1019 again after the longest wait allowed. */
	| 'waitBudgetUsed';

export type Decision =
	| { action: 'return' }
	| { action: 'renewAndRetry' }
	| { action: 'retry' | 'waitRateLimit' | 'waitQueueFull'; delayMs: number }
	| { action: 'unknownUpload' }
	| { action: 'stop'; reason: StopReason };

/** The table's rule for this outcome, with this call's budgets applied. */
export function decide(outcome: Outcome, context: DecisionContext): Decision {
	const { settings, spent } = context;
	const random = context.random ?? Math.random;
	const rule = RULES[classOf(outcome)][context.kind];
	switch (rule) {
		case 'return':
		case 'unknownUpload':
			return { action: rule };
		case 'stop':
			return { action: 'stop', reason: 'refused' };
		case 'renewAndRetry':
			return spent.renewed ? { action: 'stop', reason: 'renewalDidNotHelp' } : { action: 'renewAndRetry' };
		case 'retry':
			if (spent.retries >= settings.maxTransientRetries) return { action: 'stop', reason: 'retriesUsed' };
			return {
				action: 'retry',
				delayMs: backoffDelay(spent.retries + 1, settings.initialDelayMs, settings.maxDelayMs, settings.jitter, random),
			};
		case 'waitRateLimit':
			if (spent.rateLimitWaitedMs >= settings.maxRateLimitWaitMs || spent.rateLimitWaits >= MAX_WAIT_ATTEMPTS) {
				return { action: 'stop', reason: 'waitBudgetUsed' };
			}
			return {
				action: 'waitRateLimit',
				delayMs: backoffDelay(spent.rateLimitWaits + 1, settings.rateLimitDelayMs, settings.maxDelayMs, settings.jitter, random),
			};
		case 'waitQueueFull':
			if (spent.queueWaitedMs >= settings.maxQueueWaitMs || spent.queueWaits >= MAX_WAIT_ATTEMPTS) {
				return { action: 'stop', reason: 'waitBudgetUsed' };
			}
			return {
				action: 'waitQueueFull',
				delayMs: backoffDelay(spent.queueWaits + 1, settings.queueFullDelayMs, settings.maxDelayMs, settings.jitter, random),
			};
	}
}

/** The budgets after acting on a decision. */
export function spend(spent: Spent, decision: Decision): Spent {
	switch (decision.action) {
		case 'renewAndRetry':
			return { ...spent, renewed: true };
		case 'retry':
			return { ...spent, retries: spent.retries + 1 };
		case 'waitRateLimit':
			return {
				...spent,
				rateLimitWaits: spent.rateLimitWaits + 1,
				rateLimitWaitedMs: spent.rateLimitWaitedMs + decision.delayMs,
			};
		case 'waitQueueFull':
			return { ...spent, queueWaits: spent.queueWaits + 1, queueWaitedMs: spent.queueWaitedMs + decision.delayMs };
		default:
			return spent;
	}
}
