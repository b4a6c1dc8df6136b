/**
 * Turns what came back from one send (an HTTP response, or an error thrown by n8n's HTTP
 * helper) into an Outcome: the facts the decision table needs, nothing more.
 */
import type { IDataObject, JsonObject } from 'n8n-workflow';

import type { CredentialProblem } from './endpoints';
import { credentialProblemOf } from './endpoints';
import type { NetworkFailure } from './networkErrors';
import { describeNetworkError, findNetworkFailure, rootMessage } from './networkErrors';

export interface HttpResponse {
	statusCode: number;
	headers: IDataObject;
	body: unknown;
}

export type Outcome =
	/** A usable answer. `body` is parsed JSON for JSON calls, the raw body (or null for 404) for files. */
	| { kind: 'ok'; statusCode: number; headers: IDataObject; body: unknown }
	/** Marketo's error envelope: `success: false` with a code (HTTP 200, usually). */
	| { kind: 'marketo'; code: string; message: string; body: JsonObject }
	/** An HTTP error status without Marketo's envelope (413, 414, 5xx from a gateway…). */
	| { kind: 'http'; status: number }
	/** HTTP 2xx, but not the JSON a JSON call expects (a proxy's page, a cut body). */
	| { kind: 'unreadable'; status: number; contentType: string }
	/** The request failed without an answer. */
	| { kind: 'network'; failure: NetworkFailure; text?: string }
	/**
	 * The token request (the credential's preAuthentication, run by n8n before the call)
	 * failed, so the call itself was never sent. `problem` is undefined when n8n lost the marker.
	 */
	| {
			kind: 'identity';
			problem: CredentialProblem | undefined;
			message: string;
			description?: string;
			failure?: NetworkFailure;
	  };

export type Expect = 'json' | 'file';

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

function marketoError(body: unknown): { code: string; message: string } | undefined {
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

export function classifyResponse(response: HttpResponse, expect: Expect): Outcome {
	const { statusCode, headers } = response;
	const parsed = parseJson(response.body);
	const error = marketoError(parsed);
	if (error) return { kind: 'marketo', ...error, body: parsed as JsonObject };
	// Failures and warnings files: Marketo answers 404 when a batch has none.
	if (expect === 'file' && statusCode === 404) return { kind: 'ok', statusCode, headers, body: null };
	if (statusCode < 200 || statusCode >= 300) return { kind: 'http', status: statusCode };
	if (expect === 'json' && (parsed === null || typeof parsed !== 'object')) {
		return { kind: 'unreadable', status: statusCode, contentType: contentTypeOf(headers) };
	}
	return { kind: 'ok', statusCode, headers, body: expect === 'json' ? parsed : response.body };
}

/** An error thrown by `httpRequestWithAuthentication`: a failed token request, or a failed call. */
export function classifyFailure(error: unknown): Outcome {
	const problem = credentialProblemOf(error);
	const failure = findNetworkFailure(error);
	if (problem !== undefined) {
		const { message, description } = error as { message?: unknown; description?: unknown };
		return {
			kind: 'identity',
			problem,
			message: typeof message === 'string' ? message : 'Could not get an access token from Marketo',
			description: typeof description === 'string' ? description : undefined,
			failure: problem === 'unreachable' || problem === 'certificate' ? failure : undefined,
		};
	}
	return { kind: 'network', failure: failure ?? {}, text: failure ? undefined : rootMessage(error) };
}

/** The outcome as Marketo's last answer: a code and a message, for errors and their details. */
export function lastAnswer(outcome: Outcome): { code: string; message: string } {
	switch (outcome.kind) {
		case 'ok':
			return { code: String(outcome.statusCode), message: 'OK' };
		case 'marketo':
			return { code: outcome.code, message: outcome.message };
		case 'http':
			return { code: String(outcome.status), message: httpStatusText(outcome.status) };
		case 'unreadable':
			return { code: 'unknown', message: unreadableText(outcome.contentType) };
		case 'network':
			return {
				code: outcome.failure.code ?? 'none',
				message: outcome.failure.message ?? outcome.text ?? describeNetworkError(outcome.failure.code),
			};
		case 'identity':
			return { code: outcome.failure?.code ?? outcome.problem ?? 'identity', message: outcome.message };
	}
}

/** The outcome in words for a message: no Node.js error code, which n8n would rewrite. */
export function outcomeInWords(outcome: Outcome): string {
	switch (outcome.kind) {
		case 'marketo':
			return `Marketo error ${outcome.code}: ${outcome.message}`;
		case 'http':
			return `HTTP ${outcome.status}`;
		case 'network':
			return outcome.failure.code === undefined && outcome.text === undefined
				? 'no answer'
				: describeNetworkError(outcome.failure.code, outcome.failure.message);
		case 'identity':
			return outcome.failure?.code !== undefined
				? `token request failed: ${describeNetworkError(outcome.failure.code, outcome.failure.message)}`
				: 'token request failed';
		default:
			return lastAnswer(outcome).message;
	}
}

export function httpStatusText(status: number): string {
	if (status === 413) return 'Request entity too large';
	if (status === 414) return 'Request URI too long';
	if (status >= 500) return `HTTP ${status}`;
	return `Unexpected HTTP ${status} from Marketo`;
}

export function unreadableText(contentType: string): string {
	return `Marketo answered with ${contentType || 'no content type'} instead of JSON`;
}
