/**
 * Node.js network and TLS errors: what they say in words, whether they prove a request never
 * left this machine, and what to check. n8n replaces any error message that mentions a
 * Node.js error code (ECONNREFUSED…) with its own generic text, so messages use the words
 * and the raw code goes in the description.
 */

/** A network failure as thrown by n8n's HTTP helper (axios underneath). */
export interface NetworkFailure {
	/** `ECONNREFUSED`, `CERT_HAS_EXPIRED`…, when one was found. */
	code?: string;
	/** The original error message, e.g. `connect ECONNREFUSED 10.0.0.1:443`. */
	message?: string;
}

/**
 * Where in a request a failure happened, as far as its code tells:
 * - `beforeSend`: no connection was made (DNS, refused, unreachable), so not a byte of the
 *   request left this machine;
 * - `tls`: the TLS handshake failed (certificate, protocol). The request body is only written
 *   after the handshake, so nothing was sent either; retrying cannot help;
 * - `cancelled`: the request was aborted (execution cancelled), possibly mid-body;
 * - `afterConnect`: the connection broke or timed out once it existed: the request, body
 *   included, may have reached the server;
 * - `unknown`: no code, or a code not listed here. Treated like `afterConnect` for uploads.
 */
export type NetworkPhase = 'beforeSend' | 'tls' | 'cancelled' | 'afterConnect' | 'unknown';

const BEFORE_SEND = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EADDRNOTAVAIL',
	// Node's own TLS handshake timer: the handshake did not finish, no request bytes were sent.
	'ERR_TLS_HANDSHAKE_TIMEOUT',
]);

/** TLS failures raised during the handshake that are not certificate checks. */
const TLS_HANDSHAKE = new Set([
	'ERR_SSL_WRONG_VERSION_NUMBER',
	'ERR_SSL_UNSUPPORTED_PROTOCOL',
	'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
	'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
	'ERR_TLS_INVALID_PROTOCOL_VERSION',
]);

const AFTER_CONNECT = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ESOCKETTIMEDOUT',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'ERR_STREAM_PREMATURE_CLOSE',
	// A TLS protocol error can also come mid-stream, so it does not prove nothing was sent.
	'EPROTO',
]);

const CANCELLED = new Set(['ERR_CANCELED', 'ABORT_ERR']);

/** OpenSSL's certificate verification codes (as Node reports them) and Node's host name check. */
const CERTIFICATE_CODE = /CERT|^UNABLE_TO_|^CRL_|^(HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|SUBJECT_ISSUER_MISMATCH|AKID_SKID_MISMATCH|AKID_ISSUER_SERIAL_MISMATCH|KEYUSAGE_NO_CERTSIGN)$/;

function isCertificateCode(code: string): boolean {
	return CERTIFICATE_CODE.test(code);
}

/** OpenSSL's words for failures that only happen while the handshake is negotiated. */
const HANDSHAKE_WORDS = /wrong version number|handshake failure|unsupported protocol|no protocols available/i;

export function networkPhase(code: string | undefined, message?: string): NetworkPhase {
	if (code === undefined) return 'unknown';
	if (BEFORE_SEND.has(code)) return 'beforeSend';
	if (isCertificateCode(code) || TLS_HANDSHAKE.has(code)) return 'tls';
	if (code === 'EPROTO' && message !== undefined && HANDSHAKE_WORDS.test(message)) return 'tls';
	if (CANCELLED.has(code)) return 'cancelled';
	if (AFTER_CONNECT.has(code)) return 'afterConnect';
	return 'unknown';
}

const WORDS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed',
	ETIMEDOUT: 'timed out',
	ECONNABORTED: 'connection aborted',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	EADDRNOTAVAIL: 'local address not available',
	EPIPE: 'connection closed while sending',
	ESOCKETTIMEDOUT: 'timed out',
	ERR_SOCKET_CONNECTION_TIMEOUT: 'connection timed out',
	ERR_STREAM_PREMATURE_CLOSE: 'connection closed early',
	EPROTO: 'TLS protocol error',
	ERR_CANCELED: 'request cancelled',
	ABORT_ERR: 'request cancelled',
	ERR_TLS_HANDSHAKE_TIMEOUT: 'TLS handshake timed out',
	CERT_HAS_EXPIRED: 'the server\'s TLS certificate has expired',
	CERT_NOT_YET_VALID: 'the server\'s TLS certificate is not valid yet',
	CERT_REVOKED: 'the server\'s TLS certificate was revoked',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'the server\'s TLS certificate is self-signed',
	SELF_SIGNED_CERT_IN_CHAIN: 'a self-signed certificate in the server\'s TLS certificate chain',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server\'s TLS certificate could not be verified (incomplete chain or unknown issuer)',
	UNABLE_TO_GET_ISSUER_CERT: 'the issuer of the server\'s TLS certificate is unknown',
	UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer of the server\'s TLS certificate is not trusted here',
	ERR_TLS_CERT_ALTNAME_INVALID: 'the server\'s TLS certificate is for another host name',
	HOSTNAME_MISMATCH: 'the server\'s TLS certificate is for another host name',
	ERR_SSL_WRONG_VERSION_NUMBER: 'the server did not answer in TLS (an http:// service on an https:// address?)',
};

