/**
 * Marketo serves three APIs from one host: Identity (`/identity`), REST (`/rest/v1`,
 * `/rest/asset/v1`) and Bulk (`/bulk/v1`, no `/rest` prefix). Users paste the REST API
 * endpoint from Admin → Web Services, with or without `/rest` and trailing slashes;
 * every other base is derived from it here, in one place.
 */
export interface MarketoEndpoints {
	/** `https://123-ABC-456.mktorest.com` */
	instanceBase: string;
	/** `https://123-ABC-456.mktorest.com/rest` */
	restBase: string;
	/** Bulk paths hang off the instance base: `${bulkBase}/bulk/v1/leads.json`. */
	bulkBase: string;
	/** `https://123-ABC-456.mktorest.com/identity` (or the override). */
	identityBase: string;
}

export interface EndpointSettings {
	restEndpoint?: unknown;
	identityEndpoint?: unknown;
}

/**
 * What went wrong while getting a token, as the transport must tell it apart:
 * - `settings`: the credential's fields are wrong (no endpoint, not a URL, no client ID);
 * - `refused`: Marketo refused the client ID and secret (HTTP 401/400 or an OAuth error);
 * - `answer`: Identity answered without a token in a way retrying cannot fix (HTTP 404…);
 * - `certificate`: the identity host's TLS certificate or handshake was refused;
 * - `unreachable`: no answer (DNS, refused connection, reset, time-out): worth retrying;
 * - `serverError`: Identity answered HTTP 5xx: worth retrying.
 */
export type CredentialProblem = 'settings' | 'refused' | 'answer' | 'certificate' | 'unreachable' | 'serverError';

/**
 * Marker codes. n8n wraps errors thrown in `preAuthentication` in a NodeApiError that keeps
 * the message and description but drops the error itself; it copies the error's `code`
 * into `httpCode`, so the problem travels there (n8n 1.x and 2.x alike).
 */
const PROBLEM_CODES: Record<CredentialProblem, string> = {
	settings: 'MARKETO_CREDENTIAL_SETTINGS',
	refused: 'MARKETO_IDENTITY_REFUSED',
	answer: 'MARKETO_IDENTITY_NO_TOKEN',
	certificate: 'MARKETO_IDENTITY_TLS',
	unreachable: 'MARKETO_IDENTITY_UNREACHABLE',
	serverError: 'MARKETO_IDENTITY_SERVER_ERROR',
};

/** A problem with the credential or with getting a token: the message says how to fix it. */
export class MarketoCredentialError extends Error {
	name = 'MarketoCredentialError';

	/** The marker code of `problem` (see PROBLEM_CODES). */
	readonly code: string;

	constructor(
		message: string,
		readonly problem: CredentialProblem = 'settings',
		/** Root cause for the error description, e.g. `Network error ECONNREFUSED: …`. Never holds the secret. */
		readonly description?: string,
	) {
		super(message);
		this.code = PROBLEM_CODES[problem];
	}
}

/** The credential problem behind an error, also after n8n re-wrapped it; undefined for any other error. */
export function credentialProblemOf(error: unknown): CredentialProblem | undefined {
	let current = error as { code?: unknown; httpCode?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; current !== null && typeof current === 'object' && depth < 6; depth++) {
		for (const candidate of [current.code, current.httpCode]) {
			const problem = (Object.keys(PROBLEM_CODES) as CredentialProblem[]).find((key) => PROBLEM_CODES[key] === candidate);
			if (problem !== undefined) return problem;
		}
		current = current.cause as typeof current;
	}
	return undefined;
}

function trimUrl(value: string): string {
	return value.trim().replace(/\/+$/, '');
}

function assertHttpUrl(value: string, label: string): void {
	if (!/^https?:\/\/[^/\s]+/i.test(value)) {
		throw new MarketoCredentialError(
			`The ${label} "${value}" is not a URL. Copy it from Marketo: Admin → Integration → Web Services, for example https://123-ABC-456.mktorest.com/rest`,
		);
	}
}

export function marketoEndpoints(settings: EndpointSettings): MarketoEndpoints {
	const rest = trimUrl(String(settings.restEndpoint ?? ''));
	if (rest === '') {
		throw new MarketoCredentialError(
			'The Marketo credential has no REST API endpoint. Copy it from Marketo: Admin → Integration → Web Services',
		);
	}
	assertHttpUrl(rest, 'REST API endpoint');
	// Accept the REST endpoint, the bare instance URL or, by mistake, the identity URL.
	const instanceBase = rest.replace(/\/(rest|identity)$/i, '');

	const identityOverride = trimUrl(String(settings.identityEndpoint ?? ''));
	let identityBase = `${instanceBase}/identity`;
	if (identityOverride !== '') {
		assertHttpUrl(identityOverride, 'identity endpoint');
		identityBase = identityOverride.replace(/\/oauth\/token$/i, '');
	}

	return {
		instanceBase,
		restBase: `${instanceBase}/rest`,
		bulkBase: instanceBase,
		identityBase,
	};
}
