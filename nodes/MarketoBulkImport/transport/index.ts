import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { isCredentialErrorMessage, marketoEndpoints } from './endpoints';
import { describeNetworkError } from './networkErrors';
import type { MarketoErrorEntry } from './errors';
import { marketoApiError } from './errors';
import type { IssuedToken } from './identity';
import { NEAR_EXPIRY_SECONDS } from './identity';
import type { RetrySettings } from './retryPolicy';
import {
	backoffDelay,
	DEFAULT_RETRY_SETTINGS,
	QUEUE_FULL_CODE,
	RATE_LIMIT_CODES,
	TOKEN_CODES,
	TRANSIENT_CODES,
} from './retryPolicy';

export type MarketoFunctions = IExecuteFunctions | ILoadOptionsFunctions;

export const CREDENTIAL_TYPE = 'marketoApi';

export interface MarketoCall {
	method: IHttpRequestMethods;
	/** Path from the instance root: `/rest/v1/…`, `/rest/asset/v1/…` or `/bulk/v1/…`. */
	path: string;
	qs?: IDataObject;
	body?: Buffer;
	headers?: IDataObject;
	/**
	 * Whether sending the call twice is harmless. Reads are retried after ambiguous
	 * failures (connection reset, 5xx); an upload only when it certainly never reached Marketo.
	 */
	idempotent: boolean;
	itemIndex?: number;
	retry?: Partial<RetrySettings>;
	/** Prefix for error messages, e.g. `Uploading file 2 of 3`. */
	context?: string;
}

export interface MarketoJsonResponse extends IDataObject {
	requestId?: string;
	success?: boolean;
	result?: IDataObject[];
	warnings?: string[];
	nextPageToken?: string;
	moreResult?: boolean;
}

/**
 * Errors of uploads whose fate is unknown (the connection dropped after the body was
 * sent). Resending could import the file twice, so callers report them instead.
 */
const uploadsWithUnknownOutcome = new WeakSet<Error>();

export function isUploadOutcomeUnknown(error: unknown): boolean {
	return error instanceof Error && uploadsWithUnknownOutcome.has(error);
}

// ── Tokens ────────────────────────────────────────────────────────────────────────────

/**
 * Tokens per credential, for the life of the n8n process. n8n also persists the token in
 * the credential; this cache spares a database round trip and, above all, lets parallel
 * requests of one execution share a token renewed by any of them.
 */
const tokenCache = new Map<string, IssuedToken>();

function tokenCacheKey(fns: MarketoFunctions, credentials: ICredentialDataDecryptedObject): string {
	const reference = fns.getNode().credentials?.[CREDENTIAL_TYPE];
	return [
		reference?.id ?? '',
		String(credentials.clientId ?? ''),
		String(credentials.restEndpoint ?? ''),
		String(credentials.identityEndpoint ?? ''),
	].join('\u0000');
}

function isUsable(token: Partial<IssuedToken> | undefined): token is IssuedToken {
	return (
		token !== undefined &&
		typeof token.accessToken === 'string' &&
		token.accessToken !== '' &&
		Number(token.tokenValidUntil) - Date.now() > NEAR_EXPIRY_SECONDS * 1000
	);
}

/** Forget cached tokens (tests; and a safety valve should a credential be edited). */
export function clearTokenCache(): void {
	tokenCache.clear();
}

/**
 * Sends one HTTP request with a valid token. A stale or missing token is replaced by
 * handing n8n a copy of the credential with an empty `accessToken`: n8n then runs the
 * credential's `preAuthentication`, stores the new token, and sends the request with it.
 */
