/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * marketoJson / marketoFile with n8n's httpRequestWithAuthentication played by a fake
 * (test/transport/fakeN8n.ts): how many times an upload is sent for each outcome, what a
 * read and a token request do, which error comes out, and that no error shows the secret
 * or the token.
 */
import { NodeApiError } from 'n8n-workflow';

import type { MarketoCall } from '../../nodes/MarketoBulkImport/transport';
import {
	CancelledError,
	clearTokenCache,
	DeadlineReachedError,
	isUploadOutcomeUnknown,
	marketoFile,
	marketoJson,
	UploadOutcomeUnknownError,
} from '../../nodes/MarketoBulkImport/transport';
import type { RetrySettings } from '../../nodes/MarketoBulkImport/transport/retryPolicy';
import type { Answer } from './fakeN8n';
import { everythingIn, fakeN8n, marketoError, marketoOk, network, SECRET, TOKEN_PREFIX } from './fakeN8n';

const TINY: Partial<RetrySettings> = {
	initialDelayMs: 1,
	maxDelayMs: 20,
	maxTransientRetries: 3,
	rateLimitDelayMs: 1,
	maxRateLimitWaitMs: 50,
	queueFullDelayMs: 1,
	maxQueueWaitMs: 50,
	jitter: 0,
};

const upload = (extra: Partial<MarketoCall> = {}): MarketoCall => ({
	method: 'POST',
	path: '/bulk/v1/leads.json',
	body: Buffer.from('--b\r\ncontent\r\n--b--'),
	headers: { 'Content-Type': 'multipart/form-data; boundary=b' },
	idempotent: false,
	retry: TINY,
	...extra,
});
const read = (extra: Partial<MarketoCall> = {}): MarketoCall => ({
	method: 'GET',
	path: '/bulk/v1/leads/batch/7.json',
	idempotent: true,
	retry: TINY,
	...extra,
});

beforeEach(() => clearTokenCache());

async function failure(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('expected the call to fail');
}

function expectNoSecrets(error: unknown) {
	const text = everythingIn(error);
	expect(text).not.toContain(SECRET);
	expect(text).not.toContain(TOKEN_PREFIX);
}

