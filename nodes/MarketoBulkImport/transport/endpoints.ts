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
 * A problem with the credential's settings or keys: the user fixes it in the credential.
 * n8n re-wraps errors raised in `preAuthentication` and keeps only their message, so the
 * messages are remembered to recognise them afterwards.
 */
const credentialErrorMessages = new Set<string>();

export class MarketoCredentialError extends Error {
	name = 'MarketoCredentialError';

	constructor(message: string) {
		super(message);
		if (credentialErrorMessages.size > 200) credentialErrorMessages.clear();
		credentialErrorMessages.add(message);
	}
}

export function isCredentialErrorMessage(message: unknown): boolean {
	return typeof message === 'string' && credentialErrorMessages.has(message);
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