async function sendWithToken(
	fns: MarketoFunctions,
	options: IHttpRequestOptions,
	renew: boolean,
): Promise<{ statusCode: number; headers: IDataObject; body: unknown }> {
	const credentials = await fns.getCredentials(CREDENTIAL_TYPE);
	const key = tokenCacheKey(fns, credentials);
	const stored = {
		accessToken: credentials.accessToken as string,
		tokenValidUntil: Number(credentials.tokenValidUntil ?? 0),
	};
	const cached = tokenCache.get(key);
	const candidates = [cached, stored].filter(isUsable);
	candidates.sort((a, b) => b.tokenValidUntil - a.tokenValidUntil);

	const data: ICredentialDataDecryptedObject = { ...credentials, accessToken: '' };
	if (!renew && candidates.length > 0) {
		data.accessToken = candidates[0].accessToken;
		data.tokenValidUntil = candidates[0].tokenValidUntil;
	}

	const reference = fns.getNode().credentials?.[CREDENTIAL_TYPE];
	const response = (await fns.helpers.httpRequestWithAuthentication.call(
		fns,
		CREDENTIAL_TYPE,
		options,
		{
			credentialsDecrypted: {
				id: reference?.id ?? '',
				name: reference?.name ?? '',
				type: CREDENTIAL_TYPE,
				data,
			},
		},
	)) as { statusCode: number; headers: IDataObject; body: unknown };

	// n8n's preAuthentication writes the new token into `data`.
	if (typeof data.accessToken === 'string' && data.accessToken !== '') {
		tokenCache.set(key, {
			accessToken: data.accessToken,
			tokenValidUntil: Number(data.tokenValidUntil ?? 0),
		});
	}
	return response;
}

// ── Errors raised before Marketo answers ─────────────────────────────────────────────

/**
 * Network error code (ECONNREFUSED, ECONNRESET…) of a failed request. n8n 1.x hands it
 * over as a NodeApiError whose `httpCode` is the code; 2.x keeps the original error.
 */
function networkErrorCode(error: unknown): string | undefined {
	let current = error as { code?: unknown; httpCode?: unknown; cause?: unknown; errorResponse?: unknown } | undefined;
	for (let depth = 0; current && depth < 6; depth++) {
		for (const candidate of [current.code, current.httpCode]) {
			if (typeof candidate === 'string' && /^E[A-Z_]+$/.test(candidate)) return candidate;
		}
		current = (current.cause ?? current.errorResponse) as typeof current;
	}
	return undefined;
}

/** The message of a MarketoCredentialError (bad secret, unreachable identity host) in the cause chain. */
function identityFailure(error: unknown): string | undefined {
	let current = error as { message?: unknown; cause?: unknown; name?: unknown } | undefined;
	for (let depth = 0; current && depth < 6; depth++) {
		if (isCredentialErrorMessage(current.message)) return current.message as string;
		current = current.cause as typeof current;
	}
	return undefined;
}