describe('uploads: resent only after an answer proving Marketo made no batch', () => {
	it.each<[string, Answer[], number]>([
		['606 rate limit', [marketoError('606'), marketoOk()], 2],
		['615 concurrency limit', [marketoError('615'), marketoError('615'), marketoOk()], 3],
		['1016 queue full', [marketoError('1016'), marketoError('1016'), marketoOk()], 3],
		['1019 import in progress on the list', [marketoError('1019'), marketoOk()], 2],
		['601 token invalid (renewed once)', [marketoError('601'), marketoOk()], 2],
		['602 token expired (renewed once)', [marketoError('602'), marketoOk()], 2],
		['connection refused', [network('ECONNREFUSED'), marketoOk()], 2],
		['host not found', [network('ENOTFOUND', 'getaddrinfo ENOTFOUND x.mktorest.com'), marketoOk()], 2],
		['DNS lookup failure', [network('EAI_AGAIN', 'getaddrinfo EAI_AGAIN x.mktorest.com'), marketoOk()], 2],
	])('%s → sent again, then accepted', async (_name, answers, sends) => {
		const n8n = fakeN8n({ api: answers });
		await expect(marketoJson(n8n.fns, upload())).resolves.toMatchObject({ success: true });
		expect(n8n.uploads()).toBe(sends);
	});

	it('601/602 renews the token before the resend, and a second refusal stops', async () => {
		const n8n = fakeN8n({ api: [marketoError('602', 'Access token expired')] });
		const error = await failure(marketoJson(n8n.fns, upload()));
		expect(n8n.uploads()).toBe(2);
		expect(n8n.api.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN_PREFIX}1`, `Bearer ${TOKEN_PREFIX}2`]);
		expect(error).not.toBeInstanceOf(UploadOutcomeUnknownError);
		expect(error.message).toBe('Marketo error 602: Access token expired');
	});

	it.each<[string, Answer, RegExp]>([
		['611 system error', marketoError('611', 'System error'), /Marketo answered an upload with System error \(611\)/],
		['604 time-out', marketoError('604', 'Request time-out'), /Request time-out \(604\)/],
		['608 API temporarily unavailable', marketoError('608', 'API Temporarily Unavailable'), /\(608\)/],
		['713 transient error', marketoError('713', 'Transient Error'), /\(713\)/],
		['HTTP 502', { status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } }, /HTTP 502 \(502\)/],
		['HTTP 503', { status: 503, body: '' }, /HTTP 503 \(503\)/],
		['a 200 that is not JSON', { status: 200, body: '<html>proxy</html>', headers: { 'content-type': 'text/html' } }, /text\/html instead of JSON/],
		['connection reset after sending', network('ECONNRESET', 'socket hang up'), /the connection to Marketo broke during an upload \(connection reset\)/],
		['time-out after sending', network('ETIMEDOUT', 'read ETIMEDOUT'), /broke during an upload \(timed out\)/],
		['connection closed while sending', network('EPIPE', 'write EPIPE'), /\(connection closed while sending\)/],
		['an error without a code', { network: undefined as unknown as string, message: 'Something odd' }, /an upload failed without an answer from Marketo \(Something odd\)/],
	])('%s → sent once, unknown whether Marketo accepted the file', async (_name, answer, message) => {
		const n8n = fakeN8n({ api: [answer, marketoOk()] });
		const error = await failure(marketoJson(n8n.fns, upload({ context: 'File 2 of 3' })));
		expect(n8n.uploads()).toBe(1);
		expect(error).toBeInstanceOf(UploadOutcomeUnknownError);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(isUploadOutcomeUnknown(error)).toBe(true);
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(/^File 2 of 3: /);
		expect(error.message).toMatch(message);
		expect(error.message).toMatch(/, so it is unknown whether Marketo accepted the file$/);
		expect(error.description).toMatch(/Check the batches in Marketo/);
		expectNoSecrets(error);
	});

	it('keeps the network root cause: words in the message (n8n would rewrite a code), code and original message in the description', async () => {
		const n8n = fakeN8n({ api: [network('ECONNRESET', 'read ECONNRESET')] });
		const error = (await failure(marketoJson(n8n.fns, upload()))) as UploadOutcomeUnknownError;
		expect(error.message).toBe('The connection to Marketo broke during an upload (connection reset), so it is unknown whether Marketo accepted the file');
		expect(error.description).toContain('Network error ECONNRESET: read ECONNRESET');
		expect(error.lastCode).toBe('ECONNRESET');
	});

	it.each<[string, Answer, string]>([
		['1006 field not found', marketoError('1006', "Field 'First Name' not found"), "Marketo error 1006: Field 'First Name' not found"],
		['1003 empty file', marketoError('1003', 'Empty file'), 'Marketo error 1003: Empty file'],
		['603 access denied', marketoError('603', 'Access denied'), 'Marketo error 603: Access denied'],
		['HTTP 413', { status: 413, body: '' }, 'Marketo error 413: Request entity too large'],
	])('%s → sent once, stops with Marketo\'s refusal (no batch was made)', async (_name, answer, message) => {
		const n8n = fakeN8n({ api: [answer, marketoOk()] });
		const error = await failure(marketoJson(n8n.fns, upload()));
		expect(n8n.uploads()).toBe(1);
		expect(isUploadOutcomeUnknown(error)).toBe(false);
		expect(error.message).toBe(message);
	});

	it.each<[string, string, string, RegExp]>([
		['CERT_HAS_EXPIRED', 'certificate has expired', 'CERT_HAS_EXPIRED', /TLS certificate has expired/],
		['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN', /self-signed certificate in the server's TLS certificate chain/],
		['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', /could not be verified/],
		['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT', /is self-signed/],
		['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID', /for another host name/],
	])('TLS %s before any byte was sent → not resent, not reported as unknown, root cause kept', async (_name, rawMessage, code, words) => {
		const n8n = fakeN8n({ api: [network(code, rawMessage), marketoOk()] });
		const error = await failure(marketoJson(n8n.fns, upload()));
		expect(n8n.uploads()).toBe(1);
		expect(isUploadOutcomeUnknown(error)).toBe(false);
		expect(error.message).toMatch(/^Could not reach Marketo at https:\/\/123-ABC-456\.mktorest\.com \(/);
		expect(error.message).toMatch(words);
		expect(error.message).not.toMatch(/unknown whether/);
		expect(error.description).toContain(`Network error ${code}: ${rawMessage}`);
		expect(error.description).toMatch(/NODE_EXTRA_CA_CERTS/);
	});

	it('a refused connection that lasts: resent within the retry budget, then stops without claiming the file may have arrived', async () => {
		const n8n = fakeN8n({ api: [network('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443')] });
		const error = await failure(marketoJson(n8n.fns, upload()));
		expect(n8n.uploads()).toBe(4); // 1 + maxTransientRetries
		expect(isUploadOutcomeUnknown(error)).toBe(false);
		expect(error.message).toBe('Could not reach Marketo at https://123-ABC-456.mktorest.com (connection refused)');
		expect(error.description).toContain('Network error ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:443');
	});

	it('1016 that lasts: waits out the queue budget, then stops with Marketo\'s 1016', async () => {
		const n8n = fakeN8n({ api: [marketoError('1016', 'There are 10 imports currently being processed. Please try again later')] });
		const error = await failure(marketoJson(n8n.fns, upload()));
		expect(n8n.uploads()).toBeGreaterThan(2);
		expect(error.message).toBe('Marketo error 1016: There are 10 imports currently being processed. Please try again later');
		expect(isUploadOutcomeUnknown(error)).toBe(false);
	});
});

describe('token requests (the credential\'s preAuthentication, run by n8n)', () => {
	it('a network error while getting a token is retried, and the upload is sent once', async () => {
		const n8n = fakeN8n({ identity: [network('ECONNRESET', 'socket hang up'), network('ECONNREFUSED'), { body: { access_token: `${TOKEN_PREFIX}x`, expires_in: 3599 } }] });
		await expect(marketoJson(n8n.fns, upload())).resolves.toMatchObject({ success: true });
		expect(n8n.identity).toHaveLength(3);
		expect(n8n.uploads()).toBe(1);
	});

	it('an HTTP 5xx from Identity is retried like a read', async () => {
		const n8n = fakeN8n({ identity: [{ status: 503, body: '' }, { status: 502, body: '' }, { body: { access_token: `${TOKEN_PREFIX}x`, expires_in: 3599 } }] });
		await expect(marketoJson(n8n.fns, read())).resolves.toMatchObject({ success: true });
		expect(n8n.identity).toHaveLength(3);
		expect(n8n.api).toHaveLength(1);
	});

	it('a token request that keeps failing stops after the retries, says so clearly, and is not an unknown upload', async () => {
		const n8n = fakeN8n({ identity: [network('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.9:443')] });
		const error = await failure(marketoJson(n8n.fns, upload()));
		expect(n8n.identity).toHaveLength(4);
		expect(n8n.uploads()).toBe(0);
		expect(isUploadOutcomeUnknown(error)).toBe(false);
		expect(error.message).toBe(
			"Could not reach Marketo's identity service at https://123-ABC-456.mktorest.com/identity (connection refused). Check the REST API endpoint (and the identity endpoint, if set) in the Marketo credential",
		);
		expect(error.description).toContain('Network error ECONNREFUSED: connect ECONNREFUSED 10.0.0.9:443');
		expectNoSecrets(error);
	});

	it.each<[string, Answer]>([
		['HTTP 401 invalid_client', { status: 401, body: { error: 'invalid_client', error_description: 'Bad client credentials' } }],
		['HTTP 400', { status: 400, body: { error: 'invalid_request', error_description: 'Bad client credentials' } }],
		['an error body with HTTP 200', { status: 200, body: { error: 'unauthorized', error_description: 'Bad client credentials' } }],
	])('wrong client ID or secret (%s) stops at once with the clear message', async (_name, answer) => {
		const n8n = fakeN8n({ identity: [answer] });
		const error = await failure(marketoJson(n8n.fns, upload()));
		expect(n8n.identity).toHaveLength(1);
		expect(n8n.uploads()).toBe(0);
		expect(isUploadOutcomeUnknown(error)).toBe(false);
		expect(error.message).toBe(
			'Marketo did not accept the client ID and secret (Bad client credentials). Copy both again from Admin → LaunchPoint → your API service → View Details',
		);
		expectNoSecrets(error);
	});

	it('a TLS failure of the identity host stops at once with the root cause', async () => {
		const n8n = fakeN8n({ identity: [network('CERT_HAS_EXPIRED', 'certificate has expired')] });
		const error = await failure(marketoJson(n8n.fns, read()));
		expect(n8n.identity).toHaveLength(1);
		expect(error.message).toMatch(/identity service .* \(the server's TLS certificate has expired\)/);
		expect(error.description).toContain('Network error CERT_HAS_EXPIRED: certificate has expired');
	});

	it('after 602, a token request that fails once is retried and still renews (the rejected token is not reused)', async () => {
		const n8n = fakeN8n({
			api: [marketoError('602'), marketoOk()],
			identity: [
				{ body: { access_token: `${TOKEN_PREFIX}old`, expires_in: 3599 } },
				network('ECONNRESET', 'socket hang up'),
				{ body: { access_token: `${TOKEN_PREFIX}new`, expires_in: 3599 } },
			],
		});
		await expect(marketoJson(n8n.fns, upload())).resolves.toMatchObject({ success: true });
		expect(n8n.api.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN_PREFIX}old`, `Bearer ${TOKEN_PREFIX}new`]);
	});
});

