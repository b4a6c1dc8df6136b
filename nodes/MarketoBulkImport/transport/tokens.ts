import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import type { HttpResponse } from './classify';
import type { IssuedToken } from './identity';
import { NEAR_EXPIRY_SECONDS } from './identity';

export type MarketoFunctions = IExecuteFunctions | ILoadOptionsFunctions;

export const CREDENTIAL_TYPE = 'marketoApi';

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

/** Everything secret this credential has shown us: the client secret and the tokens. Errors never show them. */
export function secretsOf(fns: MarketoFunctions, credentials: ICredentialDataDecryptedObject): string[] {
	const secrets = [credentials.clientSecret, credentials.accessToken, tokenCache.get(tokenCacheKey(fns, credentials))?.accessToken];
	return secrets.filter((value): value is string => typeof value === 'string' && value.trim().length >= 4).map((value) => value.trim());
}

export type SendResult = { ok: true; response: HttpResponse } | { ok: false; error: unknown };

/**
 * Sends one HTTP request with a valid token. A stale or missing token (or `renew`) is
 * replaced by handing n8n a copy of the credential with an empty `accessToken`: n8n then
 * runs the credential's `preAuthentication`, stores the new token, and sends the request
 * with it. A failed token request arrives as an error carrying its marker code (see
 * MarketoCredentialError); the request itself was then never sent.
 */
export async function sendWithToken(
	fns: MarketoFunctions,
	credentials: ICredentialDataDecryptedObject,
	options: IHttpRequestOptions,
	renew: boolean,
): Promise<SendResult> {
	const key = tokenCacheKey(fns, credentials);
	const stored = {
		accessToken: credentials.accessToken as string,
		tokenValidUntil: Number(credentials.tokenValidUntil ?? 0),
	};
	const candidates = [tokenCache.get(key), stored].filter(isUsable);
	candidates.sort((a, b) => b.tokenValidUntil - a.tokenValidUntil);

	const data: ICredentialDataDecryptedObject = { ...credentials, accessToken: '' };
	if (!renew && candidates.length > 0) {
		data.accessToken = candidates[0].accessToken;
		data.tokenValidUntil = candidates[0].tokenValidUntil;
	}

	const reference = fns.getNode().credentials?.[CREDENTIAL_TYPE];
	try {
		const response = (await fns.helpers.httpRequestWithAuthentication.call(fns, CREDENTIAL_TYPE, { ...options }, {
			credentialsDecrypted: {
				id: reference?.id ?? '',
				name: reference?.name ?? '',
				type: CREDENTIAL_TYPE,
				data,
			},
		})) as HttpResponse;
		return { ok: true, response };
	} catch (error) {
		return { ok: false, error };
	} finally {
		// n8n's preAuthentication writes the new token into `data`.
		if (typeof data.accessToken === 'string' && data.accessToken !== '') {
			tokenCache.set(key, { accessToken: data.accessToken, tokenValidUntil: Number(data.tokenValidUntil ?? 0) });
		}
	}
}
