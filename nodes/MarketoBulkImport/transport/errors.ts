import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Outcome } from './classify';
import { lastAnswer, outcomeInWords, unreadableText } from './classify';
import type { CallKind, StopReason } from './decision';
import { describeNetworkError, networkAdvice, networkDetail, withCodesInWords } from './networkErrors';
import type { WaitKind } from './wait';

/** Marketo's error envelope: HTTP 200 with `success: false`. */
export interface MarketoErrorEntry {
	code: string;
	message: string;
}

/** How to fix each error a bulk import can meet, in the words a Marketo admin would use. */
const HINTS: Record<string, string> = {
	'413': 'The request is larger than Marketo accepts (10 MB for a bulk import file). Lower "Max File Size" so the items are split into smaller files.',
	'414': 'The request URL is too long. Shorten the parameters.',
	'500': 'Marketo had an internal error. Run the workflow again in a few minutes.',
	'502': 'Marketo is temporarily unreachable (Bad Gateway). Run the workflow again in a few minutes.',
	'503': 'Marketo is temporarily unavailable. Run the workflow again in a few minutes.',
	'504': 'Marketo did not answer in time (Gateway Timeout). Run the workflow again in a few minutes.',
	'600': 'No access token was sent. Save the Marketo credential again.',
	'601': 'Marketo did not recognise the access token even after renewing it. Check that the credential points at the right instance.',
	'602': 'The access token expired and renewing it did not help. Run the workflow again.',
	'603': 'The API user may lack a permission: give its role "Read-Write Lead" (and "Read-Write Custom Object" or "Read-Only Assets" for those features), and check Admin → Web Services → IP restrictions.',
	'604': 'Marketo timed out. Run the workflow again; if it persists, import fewer rows per file.',
	'605': 'Marketo does not support this HTTP method here. This is a bug in the node: please report it.',
	'606': 'Marketo allows 100 calls per 20 seconds per instance, shared by every integration. Wait a minute, or raise the retry wait in the node options.',
	'607': 'The daily API quota of the instance is used up. It resets at midnight US Central time.',
	'608': 'The Marketo API is temporarily unavailable. Run the workflow again in a few minutes.',
	'609': 'Marketo could not read the JSON sent. This is a bug in the node: please report it.',
	'610': 'The requested resource does not exist. Check the REST API endpoint in the credential (bulk paths have no /rest).',
	'611': 'Marketo had an internal error. Run the workflow again in a few minutes.',
	'612': 'Marketo expected a different content type. This is a bug in the node: please report it.',
	'613': 'Marketo could not read the uploaded file. This is a bug in the node: please report it.',
	'614': 'The subscription in the credential is not valid. Check the REST API endpoint.',
	'615': 'Marketo allows 10 concurrent calls per instance, shared by every integration. Wait a moment, or raise the retry wait in the node options.',
	'713': 'Marketo is temporarily unavailable. Run the workflow again in a few minutes.',
	'1001': 'A parameter has a value Marketo does not accept. Check the batch ID (a number) and the file format (CSV, TSV or SSV).',
	'1002': 'A required parameter is missing.',
	'1003': 'Marketo found the data invalid: an empty file or an unknown partition. Check the input items and the Partition option.',
	'1004': 'No lead matched (with Lookup Field "id" the import only updates existing leads).',
	'1006': 'A column is not a Marketo field. Column names must be REST API names (such as firstName, not "First Name"): rename or remove it, for example with an Edit Fields node.',
	'1007': 'Several leads match the lookup value. Use a lookup field that is unique.',
	'1008': 'The API user has no access to this lead partition. Choose another partition or grant access to the API user\'s role.',
	'1009': 'Open the node\'s Options, add "Partition", and choose the partition the leads belong in. Marketo requires it on instances with more than one lead partition.',
	'1010': 'The partition of an existing lead cannot be changed by an import.',
	'1011': 'This field cannot be a lookup field. Use email, id, cookies, one of the sfdc*/social ids, or a custom string, email or integer field.',
	'1013': 'Marketo could not find it: check the batch ID (batch IDs expire after 7 days), the static list ID, the custom object or the program.',
	'1016': 'Marketo already has 10 imports queued for this instance (shared by all integrations). Try again later, or raise the maximum wait for a free queue slot in the node options.',
	'1019': 'The target list is already being imported to. Try again when that import has finished, or raise the maximum wait for a free queue slot in the node options.',
	'1025': 'The program member status does not exist in the program\'s channel. Pick a status from the list.',
	'1026': 'Custom objects are not enabled on this instance.',
};

