import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { MarketoCredentialError, marketoEndpoints } from './endpoints';
import type { NetworkFailure } from './networkErrors';
import { describeNetworkError, networkDetail, networkPhase } from './networkErrors';

/** What the credential keeps after asking Marketo's Identity service for a token. */
export interface IssuedToken {
	accessToken: string;
	/** Epoch milliseconds. */
	tokenValidUntil: number;
}

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

/**
 * Identity hands back the *current* token with its remaining lifetime, so a token can
 * arrive seconds (or 0 s) from expiry and cannot be renewed early. Below this many
 * seconds we wait it out and ask again, to get a fresh one.
 */
export const NEAR_EXPIRY_SECONDS = 2;
const MAX_IDENTITY_ATTEMPTS = 3;

interface IdentityResponse {
	statusCode?: number;
	body?: unknown;
}

function parseBody(body: unknown): IDataObject {
	if (typeof body === 'string') {
		try {
			return JSON.parse(body) as IDataObject;
		} catch {
			return {};
		}
	}
	if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
		return body as IDataObject;
	}
	if (Buffer.isBuffer(body)) return parseBody(body.toString('utf8'));
	return {};
}

/**
 * Gets an access token with the OAuth client-credentials grant.
 * The secret travels in a form body (never in the URL, which HTTP clients like to log),
 * and no error raised here carries the request, so the secret cannot leak through it.
 */
export async function fetchAccessToken(
	httpRequest: HttpRequest,
	credentials: IDataObject,
	wait: (ms: number) => Promise<void> = sleep,
): Promise<IssuedToken> {
	const { identityBase } = marketoEndpoints(credentials);
	const clientId = String(credentials.clientId ?? '').trim();
	const clientSecret = String(credentials.clientSecret ?? '').trim();
	if (clientId === '' || clientSecret === '') {
		throw new MarketoCredentialError(
			'The Marketo credential needs a client ID and a client secret. Find them in Marketo under Admin → LaunchPoint → your API service → View Details',
		);
	}
	const form = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: clientId,
		client_secret: clientSecret,
	}).toString();

	for (let attempt = 1; ; attempt++) {
		let response: IdentityResponse | undefined;
		let failure: NetworkFailure = {};
		try {
			response = (await httpRequest({
				method: 'POST',
				url: `${identityBase}/oauth/token`,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
				body: form,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				json: true,
			})) as IdentityResponse;
		} catch (error) {
			// Keep only the code and message: the error itself carries the request, secret included.
			const { code, message } = error as { code?: unknown; message?: unknown };
			failure = {
				code: typeof code === 'string' ? code : undefined,
				message: typeof message === 'string' ? message.split(clientSecret).join('***') : undefined,
			};
		}
		if (response === undefined) {
			const tls = networkPhase(failure.code, failure.message) === 'tls';
			throw new MarketoCredentialError(
				`Could not reach Marketo's identity service at ${identityBase} (${describeNetworkError(failure.code, failure.message)}). Check the REST API endpoint (and the identity endpoint, if set) in the Marketo credential`,
				tls ? 'certificate' : 'unreachable',
				networkDetail(failure),
			);
		}

		const body = parseBody(response.body);
		const status = response.statusCode ?? 0;
		if (status === 401 || status === 400 || body.error !== undefined) {
			const reason = String(body.error_description ?? body.error ?? `HTTP ${status}`);
			throw new MarketoCredentialError(
				`Marketo did not accept the client ID and secret (${reason}). Copy both again from Admin → LaunchPoint → your API service → View Details`,
				'refused',
			);
		}
		if (status >= 500) {
			throw new MarketoCredentialError(
				`Marketo's identity service at ${identityBase} failed with HTTP ${status}. Marketo may be briefly unavailable: run the workflow again in a few minutes`,
				'serverError',
			);
		}
		if (status < 200 || status >= 300 || typeof body.access_token !== 'string') {
			throw new MarketoCredentialError(
				`Marketo's identity service answered HTTP ${status} without a token. Check that ${identityBase} is your instance's identity endpoint`,
				'answer',
			);
		}

		const expiresIn = Number(body.expires_in ?? 0);
		if (expiresIn <= NEAR_EXPIRY_SECONDS && attempt < MAX_IDENTITY_ATTEMPTS) {
			// The token is about to die and Marketo will not mint a new one before it does.
			await wait((Math.max(expiresIn, 0) + 1) * 1000);
			continue;
		}
		return {
			accessToken: body.access_token,
			tokenValidUntil: Date.now() + Math.max(expiresIn, 0) * 1000,
		};
	}
}
