/**
 * The transport's decision on its own: for each outcome and each kind of call (read,
 * upload, token request), what happens. An upload is sent again only after an answer
 * proving Marketo made no batch.
 */
import type { Outcome } from '../../nodes/MarketoBulkImport/transport/classify';
import { classifyFailure, classifyResponse } from '../../nodes/MarketoBulkImport/transport/classify';
import type { CallKind, Decision, Rule, Spent } from '../../nodes/MarketoBulkImport/transport/decision';
import { classOf, decide, kindFor, NOTHING_SPENT, RULES, spend } from '../../nodes/MarketoBulkImport/transport/decision';
import { MarketoCredentialError } from '../../nodes/MarketoBulkImport/transport/endpoints';
import type { RetrySettings } from '../../nodes/MarketoBulkImport/transport/retryPolicy';
import { NodeApiError } from 'n8n-workflow';

const SETTINGS: RetrySettings = {
	initialDelayMs: 100,
	maxDelayMs: 1_000,
	maxTransientRetries: 2,
	rateLimitDelayMs: 200,
	maxRateLimitWaitMs: 500,
	queueFullDelayMs: 300,
	maxQueueWaitMs: 700,
	jitter: 0,
};

const marketo = (code: string): Outcome => ({ kind: 'marketo', code, message: `Error ${code}`, body: {} });
const http = (status: number): Outcome => ({ kind: 'http', status });
const net = (code: string | undefined, message?: string): Outcome => ({ kind: 'network', failure: { code, message } });
const identity = (error: MarketoCredentialError): Outcome => classifyFailure(error);

/** What each call kind does; `resend` for an upload is the table's `retry`. */
type Expected = Record<'read' | 'upload', Rule>;

