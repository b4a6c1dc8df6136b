/**
 * Node.js network error codes in words. n8n replaces any error message that mentions such a
 * code with its own generic text, so our messages name the problem in words instead.
 */
const NETWORK_ERROR_WORDS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed',
	ETIMEDOUT: 'timed out',
	ECONNABORTED: 'connection aborted',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	EPIPE: 'connection closed while sending',
};

export function describeNetworkError(code: string | undefined): string {
	if (code === undefined) return 'no answer';
	return NETWORK_ERROR_WORDS[code] ?? 'network failure';
}

