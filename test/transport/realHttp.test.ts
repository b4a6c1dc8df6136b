/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions */
/**
 * The transport through n8n-core's real httpRequestWithAuthentication (axios, real sockets,
 * n8n's own re-wrapping of errors) against local servers: what a TLS failure, a refused
 * connection, a reset after the body was sent and a failing token request really look like,
 * and that each takes its row of the decision table.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

import type { MarketoCall } from '../../nodes/MarketoBulkImport/transport';
import { clearTokenCache, isUploadOutcomeUnknown, marketoJson } from '../../nodes/MarketoBulkImport/transport';
import { loadOptionsContext, TestCredentialsHelper } from '../harness/workflowRunner';
import { everythingIn } from './fakeN8n';

const SECRET = 'real-secret-Xy7#abc';
const RETRY = { initialDelayMs: 1, maxDelayMs: 5, maxTransientRetries: 2, jitter: 0 };

interface Server {
	url: string;
	requests: Array<{ method: string; path: string; bytes: number }>;
	close: () => Promise<void>;
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: Buffer, n: number) => void;

async function listen(server: http.Server | https.Server, scheme: string, handler: Handler): Promise<Server> {
	const requests: Server['requests'] = [];
	server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const body = Buffer.concat(chunks);
			requests.push({ method: String(request.method), path: String(request.url), bytes: body.length });
			handler(request, response, body, requests.length);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `${scheme}://127.0.0.1:${port}`,
		requests,
		close: async () => {
			server.closeAllConnections?.();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

const json = (response: http.ServerResponse, status: number, body: unknown) => {
	response.writeHead(status, { 'Content-Type': 'application/json' });
	response.end(JSON.stringify(body));
};
const tokenAnswer = (response: http.ServerResponse) =>
	json(response, 200, { access_token: 'real-token-5b1f77:int', token_type: 'bearer', expires_in: 3599 });
const accepted = (response: http.ServerResponse) =>
	json(response, 200, { requestId: 'a#1', success: true, result: [{ batchId: 1, importId: '1', status: 'Queued' }] });

function credentials(restEndpoint: string, identityEndpoint: string): TestCredentialsHelper {
	const helper = new TestCredentialsHelper();
	helper.store.set('marketo-cred-1', {
		restEndpoint,
		identityEndpoint,
		clientId: 'client-1',
		clientSecret: SECRET,
		accessToken: '',
		tokenValidUntil: 0,
	});
	return helper;
}

const body = Buffer.from(`--b\r\nContent-Disposition: form-data; name="file"; filename="leads.csv"\r\n\r\nemail\r\n${'a@example.com\r\n'.repeat(2000)}--b--\r\n`);
const upload: MarketoCall = {
	method: 'POST',
	path: '/bulk/v1/leads.json',
	qs: { format: 'csv' },
	headers: { 'Content-Type': 'multipart/form-data; boundary=b' },
	body,
	idempotent: false,
	retry: RETRY,
};
const read: MarketoCall = { method: 'GET', path: '/bulk/v1/leads/batch/1.json', idempotent: true, retry: RETRY };

async function failure(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('expected the call to fail');
}

let identity: Server;
let servers: Server[] = [];

beforeEach(async () => {
	clearTokenCache();
	identity = await listen(http.createServer(), 'http', (_q, response) => tokenAnswer(response));
	servers = [identity];
});

afterEach(async () => {
	await Promise.all(servers.map(async (server) => await server.close()));
});

it('a connection reset after the whole body was sent: the upload is not resent and reported as unknown; a read is retried', async () => {
	const api = await listen(http.createServer(), 'http', (request) => request.socket.destroy());
	servers.push(api);
	const fns = loadOptionsContext(credentials(`${api.url}/rest`, `${identity.url}/identity`));

	const error = await failure(marketoJson(fns, upload));
	expect(api.requests).toEqual([{ method: 'POST', path: '/bulk/v1/leads.json?format=csv', bytes: body.length }]);
	expect(isUploadOutcomeUnknown(error)).toBe(true);
	expect(error.message).toBe('The connection to Marketo broke during an upload (connection reset), so it is unknown whether Marketo accepted the file');
	expect(error.description).toContain('Network error ECONNRESET: socket hang up');

	await failure(marketoJson(fns, read));
	expect(api.requests.filter((request) => request.method === 'GET')).toHaveLength(1 + RETRY.maxTransientRetries);
});

it('a refused connection: nothing was sent, so the upload is not reported as unknown; the root cause is kept', async () => {
	const closed = await listen(http.createServer(), 'http', () => undefined);
	await closed.close();
	const fns = loadOptionsContext(credentials(`${closed.url}/rest`, `${identity.url}/identity`));

	const error = await failure(marketoJson(fns, upload));
	expect(isUploadOutcomeUnknown(error)).toBe(false);
	expect(error.message).toBe(`Could not reach Marketo at ${closed.url} (connection refused)`);
	expect(error.description).toMatch(/Network error ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
});

it('an https:// endpoint served in plain HTTP fails in the TLS handshake: no request reached the server, not unknown', async () => {
	const api = await listen(http.createServer(), 'http', (_q, response) => accepted(response));
	servers.push(api);
	const fns = loadOptionsContext(credentials(`${api.url.replace('http:', 'https:').replace('127.0.0.1', 'localhost')}/rest`, `${identity.url}/identity`));

	const error = await failure(marketoJson(fns, upload));
	expect(api.requests).toHaveLength(0);
	expect(isUploadOutcomeUnknown(error)).toBe(false);
	expect(error.message).toMatch(/\(the server did not answer in TLS/);
	expect(error.description).toMatch(/Network error EPROTO: .*wrong version number/);
});

function selfSignedCertificate(): { key: Buffer; cert: Buffer } | undefined {
	const dir = mkdtempSync(join(tmpdir(), 'marketo-tls-'));
	try {
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
		return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
	} catch {
		return undefined;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

const certificate = selfSignedCertificate();
(certificate ? it : it.skip)('a self-signed certificate: refused before a byte was sent, not unknown, code and message kept', async () => {
	const api = await listen(https.createServer(certificate ?? {}), 'https', (_q, response) => accepted(response));
	servers.push(api);
	const fns = loadOptionsContext(credentials(`${api.url.replace('127.0.0.1', 'localhost')}/rest`, `${identity.url}/identity`));

	const error = await failure(marketoJson(fns, upload));
	expect(api.requests).toHaveLength(0);
	expect(isUploadOutcomeUnknown(error)).toBe(false);
	expect(error.message).toMatch(/^Could not reach Marketo at https:\/\/localhost:\d+ \(the server's TLS certificate is self-signed\)$/);
	expect(error.description).toContain('Network error DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate');
});

it('a token request answered HTTP 503 is retried through n8n\'s re-wrapping, then the upload is sent once', async () => {
	const flaky = await listen(http.createServer(), 'http', (_q, response, _b, n) => (n === 1 ? json(response, 503, {}) : tokenAnswer(response)));
	const api = await listen(http.createServer(), 'http', (_q, response) => accepted(response));
	servers.push(flaky, api);
	const fns = loadOptionsContext(credentials(`${api.url}/rest`, `${flaky.url}/identity`));

	await expect(marketoJson(fns, upload)).resolves.toMatchObject({ success: true });
	expect(flaky.requests).toHaveLength(2);
	expect(api.requests).toHaveLength(1);
});

it('a token request refused (HTTP 401) stops at once, never sends the upload, and shows no secret', async () => {
	const refusing = await listen(http.createServer(), 'http', (_q, response) =>
		json(response, 401, { error: 'invalid_client', error_description: 'Bad client credentials' }),
	);
	const api = await listen(http.createServer(), 'http', (_q, response) => accepted(response));
	servers.push(refusing, api);
	const fns = loadOptionsContext(credentials(`${api.url}/rest`, `${refusing.url}/identity`));

	const error = await failure(marketoJson(fns, upload));
	expect(refusing.requests).toHaveLength(1);
	expect(api.requests).toHaveLength(0);
	expect(isUploadOutcomeUnknown(error)).toBe(false);
	expect(error.message).toBe(
		'Marketo did not accept the client ID and secret (Bad client credentials). Copy both again from Admin → LaunchPoint → your API service → View Details',
	);
	expect(everythingIn(error)).not.toContain(SECRET);
});