const CASES: Array<[string, Outcome, Expected]> = [
	['success', { kind: 'ok', statusCode: 200, headers: {}, body: {} }, { read: 'return', upload: 'return' }],
	['601 access token invalid', marketo('601'), { read: 'renewAndRetry', upload: 'renewAndRetry' }],
	['602 access token expired', marketo('602'), { read: 'renewAndRetry', upload: 'renewAndRetry' }],
	['606 rate limit', marketo('606'), { read: 'waitRateLimit', upload: 'waitRateLimit' }],
	['615 concurrency limit', marketo('615'), { read: 'waitRateLimit', upload: 'waitRateLimit' }],
	['HTTP 429', http(429), { read: 'waitRateLimit', upload: 'waitRateLimit' }],
	['1016 queue full', marketo('1016'), { read: 'stop', upload: 'waitQueueFull' }],
	['1019 import in progress', marketo('1019'), { read: 'stop', upload: 'waitQueueFull' }],
	['604 time-out', marketo('604'), { read: 'retry', upload: 'unknownUpload' }],
	['608 API unavailable', marketo('608'), { read: 'retry', upload: 'unknownUpload' }],
	['611 system error', marketo('611'), { read: 'retry', upload: 'unknownUpload' }],
	['713 transient error', marketo('713'), { read: 'retry', upload: 'unknownUpload' }],
	['HTTP 500', http(500), { read: 'retry', upload: 'unknownUpload' }],
	['HTTP 502', http(502), { read: 'retry', upload: 'unknownUpload' }],
	['HTTP 503', http(503), { read: 'retry', upload: 'unknownUpload' }],
	['2xx that is not JSON', { kind: 'unreadable', status: 200, contentType: 'text/html' }, { read: 'retry', upload: 'unknownUpload' }],
	['603 access denied', marketo('603'), { read: 'stop', upload: 'stop' }],
	['607 daily quota', marketo('607'), { read: 'stop', upload: 'stop' }],
	['610 not found', marketo('610'), { read: 'stop', upload: 'stop' }],
	['1003 empty file', marketo('1003'), { read: 'stop', upload: 'stop' }],
	['1006 field not found', marketo('1006'), { read: 'stop', upload: 'stop' }],
	['1013 object not found', marketo('1013'), { read: 'stop', upload: 'stop' }],
	['HTTP 413', http(413), { read: 'stop', upload: 'stop' }],
	['HTTP 414', http(414), { read: 'stop', upload: 'stop' }],
	['HTTP 404', http(404), { read: 'stop', upload: 'stop' }],
	['ECONNREFUSED', net('ECONNREFUSED'), { read: 'retry', upload: 'retry' }],
	['ENOTFOUND', net('ENOTFOUND'), { read: 'retry', upload: 'retry' }],
	['EAI_AGAIN', net('EAI_AGAIN'), { read: 'retry', upload: 'retry' }],
	['EHOSTUNREACH', net('EHOSTUNREACH'), { read: 'retry', upload: 'retry' }],
	['ENETUNREACH', net('ENETUNREACH'), { read: 'retry', upload: 'retry' }],
	['ERR_TLS_HANDSHAKE_TIMEOUT', net('ERR_TLS_HANDSHAKE_TIMEOUT'), { read: 'retry', upload: 'retry' }],
	['CERT_HAS_EXPIRED', net('CERT_HAS_EXPIRED'), { read: 'stop', upload: 'stop' }],
	['SELF_SIGNED_CERT_IN_CHAIN', net('SELF_SIGNED_CERT_IN_CHAIN'), { read: 'stop', upload: 'stop' }],
	['UNABLE_TO_VERIFY_LEAF_SIGNATURE', net('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), { read: 'stop', upload: 'stop' }],
	['DEPTH_ZERO_SELF_SIGNED_CERT', net('DEPTH_ZERO_SELF_SIGNED_CERT'), { read: 'stop', upload: 'stop' }],
	['ERR_TLS_CERT_ALTNAME_INVALID', net('ERR_TLS_CERT_ALTNAME_INVALID'), { read: 'stop', upload: 'stop' }],
	['EPROTO wrong version number (handshake)', net('EPROTO', 'write EPROTO …:wrong version number:…'), { read: 'stop', upload: 'stop' }],
	['EPROTO mid-stream', net('EPROTO', 'write EPROTO decryption failed'), { read: 'retry', upload: 'unknownUpload' }],
	['ECONNRESET', net('ECONNRESET'), { read: 'retry', upload: 'unknownUpload' }],
	['ETIMEDOUT', net('ETIMEDOUT'), { read: 'retry', upload: 'unknownUpload' }],
	['ECONNABORTED', net('ECONNABORTED'), { read: 'retry', upload: 'unknownUpload' }],
	['EPIPE', net('EPIPE'), { read: 'retry', upload: 'unknownUpload' }],
	['ERR_CANCELED', net('ERR_CANCELED'), { read: 'stop', upload: 'unknownUpload' }],
	['an error without a code', net(undefined), { read: 'stop', upload: 'unknownUpload' }],
	['an unlisted code', net('ESOMETHINGNEW'), { read: 'stop', upload: 'unknownUpload' }],
];

/** Token request failures: the call was never sent, so every kind of call does the same. */
const TOKEN_CASES: Array<[string, Outcome, Rule]> = [
	['network error', identity(new MarketoCredentialError('Could not reach…', 'unreachable', 'Network error ECONNREFUSED')), 'retry'],
	['network error without a code', identity(new MarketoCredentialError('Could not reach…', 'unreachable')), 'retry'],
	['HTTP 5xx', identity(new MarketoCredentialError('failed with HTTP 503', 'serverError')), 'retry'],
	['wrong client ID or secret', identity(new MarketoCredentialError('did not accept', 'refused')), 'stop'],
	['credential settings', identity(new MarketoCredentialError('no REST API endpoint', 'settings')), 'stop'],
	['answer without a token', identity(new MarketoCredentialError('without a token', 'answer')), 'stop'],
	['TLS certificate', identity(new MarketoCredentialError('Could not reach…', 'certificate')), 'stop'],
];

function ruleOf(decision: Decision): Rule {
	return decision.action === 'stop' ? 'stop' : decision.action;
}

describe('decide(): outcome × call kind', () => {
	it.each(CASES)('%s', (_name, outcome, expected) => {
		for (const kind of ['read', 'upload'] as const) {
			expect([kind, ruleOf(decide(outcome, { kind, settings: SETTINGS, spent: NOTHING_SPENT }))]).toEqual([kind, expected[kind]]);
		}
		// A token request is a read: repeating it is harmless.
		expect(RULES[classOf(outcome)].token).toBe(expected.read);
	});

	it.each(TOKEN_CASES)('token request: %s', (_name, outcome, expected) => {
		for (const callKind of ['read', 'upload'] as const) {
			const kind = kindFor(outcome, callKind);
			expect(kind).toBe('token');
			expect(ruleOf(decide(outcome, { kind, settings: SETTINGS, spent: NOTHING_SPENT }))).toBe(expected);
		}
	});

	it('never sends an upload again unless the outcome proves Marketo made no batch', () => {
		const provenRefusals = new Set(['tokenRejected', 'rateLimited', 'queueFull', 'targetBusy', 'notSent']);
		for (const [outcomeClass, rules] of Object.entries(RULES)) {
			const resends = ['retry', 'renewAndRetry', 'waitRateLimit', 'waitQueueFull'].includes(rules.upload);
			expect([outcomeClass, resends]).toEqual([outcomeClass, provenRefusals.has(outcomeClass)]);
		}
	});

	it('covers every outcome class of the table in the cases above', () => {
		const covered = new Set([...CASES.map(([, o]) => classOf(o)), ...TOKEN_CASES.map(([, o]) => classOf(o))]);
		expect([...covered].sort()).toEqual(Object.keys(RULES).sort());
	});
});

describe('decide(): budgets', () => {
	const run = (outcome: Outcome, kind: CallKind, times: number) => {
		let spent: Spent = NOTHING_SPENT;
		const decisions: Decision[] = [];
		for (let i = 0; i < times; i++) {
			const decision = decide(outcome, { kind, settings: SETTINGS, spent, random: () => 0 });
			decisions.push(decision);
			spent = spend(spent, decision);
		}
		return decisions;
	};

	it('retries a transient failure maxTransientRetries times, doubling the wait, then stops', () => {
		expect(run(http(502), 'read', 4)).toEqual([
			{ action: 'retry', delayMs: 100 },
			{ action: 'retry', delayMs: 200 },
			{ action: 'stop', reason: 'retriesUsed' },
			{ action: 'stop', reason: 'retriesUsed' },
		]);
	});

	it('renews the token once; a second 601/602 stops', () => {
		expect(run(marketo('602'), 'upload', 2)).toEqual([{ action: 'renewAndRetry' }, { action: 'stop', reason: 'renewalDidNotHelp' }]);
	});

	it('waits on 606/615 until the rate-limit wait budget is spent', () => {
		expect(run(marketo('606'), 'upload', 4)).toEqual([
			{ action: 'waitRateLimit', delayMs: 200 },
			{ action: 'waitRateLimit', delayMs: 400 },
			{ action: 'stop', reason: 'waitBudgetUsed' },
			{ action: 'stop', reason: 'waitBudgetUsed' },
		]);
	});

	it('waits on 1016 (and 1019) until the queue wait budget is spent, with the wait capped', () => {
		expect(run(marketo('1016'), 'upload', 4)).toEqual([
			{ action: 'waitQueueFull', delayMs: 300 },
			{ action: 'waitQueueFull', delayMs: 600 },
			{ action: 'stop', reason: 'waitBudgetUsed' },
			{ action: 'stop', reason: 'waitBudgetUsed' },
		]);
		expect(run(marketo('1019'), 'upload', 1)).toEqual([{ action: 'waitQueueFull', delayMs: 300 }]);
	});

	it('shares the retry budget between token request failures and call failures', () => {
		const unreachable = identity(new MarketoCredentialError('Could not reach…', 'unreachable'));
		let spent = spend(NOTHING_SPENT, decide(unreachable, { kind: 'token', settings: SETTINGS, spent: NOTHING_SPENT }));
		spent = spend(spent, decide(net('ECONNREFUSED'), { kind: 'upload', settings: SETTINGS, spent }));
		expect(decide(unreachable, { kind: 'token', settings: SETTINGS, spent })).toEqual({ action: 'stop', reason: 'retriesUsed' });
	});
});

describe('classification', () => {
	it('finds a token request failure after n8n re-wrapped it (message and marker code survive, the error does not)', () => {
		const original = new MarketoCredentialError('Marketo did not accept the client ID and secret (Bad client credentials).', 'refused');
		const wrapped = new NodeApiError({ id: '1', name: 'n', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }, original as never);
		expect(wrapped.cause).toBeUndefined();
		const outcome = classifyFailure(wrapped);
		expect(outcome).toMatchObject({ kind: 'identity', problem: 'refused', message: original.message });
	});

	it('reads a network failure from n8n 1.x (wrapped: code in httpCode, original message first in messages) and from a bare error', () => {
		const bare = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
		const wrapped = new NodeApiError({ id: '1', name: 'n', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }, bare as never);
		expect(wrapped.message).not.toContain('ECONNREFUSED'); // n8n replaced it
		for (const error of [bare, wrapped]) {
			expect(classifyFailure(error)).toEqual({ kind: 'network', failure: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:443' } });
		}
	});

	it('tells Marketo errors, HTTP errors and unreadable answers apart', () => {
		const headers = { 'content-type': 'application/json' };
		expect(classifyResponse({ statusCode: 200, headers, body: { success: false, errors: [{ code: '1016', message: 'Too many imports' }] } }, 'json')).toMatchObject({ kind: 'marketo', code: '1016' });
		expect(classifyResponse({ statusCode: 502, headers, body: '<html>Bad Gateway</html>' }, 'json')).toEqual({ kind: 'http', status: 502 });
		expect(classifyResponse({ statusCode: 200, headers: { 'content-type': 'text/html' }, body: '<html/>' }, 'json')).toEqual({ kind: 'unreadable', status: 200, contentType: 'text/html' });
		expect(classifyResponse({ statusCode: 404, headers, body: '' }, 'file')).toMatchObject({ kind: 'ok', body: null });
	});
});