/** The failure in words, without the code itself. */
export function describeNetworkError(code: string | undefined, message?: string): string {
	if (code === undefined) return 'no answer';
	if (code === 'EPROTO' && message !== undefined && /wrong version number/i.test(message)) return WORDS.ERR_SSL_WRONG_VERSION_NUMBER;
	if (WORDS[code] !== undefined) return WORDS[code];
	if (isCertificateCode(code)) return 'the server\'s TLS certificate was refused';
	if (TLS_HANDSHAKE.has(code)) return 'TLS handshake failed';
	return 'network failure';
}

/** What to check, for the error description. */
export function networkAdvice(code: string | undefined, message?: string): string {
	const phase = networkPhase(code, message);
	if (phase === 'tls') {
		return 'Check that the endpoint in the Marketo credential is your instance\'s https:// address (…mktorest.com), and whether a proxy or firewall on this network replaces TLS certificates (then give Node.js its certificate authority with NODE_EXTRA_CA_CERTS).';
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return 'Check the host name in the Marketo credential\'s endpoint, and that this n8n can resolve it (DNS).';
	}
	if (phase === 'beforeSend') {
		return 'Check the endpoint in the Marketo credential and that this n8n can reach it (proxy, firewall).';
	}
	if (phase === 'cancelled') return 'The execution was cancelled while the request was under way.';
	return 'The network or Marketo dropped the connection. Run the workflow again in a few minutes; if it persists, check the network between this n8n and Marketo.';
}

/** `Network error CODE: original message` for descriptions, where n8n leaves codes alone. */
export function networkDetail(failure: NetworkFailure): string {
	const code = failure.code ?? 'none reported';
	return failure.message ? `Network error ${code}: ${failure.message}` : `Network error ${code}`;
}

const SYSTEM_CODE = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+|ABORT_ERR)$/;

function isNetworkCode(value: unknown): value is string {
	return typeof value === 'string' && (SYSTEM_CODE.test(value) || isCertificateCode(value));
}

interface ErrorLike {
	code?: unknown;
	httpCode?: unknown;
	message?: unknown;
	messages?: unknown;
	cause?: unknown;
}

/**
 * Finds the network failure behind an error from n8n's HTTP helpers. n8n wraps it in a
 * NodeApiError that drops the original error but keeps its code (as `httpCode`) and its
 * message (first of `messages`, since n8n may replace `message`); a bare axios error
 * has `code` and `message`. Marketo credential errors carry their own marker code and
 * are not network failures.
 */
export function findNetworkFailure(error: unknown): NetworkFailure | undefined {
	let current = error as ErrorLike | undefined;
	for (let depth = 0; current !== null && typeof current === 'object' && depth < 6; depth++) {
		const code = [current.code, current.httpCode].find(isNetworkCode);
		if (code !== undefined) {
			const original = Array.isArray(current.messages) && typeof current.messages[0] === 'string'
				? (current.messages[0] as string)
				: typeof current.message === 'string'
					? current.message
					: undefined;
			return { code, message: original };
		}
		current = current.cause as ErrorLike | undefined;
	}
	return undefined;
}

/** The first message in an error chain, for errors that are neither Marketo's nor network ones. */
export function rootMessage(error: unknown): string | undefined {
	const candidate = error as ErrorLike | undefined;
	if (candidate === null || typeof candidate !== 'object') return typeof error === 'string' ? error : undefined;
	if (Array.isArray(candidate.messages) && typeof candidate.messages[0] === 'string') return candidate.messages[0] as string;
	return typeof candidate.message === 'string' ? candidate.message : undefined;
}

/**
 * The codes n8n looks for (case-insensitively, anywhere in a message) to replace the whole
 * message with its own text (n8n-workflow's NodeError COMMON_ERRORS).
 */
const REWRITTEN_BY_N8N: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ENOTFOUND: 'host not found',
	ETIMEDOUT: 'timed out',
	ERRADDRINUSE: 'address in use',
	EADDRNOTAVAIL: 'local address not available',
	ECONNABORTED: 'connection aborted',
	EHOSTUNREACH: 'host unreachable',
	EAI_AGAIN: 'host name lookup failed',
	ENOENT: 'no such file',
	EISDIR: 'is a directory',
	ENOTDIR: 'not a directory',
	EACCES: 'permission denied',
	EEXIST: 'already exists',
	EPERM: 'not permitted',
	GETADDRINFO: 'name lookup',
};

/** Replaces the codes n8n would react to by words, so n8n keeps the message as written. */
export function withCodesInWords(text: string): string {
	return Object.entries(REWRITTEN_BY_N8N).reduce(
		(clean, [code, words]) => clean.replace(new RegExp(code, 'gi'), words),
		text,
	);
}