describe('reads: transient failures retried with the bounded policy', () => {
	it.each<[string, Answer]>([
		['611', marketoError('611')],
		['604', marketoError('604')],
		['608', marketoError('608')],
		['713', marketoError('713')],
		['HTTP 502', { status: 502, body: '' }],
		['connection reset', network('ECONNRESET', 'socket hang up')],
		['time-out', network('ETIMEDOUT', 'read ETIMEDOUT')],
		['connection refused', network('ECONNREFUSED')],
	])('%s, then success', async (_name, answer) => {
		const n8n = fakeN8n({ api: [answer, answer, marketoOk()] });
		await expect(marketoJson(n8n.fns, read())).resolves.toMatchObject({ success: true });
		expect(n8n.api).toHaveLength(3);
	});

	it('stops after maxTransientRetries with the root cause', async () => {
		const n8n = fakeN8n({ api: [network('ECONNRESET', 'socket hang up')] });
		const error = await failure(marketoJson(n8n.fns, read()));
		expect(n8n.api).toHaveLength(4);
		expect(error.message).toBe('Could not reach Marketo at https://123-ABC-456.mktorest.com (connection reset)');
		expect(error.description).toContain('Network error ECONNRESET: socket hang up');
		expect(error.description).toContain('It failed again after the retries.');
	});

	it('1016 on a read is not waited for', async () => {
		const n8n = fakeN8n({ api: [marketoError('1016'), marketoOk()] });
		await failure(marketoJson(n8n.fns, read()));
		expect(n8n.api).toHaveLength(1);
	});

	it('marketoFile: 404 is "no file", a 502 is retried, then the file', async () => {
		const none = fakeN8n({ api: [{ status: 404, body: '' }] });
		await expect(marketoFile(none.fns, read({ path: '/bulk/v1/leads/batch/7/failures.json' }))).resolves.toBeUndefined();
		const file = fakeN8n({ api: [{ status: 502, body: '' }, { body: 'email,Import Failure Reason\r\na@x.com,bad', headers: { 'content-type': 'text/csv' } }] });
		const buffer = await marketoFile(file.fns, read({ path: '/bulk/v1/leads/batch/7/failures.json' }));
		expect(buffer?.toString('utf8')).toBe('email,Import Failure Reason\r\na@x.com,bad');
		expect(file.api).toHaveLength(2);
	});
});

