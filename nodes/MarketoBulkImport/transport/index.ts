/**
 * The only place that talks HTTP. Each call is a loop of: send (with a valid token),
 * classify what came back (classify.ts), ask the table what to do (decision.ts), and act:
 * return, wait (wait.ts) and send again, or throw the error the outcome deserves (errors.ts).
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Expect, Outcome } from './classify';
import { classifyFailure, classifyResponse, lastAnswer } from './classify';
import { decide, kindFor, NOTHING_SPENT, spend } from './decision';
import { marketoEndpoints } from './endpoints';
import type { CallInfo } from './errors';
import { CancelledError, DeadlineReachedError, lastInWords, stopError, UploadOutcomeUnknownError, uploadOutcomeUnknownError } from './errors';
import type { RetrySettings } from './retryPolicy';
import { DEFAULT_RETRY_SETTINGS } from './retryPolicy';
import type { MarketoFunctions } from './tokens';
import { CREDENTIAL_TYPE, secretsOf, sendWithToken } from './tokens';
import type { WaitKind } from './wait';
import { waitFor } from './wait';

export type { MarketoFunctions } from './tokens';
export { clearTokenCache, CREDENTIAL_TYPE } from './tokens';
export { asNodeError, CancelledError, DeadlineReachedError, UploadOutcomeUnknownError } from './errors';
export type { WaitKind } from './wait';

export interface MarketoCall {
	method: IHttpRequestMethods;
	/** Path from the instance root: `/rest/v1/…`, `/rest/asset/v1/…` or `/bulk/v1/…`. */
	path: string;
	qs?: IDataObject;
	body?: Buffer;
	headers?: IDataObject;
	/**
	 * Whether sending the call twice is harmless. Reads are retried after ambiguous
	 * failures (connection reset, 5xx); an upload only after an answer proving Marketo made no batch.
	 */
	idempotent: boolean;
	itemIndex?: number;
	retry?: Partial<RetrySettings>;
	/** Prefix for error messages, e.g. `Uploading file 2 of 3`. */
	context?: string;
	/**
	 * Epoch ms. No wait (back-off, rate limit, queue full) runs past it: a wait that would end
	 * after it is not started, and the call throws DeadlineReachedError instead.
	 */
	deadline?: number;
	/** Ends any wait at once when aborted; the call then throws CancelledError. */
	signal?: AbortSignal;
}

export interface MarketoJsonResponse extends IDataObject {
	requestId?: string;
	success?: boolean;
	result?: IDataObject[];
	warnings?: string[];
	nextPageToken?: string;
	moreResult?: boolean;
}

/** Whether an error is an upload that may or may not have reached Marketo (never resend it). */
export function isUploadOutcomeUnknown(error: unknown): error is UploadOutcomeUnknownError {
	return error instanceof UploadOutcomeUnknownError;
}

function endpointsOrError(fns: MarketoFunctions, credentials: ICredentialDataDecryptedObject, itemIndex: number | undefined) {
	try {
		return marketoEndpoints(credentials);
	} catch (error) {
		throw new NodeOperationError(fns.getNode(), (error as Error).message, {
			itemIndex,
			description: 'Open the Marketo credential and correct it.',
		});
	}
}

function redactor(secrets: string[]): (text: string) => string {
	return (text) => secrets.reduce((clean, secret) => clean.split(secret).join('***'), text);
}

const WAITS: Record<'retry' | 'waitRateLimit' | 'waitQueueFull', WaitKind> = {
	retry: 'retry',
	waitRateLimit: 'rateLimit',
	waitQueueFull: 'queueFull',
};

async function marketoRequest(fns: MarketoFunctions, call: MarketoCall, expect: Expect): Promise<Outcome & { kind: 'ok' }> {
	const settings: RetrySettings = { ...DEFAULT_RETRY_SETTINGS, ...call.retry };
	const node = fns.getNode();
	const credentials = await fns.getCredentials(CREDENTIAL_TYPE);
	const { instanceBase } = endpointsOrError(fns, credentials, call.itemIndex);
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

	const callKind = call.idempotent ? 'read' : 'upload';
	const info = (): CallInfo => ({
		kind: callKind,
		context: call.context,
		itemIndex: call.itemIndex,
		instanceBase,
		redact: redactor(secretsOf(fns, credentials)),
	});
	let spent = NOTHING_SPENT;
	let renew = false;
	let last: Outcome | undefined;

	for (;;) {
		if (call.signal?.aborted) {
			throw new CancelledError(node, { callKind, context: call.context, itemIndex: call.itemIndex, ...(last ? answerOf(last, info()) : {}) });
		}
		const sent = await sendWithToken(fns, credentials, options, renew);
		const outcome = sent.ok ? classifyResponse(sent.response, expect) : classifyFailure(sent.error);
		last = outcome;
		// A renewal is done once a token was obtained: keep asking for one while the token request fails.
		if (outcome.kind !== 'identity') renew = false;

		const decision = decide(outcome, { kind: kindFor(outcome, callKind), settings, spent });
		// n8n aborts the request in flight on a cancel: that is a cancel, not a network failure.
		// An upload cut while being sent keeps its 'unknown' verdict (Marketo may have it).
		if (call.signal?.aborted && decision.action !== 'return' && decision.action !== 'unknownUpload') {
			throw new CancelledError(node, { callKind, underWay: true, context: call.context, itemIndex: call.itemIndex });
		}
		switch (decision.action) {
			case 'return':
				return outcome as Outcome & { kind: 'ok' };
			case 'unknownUpload':
				throw uploadOutcomeUnknownError(node, outcome, info());
			case 'stop':
				throw stopError(node, outcome, decision.reason, info());
			case 'renewAndRetry':
				renew = true;
				break;
			case 'retry':
			case 'waitRateLimit':
			case 'waitQueueFull': {
				const wait = WAITS[decision.action];
				const verdict = await waitFor(decision.delayMs, { deadline: call.deadline, signal: call.signal });
				if (verdict === 'deadline') {
					throw new DeadlineReachedError(node, {
						wait,
						waitMs: decision.delayMs,
						deadline: call.deadline as number,
						...answerOf(outcome, info()),
						lastInWords: lastInWords(outcome, info().redact),
						callKind,
						context: call.context,
						itemIndex: call.itemIndex,
					});
				}
				if (verdict === 'cancelled') {
					throw new CancelledError(node, {
						wait,
						...answerOf(outcome, info()),
						callKind,
						context: call.context,
						itemIndex: call.itemIndex,
					});
				}
			}
		}
		spent = spend(spent, decision);
	}
}

function answerOf(outcome: Outcome, call: CallInfo): { lastCode: string; lastMessage: string } {
	const { code, message } = lastAnswer(outcome);
	return { lastCode: code, lastMessage: call.redact(message) };
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