/** Errors that say a connection was never made, so nothing reached Marketo. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Errors after which a read can safely be repeated. */
const TRANSIENT_NETWORK = new Set([
	...NEVER_SENT,
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ESOCKETTIMEDOUT',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

function endpointsOrError(
	fns: MarketoFunctions,
	credentials: ICredentialDataDecryptedObject,
	itemIndex: number | undefined,
) {
	const endpoints = (() => {
		try {
			return marketoEndpoints(credentials);
		} catch (error) {
			return error as Error;
		}
	})();
	if (endpoints instanceof Error) {
		throw new NodeOperationError(fns.getNode(), endpoints.message, {
			itemIndex,
			description: 'Open the Marketo credential and correct it.',
		});
	}
	return endpoints;
}

/** Capitalises a message that starts with a lower-case word (when it has no context prefix). */
function sentence(message: string): string {
	return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The error for an upload that may or may not have reached Marketo: callers must not resend it. */
function uploadOutcomeUnknown(
	node: INode,
	detail: JsonObject,
	what: string,
	itemIndex: number | undefined,
	extra = '',
): NodeApiError {
	const error = new NodeApiError(node, detail, {
		message: sentence(`${what}, so it is unknown whether Marketo accepted the file`),
		description:
			`Check the batches in Marketo (or with Get Status) before running the import again, to avoid importing rows twice. ${extra}`.trim(),
		itemIndex,
	});
	uploadsWithUnknownOutcome.add(error);
	return error;
}

/** Waits that double up to a cap, until a total wait or an attempt count is used up. */
class BoundedBackoff {
	private attempts = 0;

	private waited = 0;

	constructor(
		private readonly initialMs: number,
		private readonly maxTotalMs: number,
		private readonly settings: RetrySettings,
	) {}

	/** Sleeps and returns true, or returns false when the budget is spent. */
	async wait(): Promise<boolean> {
		if (this.waited >= this.maxTotalMs || this.attempts >= MAX_WAIT_ATTEMPTS) return false;
		this.attempts++;
		const delay = backoffDelay(this.attempts, this.initialMs, this.settings.maxDelayMs, this.settings.jitter);
		this.waited += delay;
		await sleep(delay);
		return true;
	}
}

// ── The request loop ─────────────────────────────────────────────────────────────────

type Outcome =
	| { kind: 'ok'; statusCode: number; headers: IDataObject; body: unknown }
	| {
			kind: 'marketo';
			error: MarketoErrorEntry;
			body: JsonObject;
			/** The request may have been processed anyway (HTTP 5xx, time-out). */
			ambiguous?: boolean;
	  };

/** Back-off loops also stop after this many waits, whatever the configured times. */
const MAX_WAIT_ATTEMPTS = 60;

function parseJson(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (body instanceof ArrayBuffer) body = Buffer.from(body).toString('utf8');
	if (typeof body === 'string') {
		const trimmed = body.trim();
		if (trimmed.startsWith('{')) {
			try {
				return JSON.parse(trimmed);
			} catch {
				return body;
			}
		}
	}
	return body;
}

function contentTypeOf(headers: IDataObject): string {
	return String(headers['content-type'] ?? headers['Content-Type'] ?? '').toLowerCase();
}

function firstMarketoError(body: unknown): MarketoErrorEntry | undefined {
	if (body === null || typeof body !== 'object') return undefined;
	const envelope = body as { success?: unknown; errors?: unknown };
	if (envelope.success !== false) return undefined;
	const errors = Array.isArray(envelope.errors) ? (envelope.errors as IDataObject[]) : [];
	const first = errors[0] ?? {};
	return {
		code: String(first.code ?? 'unknown'),
		message: String(first.message ?? 'Marketo answered success: false without a reason'),
	};
}

async function marketoRequest(
	fns: MarketoFunctions,
	call: MarketoCall,
	expect: 'json' | 'file',
): Promise<Outcome & { kind: 'ok' }> {
	const settings: RetrySettings = { ...DEFAULT_RETRY_SETTINGS, ...call.retry };
	const node = fns.getNode();
	const { instanceBase } = endpointsOrError(fns, await fns.getCredentials(CREDENTIAL_TYPE), call.itemIndex);
	const options: IHttpRequestOptions = {
		method: call.method,
		url: `${instanceBase}${call.path}`,
		qs: call.qs,
		headers: { ...call.headers },
		body: call.body,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: expect === 'json',
	};
	if (expect === 'file') options.encoding = 'arraybuffer';

	let renewed = false;
	let renewOnNextSend = false;
	let transientAttempts = 0;
	const rateLimitWait = new BoundedBackoff(settings.rateLimitDelayMs, settings.maxRateLimitWaitMs, settings);
	const queueFullWait = new BoundedBackoff(settings.queueFullDelayMs, settings.maxQueueWaitMs, settings);
	const context = call.context ? `${call.context}: ` : '';

	for (;;) {
		let outcome: Outcome | undefined;
		let failure: unknown;
		try {
			const response = await sendWithToken(fns, options, renewOnNextSend);
			renewOnNextSend = false;
			outcome = classify(response, expect);
		} catch (error) {
			failure = error;
		}

		if (outcome === undefined) {
			const identityMessage = identityFailure(failure);
			if (identityMessage) {
				throw new NodeApiError(node, { message: identityMessage } as JsonObject, {
					message: identityMessage,
					description: 'Open the Marketo credential, check it, and use "Test" to confirm.',
					itemIndex: call.itemIndex,
				});
			}
			const code = networkErrorCode(failure);
			const neverSent = code !== undefined && NEVER_SENT.has(code);
			const retryable = call.idempotent ? code !== undefined && TRANSIENT_NETWORK.has(code) : neverSent;
			if (retryable && transientAttempts < settings.maxTransientRetries) {
				transientAttempts++;
				await sleep(backoffDelay(transientAttempts, settings.initialDelayMs, settings.maxDelayMs, settings.jitter));
				continue;
			}
			// n8n replaces any message that mentions a Node.js error code, so the code goes in words.
			const what = describeNetworkError(code);
			const detail = { message: `Connection to Marketo failed: ${what}` } as JsonObject;
			if (!call.idempotent && !neverSent) {
				throw uploadOutcomeUnknown(
					node,
					detail,
					`${context}the connection to Marketo broke during an upload (${what})`,
					call.itemIndex,
					`Network error: ${code ?? 'none reported'}.`,
				);
			}
			throw new NodeApiError(node, detail, {
				message: sentence(`${context}could not reach Marketo at ${instanceBase} (${what})`),
				description: `Check the REST API endpoint in the Marketo credential and that this n8n can reach it. Network error: ${code ?? 'none reported'}.`,
				itemIndex: call.itemIndex,
			});
		}

		if (outcome.kind === 'ok') return outcome;

		const { code } = outcome.error;
		if (TOKEN_CODES.has(code) && !renewed) {
			// Expired or revoked token: renew once and replay. The body is a Buffer, so it can be resent.
			renewed = true;
			renewOnNextSend = true;
			continue;
		}
		if (RATE_LIMIT_CODES.has(code) && (await rateLimitWait.wait())) continue;
		if (code === QUEUE_FULL_CODE && !call.idempotent && (await queueFullWait.wait())) continue;
		// An HTTP 5xx (or a 604 time-out) on an upload is ambiguous: the file may have arrived.
		if (!call.idempotent && outcome.ambiguous) {
			throw uploadOutcomeUnknown(
				node,
				outcome.body,
				`${context}Marketo answered an upload with ${outcome.error.message} (${outcome.error.code})`,
				call.itemIndex,
			);
		}
		// Other transient refusals mean Marketo did not process the call: even an upload may be resent.
		if (TRANSIENT_CODES.has(code) && transientAttempts < settings.maxTransientRetries) {
			transientAttempts++;
			await sleep(backoffDelay(transientAttempts, settings.initialDelayMs, settings.maxDelayMs, settings.jitter));
			continue;
		}
		throw marketoApiError(node, outcome.error, {
			itemIndex: call.itemIndex,
			response: outcome.body,
			context: call.context,
		});
	}
}

function classify(
	response: { statusCode: number; headers: IDataObject; body: unknown },
	expect: 'json' | 'file',
): Outcome {
	const { statusCode, headers } = response;
	const parsed = parseJson(response.body);
	const marketoError = firstMarketoError(parsed);
	if (marketoError) {
		return { kind: 'marketo', error: marketoError, body: parsed as JsonObject, ambiguous: marketoError.code === '604' };
	}
	if (statusCode >= 500) {
		return {
			kind: 'marketo',
			error: { code: statusCode === 502 ? '502' : '611', message: `HTTP ${statusCode}` },
			body: { statusCode } as JsonObject,
			ambiguous: true,
		};
	}
	if (statusCode === 413 || statusCode === 414) {
		return {
			kind: 'marketo',
			error: { code: String(statusCode), message: statusCode === 413 ? 'Request entity too large' : 'Request URI too long' },
			body: { statusCode } as JsonObject,
		};
	}
	if (expect === 'file' && statusCode === 404) {
		return { kind: 'ok', statusCode, headers, body: null };
	}
	if (statusCode < 200 || statusCode >= 300) {
		return {
			kind: 'marketo',
			error: { code: String(statusCode), message: `Unexpected HTTP ${statusCode} from Marketo` },
			body: { statusCode } as JsonObject,
		};
	}
	if (expect === 'json' && (parsed === null || typeof parsed !== 'object')) {
		return {
			kind: 'marketo',
			error: { code: 'unknown', message: `Marketo answered with ${contentTypeOf(headers) || 'no content type'} instead of JSON` },
			body: { statusCode } as JsonObject,
		};
	}
	return { kind: 'ok', statusCode, headers, body: expect === 'json' ? parsed : response.body };
}

/** A Marketo JSON call; `success: false` answers become errors (after the retries they deserve). */
export async function marketoJson(fns: MarketoFunctions, call: MarketoCall): Promise<MarketoJsonResponse> {
	const response = await marketoRequest(fns, call, 'json');
	return response.body as MarketoJsonResponse;
}

/**
 * A file download (failures and warnings reports). Returns undefined when Marketo has no
 * file: it answers 404, or (older instances) an empty 200.
 */
export async function marketoFile(fns: MarketoFunctions, call: MarketoCall): Promise<Buffer | undefined> {
	const response = await marketoRequest(fns, call, 'file');
	const { body } = response;
	if (body === null || body === undefined) return undefined;
	const buffer = Buffer.isBuffer(body)
		? body
		: body instanceof ArrayBuffer
			? Buffer.from(body)
			: Buffer.from(String(body), 'utf8');
	return buffer.length === 0 ? undefined : buffer;
}