describe('secrets', () => {
	it('never shows the secret or the token, even when an error message echoes them', async () => {
		const n8n = fakeN8n({ api: [marketoOk(), { network: 'ECONNRESET', message: `socket hang up (Bearer ${TOKEN_PREFIX}1, secret ${SECRET})` }] });
		await marketoJson(n8n.fns, read());
		const unknown = await failure(marketoJson(n8n.fns, upload()));
		expect(isUploadOutcomeUnknown(unknown)).toBe(true);
		expectNoSecrets(unknown);
		expect(unknown.description).toContain('socket hang up (Bearer ***, secret ***)');

		const echoed = fakeN8n({ api: [marketoError('1006', `Field '${SECRET}' not found`)] });
		const refused = await failure(marketoJson(echoed.fns, upload()));
		expectNoSecrets(refused);
	});
});

describe('deadline', () => {
	it('does not start a queue-full wait that would end after the deadline', async () => {
		const n8n = fakeN8n({ api: [marketoError('1016', 'There are 10 imports currently being processed. Please try again later')] });
		// Room for two waits of 0.4 s and a third that would pass the deadline, on a loaded machine too.
		const deadline = Date.now() + 1_000;
		const retry = { ...TINY, queueFullDelayMs: 400, maxDelayMs: 400, maxQueueWaitMs: 60_000 };
		const error = (await failure(marketoJson(n8n.fns, upload({ deadline, retry, context: 'File 1 of 2' })))) as DeadlineReachedError;
		expect(Date.now()).toBeLessThanOrEqual(deadline);
		expect(error).toBeInstanceOf(DeadlineReachedError);
		expect(error.name).toBe('NodeOperationError');
		expect(error.wait).toBe('queueFull');
		expect(error.lastCode).toBe('1016');
		expect(error.lastMessage).toBe('There are 10 imports currently being processed. Please try again later');
		expect(error.callKind).toBe('upload');
		expect(error.message).toMatch(/^File 1 of 2: the time limit was reached: the wait for a free place in Marketo's import queue \(0\.4 s\) would have ended after it\. Last answer: Marketo error 1016: There are 10 imports/);
		expect(error.description).toMatch(/Marketo has not accepted this file/);
		expect(n8n.uploads()).toBeGreaterThanOrEqual(2);
	});

	it.each<[string, Answer, 'retry' | 'rateLimit']>([
		['a back-off after a reset (read)', network('ECONNRESET', 'socket hang up'), 'retry'],
		['a 606 wait', marketoError('606'), 'rateLimit'],
	])('cuts %s that would pass the deadline, at once', async (_name, answer, wait) => {
		const n8n = fakeN8n({ api: [answer] });
		const started = Date.now();
		const retry = { ...TINY, initialDelayMs: 5_000, rateLimitDelayMs: 5_000, maxDelayMs: 60_000 };
		const error = (await failure(marketoJson(n8n.fns, read({ deadline: started + 1_000, retry })))) as DeadlineReachedError;
		expect(Date.now() - started).toBeLessThan(500);
		expect(error).toBeInstanceOf(DeadlineReachedError);
		expect(error.wait).toBe(wait);
		expect(error.message).not.toMatch(/ECONNRESET/);
		expect(n8n.api).toHaveLength(1);
	});

	it('an unknown upload is reported as such, whatever the deadline (it never waits)', async () => {
		const n8n = fakeN8n({ api: [marketoError('611')] });
		const error = await failure(marketoJson(n8n.fns, upload({ deadline: Date.now() - 1 })));
		expect(isUploadOutcomeUnknown(error)).toBe(true);
	});
});

describe('abort signal', () => {
	it('ends a long wait within ~50 ms of the abort', async () => {
		const n8n = fakeN8n({ api: [marketoError('1016')] });
		const controller = new AbortController();
		const retry = { ...TINY, queueFullDelayMs: 30_000, maxDelayMs: 60_000, maxQueueWaitMs: 3_600_000 };
		const pending = failure(marketoJson(n8n.fns, upload({ signal: controller.signal, retry })));
		await new Promise((resolve) => setTimeout(resolve, 30));
		const abortedAt = Date.now();
		controller.abort();
		const error = (await pending) as CancelledError;
		expect(Date.now() - abortedAt).toBeLessThan(50);
		expect(error).toBeInstanceOf(CancelledError);
		expect(error.wait).toBe('queueFull');
		expect(error.lastCode).toBe('1016');
		expect(error.message).toBe("Cancelled during the wait for a free place in Marketo's import queue");
		expect(n8n.uploads()).toBe(1);
	});

	it('sends nothing when already aborted', async () => {
		const n8n = fakeN8n({});
		const controller = new AbortController();
		controller.abort();
		const error = await failure(marketoJson(n8n.fns, upload({ signal: controller.signal })));
		expect(error).toBeInstanceOf(CancelledError);
		expect(n8n.api).toHaveLength(0);
	});
});
