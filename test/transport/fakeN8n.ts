/**
 * A fake IExecuteFunctions whose `httpRequestWithAuthentication` does what n8n's does:
 * runs the credential's real `preAuthentication` when the token is empty (its token request
 * goes to `identity`), applies `authenticate`, sends the request to `api`, and wraps any
 * error in a NodeApiError, which keeps the message and code but drops the error itself.
 * Both servers are scripted answer by answer; every request is recorded.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { MarketoApi } from '../../credentials/MarketoApi.credentials';

export const SECRET = 'fake-secret-Qw3!rty';
export const TOKEN_PREFIX = 'tok-9f2c1a7e-';

/** One scripted answer: an HTTP answer, or a network failure as axios throws it. */
export type Answer =
	| { status?: number; body?: unknown; headers?: IDataObject }
	| { network: string; message?: string };

export interface RecordedRequest {
	method: string;
	url: string;
	authorization?: string;
	body?: unknown;
}

export const marketoError = (code: string, message = `Error ${code}`): Answer => ({
	body: { requestId: 'a#1', success: false, errors: [{ code, message }] },
});
export const marketoOk = (result: IDataObject[] = [{ batchId: 7, status: 'Queued' }]): Answer => ({
	body: { requestId: 'a#2', success: true, result },
});
export const network = (code: string, message = `connect ${code} 10.0.0.1:443`): Answer => ({ network: code, message });
export const tokenOk = (n: number): Answer => ({ body: { access_token: `${TOKEN_PREFIX}${n}`, token_type: 'bearer', expires_in: 3599 } });

/** Answers in order; the last one repeats. */
function script(answers: Answer[]): () => Answer {
	let next = 0;
	return () => answers[Math.min(next++, answers.length - 1)];
}

function axiosLikeError(answer: { network: string; message?: string }, options: IHttpRequestOptions): Error {
	// Like axios: the error carries the request (headers with the token, body with the secret).
	return Object.assign(new Error(answer.message ?? answer.network), {
		code: answer.network,
		isAxiosError: true,
		config: { url: options.url, headers: options.headers, data: options.body },
	});
}

function toResponse(answer: Answer, options: IHttpRequestOptions) {
	if ('network' in answer) throw axiosLikeError(answer, options);
	const body = answer.body ?? '';
	return {
		statusCode: answer.status ?? 200,
		headers: answer.headers ?? { 'content-type': 'application/json' },
		body: options.encoding === 'arraybuffer' && typeof body === 'string' ? Buffer.from(body) : body,
	};
}

export interface FakeN8n {
	fns: IExecuteFunctions;
	api: RecordedRequest[];
	identity: RecordedRequest[];
	/** Uploads sent to Marketo (bulk import POSTs). */
	uploads: () => number;
}

export function fakeN8n(options: {
	api?: Answer[];
	identity?: Answer[];
	credentials?: IDataObject;
}): FakeN8n {
	const credential = new MarketoApi();
	const node: INode = {
		id: 'node-1',
		name: 'Marketo',
		type: 'n8n-nodes-marketo-bulk.marketoBulkImport',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { marketoApi: { id: `cred-${Math.random()}`, name: 'Marketo test' } },
	};
	const credentials: ICredentialDataDecryptedObject = {
		restEndpoint: 'https://123-ABC-456.mktorest.com/rest',
		identityEndpoint: '',
		clientId: 'client-1',
		clientSecret: SECRET,
		accessToken: '',
		tokenValidUntil: 0,
		...options.credentials,
	};
	const api: RecordedRequest[] = [];
	const identity: RecordedRequest[] = [];
	const nextApi = script(options.api ?? [marketoOk()]);
	let tokens = 0;
	const nextIdentity = script(options.identity ?? [{ body: {} }]);

	const identityHttp = async (request: IHttpRequestOptions) => {
		identity.push({ method: String(request.method), url: request.url, body: request.body });
		const answer = options.identity ? nextIdentity() : tokenOk(++tokens);
		return toResponse(answer, request);
	};

	async function httpRequestWithAuthentication(
		this: IExecuteFunctions,
		_type: string,
		request: IHttpRequestOptions,
		additional?: { credentialsDecrypted?: { data?: ICredentialDataDecryptedObject } },
	) {
		const data = additional?.credentialsDecrypted?.data ?? credentials;
		try {
			if (data.accessToken === '' || data.accessToken === undefined) {
				const output = await credential.preAuthentication.call({ helpers: { httpRequest: identityHttp } } as never, data);
				Object.assign(data, output);
			}
			const authenticate = credential.authenticate as (c: IDataObject, o: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
			const signed = await authenticate(data, request);
			api.push({
				method: String(signed.method),
				url: signed.url,
				authorization: (signed.headers as IDataObject | undefined)?.Authorization as string | undefined,
				body: signed.body,
			});
			return toResponse(nextApi(), signed);
		} catch (error) {
			// n8n: `throw new NodeApiError(this.getNode(), error)`.
			throw new NodeApiError(node, error as never);
		}
	}

	const fns = {
		getNode: () => node,
		getCredentials: async () => ({ ...credentials }),
		helpers: { httpRequestWithAuthentication },
	} as unknown as IExecuteFunctions;

	return {
		fns,
		api,
		identity,
		uploads: () => api.filter((request) => request.method === 'POST' && request.url.includes('/bulk/v1/')).length,
	};
}

/** Everything an error shows: message, description, details and stack. */
export function everythingIn(error: unknown): string {
	const e = error as Error & { description?: unknown; messages?: unknown; context?: unknown; errorResponse?: unknown };
	return [e.message, String(e.description), JSON.stringify(e.messages), JSON.stringify(e.context), JSON.stringify(e.errorResponse), e.stack, JSON.stringify(e)].join('\n');
}