export function hintFor(code: string): string {
	return HINTS[code] ?? 'See Marketo\'s error code reference: https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes';
}

/** Refusals whose own message does not say what to do: said in plain words first. */
const MEANINGS: Record<string, string> = {
	'1009': 'Marketo requires a lead partition on this instance: choose one in Options → Partition',
};

/**
 * Builds the error a user sees for a Marketo refusal: Marketo's own code and message,
 * then how to fix it. The body kept for details is Marketo's response, which never
 * holds the token or the client secret.
 */
export function marketoApiError(
	node: INode,
	error: MarketoErrorEntry,
	options: { itemIndex?: number; response?: JsonObject; context?: string } = {},
): NodeApiError {
	const where = options.context ? `${options.context}: ` : '';
	const meaning = MEANINGS[error.code];
	return new NodeApiError(
		node,
		options.response ?? ({ code: error.code, message: error.message } as JsonObject),
		{
			message: `${where}${meaning ? `${meaning} (Marketo error ${error.code}: ${error.message})` : `Marketo error ${error.code}: ${error.message}`}`,
			description: hintFor(error.code),
			httpCode: error.code,
			itemIndex: options.itemIndex,
		},
	);
}

// ── What the transport throws ─────────────────────────────────────────────────────────

/** Where a call stands, for its errors. */
export interface CallInfo {
	kind: Exclude<CallKind, 'token'>;
	/** Prefix for messages, e.g. `File 2 of 3`. */
	context?: string;
	itemIndex?: number;
	/** `https://123-ABC-456.mktorest.com` */
	instanceBase: string;
	/** Removes the client secret and tokens from any text that goes into an error. */
	redact: (text: string) => string;
}

/** Capitalises a message that starts with a lower-case word (when it has no context prefix). */
function sentence(message: string): string {
	return message.charAt(0).toUpperCase() + message.slice(1);
}

function prefixed(call: Pick<CallInfo, 'context'>, message: string): string {
	return sentence(call.context ? `${call.context}: ${message}` : message);
}

/**
 * An upload whose fate is unknown: Marketo may or may not have made a batch of it (an
 * ambiguous answer such as 611, 604 or HTTP 5xx, or a connection that broke after the body
 * was sent). Resending could import the file twice, so callers report it instead.
 * Its `name` stays `NodeApiError`, as n8n's editor expects; recognise it with instanceof.
 */
export class UploadOutcomeUnknownError extends NodeApiError {
	/** Marketo's code, the HTTP status or the network error code of the last answer. */
	readonly lastCode: string;

	readonly lastMessage: string;

	constructor(
		node: INode,
		detail: JsonObject,
		options: { message: string; description: string; itemIndex?: number; lastCode: string; lastMessage: string },
	) {
		super(node, detail, { message: options.message, description: options.description, itemIndex: options.itemIndex });
		this.name = 'NodeApiError';
		this.lastCode = options.lastCode;
		this.lastMessage = options.lastMessage;
	}
}

const WAIT_WORDS: Record<WaitKind, string> = {
	retry: 'the wait before trying again',
	rateLimit: 'the wait for Marketo\'s API rate limit',
	queueFull: 'the wait for a free place in Marketo\'s import queue',
};

function seconds(ms: number): string {
	return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 100) / 10} s`;
}

/** What a call that ended in a wait means for an upload: waits only follow answers proving no batch was made. */
const NOT_ACCEPTED =
	'Marketo has not accepted this file (its last answer refused it, or it was never sent), so it can be sent again later.';

/**
 * A wait (back-off, rate limit, queue full) would have ended after the call's deadline, so
 * the transport stopped instead of waiting. Waits only follow answers proving no batch was
 * made, so an upload that ends with this error was not accepted by Marketo.
 */
export class DeadlineReachedError extends NodeOperationError {
	readonly wait: WaitKind;

	/** The wait that was not started, in ms. */
	readonly waitMs: number;

	/** Epoch ms. */
	readonly deadline: number;

	/** Marketo's code (or HTTP status, or network error code) and message of the last answer. */
	readonly lastCode: string;

	readonly lastMessage: string;

	readonly callKind: Exclude<CallKind, 'token'>;

	constructor(
		node: INode,
		options: {
			wait: WaitKind;
			waitMs: number;
			deadline: number;
			lastCode: string;
			lastMessage: string;
			/** The last answer in words (no Node.js error codes, which n8n would rewrite). */
			lastInWords: string;
			callKind: Exclude<CallKind, 'token'>;
			context?: string;
			itemIndex?: number;
		},
	) {
		super(
			node,
			prefixed(
				options,
				`the time limit was reached: ${WAIT_WORDS[options.wait]} (${seconds(options.waitMs)}) would have ended after it. Last answer: ${options.lastInWords}`,
			),
			{
				itemIndex: options.itemIndex,
				description:
					options.callKind === 'upload'
						? `${NOT_ACCEPTED} Last answer: ${options.lastCode}.`
						: `Run the workflow again later, or allow more time. Last answer: ${options.lastCode}.`,
			},
		);
		this.name = 'NodeOperationError';
		this.wait = options.wait;
		this.waitMs = options.waitMs;
		this.deadline = options.deadline;
		this.lastCode = options.lastCode;
		this.lastMessage = options.lastMessage;
		this.callKind = options.callKind;
	}
}

/**
 * The call's abort signal fired during a wait, before the call was sent, or while a read (or
 * the token request before an upload) was under way. Nothing is sent after a cancel, waits
 * only follow answers proving no batch was made, and an upload cut while it was being sent
 * is an UploadOutcomeUnknownError instead: an upload that ends with this error was not
 * accepted by Marketo.
 */
export class CancelledError extends NodeOperationError {
	/** The wait that was cut, or undefined when the call was cancelled before it was sent or while it was under way. */
	readonly wait: WaitKind | undefined;

	readonly lastCode: string | undefined;

	readonly lastMessage: string | undefined;

	readonly callKind: Exclude<CallKind, 'token'>;

	constructor(
		node: INode,
		options: {
			wait?: WaitKind;
			/** The request (a read, or the token request before an upload) was cut while under way. */
			underWay?: boolean;
			lastCode?: string;
			lastMessage?: string;
			callKind: Exclude<CallKind, 'token'>;
			context?: string;
			itemIndex?: number;
		},
	) {
		super(
			node,
			prefixed(
				options,
				options.wait
					? `cancelled during ${WAIT_WORDS[options.wait]}`
					: options.underWay
						? 'cancelled while the request was under way'
						: 'cancelled before the request was sent',
			),
			{
				itemIndex: options.itemIndex,
				description: options.callKind === 'upload' ? NOT_ACCEPTED : 'The execution was cancelled.',
			},
		);
		this.name = 'NodeOperationError';
		this.wait = options.wait;
		this.lastCode = options.lastCode;
		this.lastMessage = options.lastMessage;
		this.callKind = options.callKind;
	}
}

const CHECK_BATCHES =
	'Check the batches in Marketo (or with Get Status) before running the import again, to avoid importing rows twice.';

/** The error for an upload that may or may not have reached Marketo: callers must not resend it. */
export function uploadOutcomeUnknownError(node: INode, outcome: Outcome, call: CallInfo): UploadOutcomeUnknownError {
	const last = lastAnswer(outcome);
	let what: string;
	let detail: JsonObject;
	let description = CHECK_BATCHES;
	switch (outcome.kind) {
		case 'marketo':
			what = `Marketo answered an upload with ${outcome.message} (${outcome.code})`;
			detail = outcome.body;
			break;
		case 'http':
			what = `Marketo answered an upload with HTTP ${outcome.status} (${outcome.status})`;
			detail = { statusCode: outcome.status };
			break;
		case 'unreadable':
			what = `Marketo answered an upload with ${outcome.contentType || 'no content type'} instead of JSON`;
			detail = { statusCode: outcome.status, message: unreadableText(outcome.contentType) };
			break;
		case 'ok':
		case 'identity':
		case 'network': {
			const failure = outcome.kind === 'network' ? outcome.failure : outcome.kind === 'identity' ? (outcome.failure ?? {}) : {};
			const text = outcome.kind === 'network' ? outcome.text : outcome.kind === 'identity' ? outcome.message : undefined;
			if (failure.code === 'ERR_CANCELED' || failure.code === 'ABORT_ERR') {
				what = 'the upload was cancelled while it was being sent';
			} else if (failure.code !== undefined) {
				what = `the connection to Marketo broke during an upload (${describeNetworkError(failure.code, failure.message)})`;
			} else {
				what = `an upload failed without an answer from Marketo (${withCodesInWords(text ?? 'no details')})`;
			}
			description = `${CHECK_BATCHES} ${networkDetail({ code: failure.code, message: failure.message ?? text })}.`;
			detail = { message: `Connection to Marketo failed: ${describeNetworkError(failure.code)}` };
		}
	}
	return new UploadOutcomeUnknownError(node, redactJson(detail, call.redact), {
		message: call.redact(prefixed(call, `${what}, so it is unknown whether Marketo accepted the file`)),
		description: call.redact(description),
		itemIndex: call.itemIndex,
		lastCode: last.code,
		lastMessage: call.redact(last.message),
	});
}

const SPENT_WORDS: Partial<Record<StopReason, string>> = {
	retriesUsed: 'It failed again after the retries.',
	renewalDidNotHelp: 'A renewed token was refused too.',
	waitBudgetUsed: 'It still failed after the longest wait allowed.',
};

/** The error for a call that stops: Marketo's refusal, or a failure after its retries. */
export function stopError(node: INode, outcome: Outcome, reason: StopReason, call: CallInfo): NodeApiError {
	const after = SPENT_WORDS[reason];
	switch (outcome.kind) {
		case 'ok':
		case 'marketo':
		case 'http':
		case 'unreadable': {
			const last = lastAnswer(outcome);
			return marketoApiError(
				node,
				{ code: last.code, message: call.redact(last.message) },
				{
					itemIndex: call.itemIndex,
					response: redactJson(outcome.kind === 'marketo' ? outcome.body : { statusCode: last.code }, call.redact),
					context: call.context,
				},
			);
		}
		case 'identity': {
			const failure = outcome.failure;
			const message =
				outcome.problem === undefined
					? `Could not get an access token from Marketo: ${withCodesInWords(outcome.message)}`
					: outcome.message;
			const description = [
				outcome.description ?? (failure ? networkDetail(failure) : undefined),
				after,
				'Open the Marketo credential, check it, and use "Test" to confirm.',
			]
				.filter((part): part is string => part !== undefined)
				.join(' ');
			return new NodeApiError(node, { message: call.redact(withCodesInWords(outcome.message)) }, {
				message: call.redact(prefixed(call, message)),
				description: call.redact(description),
				itemIndex: call.itemIndex,
			});
		}
		case 'network': {
			const { failure, text } = outcome;
			const words = describeNetworkError(failure.code, failure.message);
			let message: string;
			if (failure.code === 'ERR_CANCELED' || failure.code === 'ABORT_ERR') message = 'the request to Marketo was cancelled';
			else if (failure.code !== undefined) message = `could not reach Marketo at ${call.instanceBase} (${words})`;
			else message = `the request to Marketo failed (${withCodesInWords(text ?? 'no answer')})`;
			const description = [networkAdvice(failure.code, failure.message), after, `${networkDetail({ code: failure.code, message: failure.message ?? text })}.`]
				.filter((part): part is string => part !== undefined)
				.join(' ');
			return new NodeApiError(
				node,
				{ message: `Connection to Marketo failed: ${words}`, networkError: failure.code ?? 'none' } as JsonObject,
				{ message: call.redact(prefixed(call, message)), description: call.redact(description), itemIndex: call.itemIndex },
			);
		}
	}
}

/** The outcome in words, for errors about waits. */
export function lastInWords(outcome: Outcome, redact: (text: string) => string): string {
	return redact(outcomeInWords(outcome));
}

function redactJson(value: JsonObject, redact: (text: string) => string): JsonObject {
	const clean = (item: unknown): unknown => {
		if (typeof item === 'string') return redact(item);
		if (Array.isArray(item)) return item.map(clean);
		if (item !== null && typeof item === 'object') {
			return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, clean(entry)]));
		}
		return item;
	};
	return clean(value) as JsonObject;
}

/** Errors reach the user as NodeApiError (Marketo said no) or NodeOperationError (anything else). */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}
