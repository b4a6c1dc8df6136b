/**
 * n8n replaces a whole error message when it mentions a Node.js error code it knows
 * (ECONNREFUSED…, case-insensitively, anywhere). Our messages name the failure in words so
 * they reach the user as written; the raw code goes in the description, which n8n keeps.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	describeNetworkError,
	networkPhase,
	withCodesInWords,
} from '../../nodes/MarketoBulkImport/transport/networkErrors';

const node: INode = { id: '1', name: 'Marketo', type: 't', typeVersion: 1, position: [0, 0], parameters: {} };

const CODES = [
	'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH',
	'EADDRNOTAVAIL', 'EPIPE', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE', 'EPROTO',
	'ERR_CANCELED', 'ERR_TLS_HANDSHAKE_TIMEOUT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ESOMETHINGNEW', undefined,
];

it.each(CODES)('the words for %s reach the user unchanged through NodeApiError and NodeOperationError', (code) => {
	const message = `Could not reach Marketo at https://123-ABC-456.mktorest.com (${describeNetworkError(code)})`;
	expect(message).not.toContain(String(code));
	expect(new NodeApiError(node, { message: 'detail' }, { message, description: `Network error ${code}` }).message).toBe(message);
	expect(new NodeOperationError(node, message).message).toBe(message);
});

it('puts raw messages that carry codes n8n rewrites into words', () => {
	const text = withCodesInWords('getaddrinfo ENOTFOUND x.mktorest.com; connect ECONNREFUSED 10.0.0.1:443');
	expect(text).toBe('name lookup host not found x.mktorest.com; connect connection refused 10.0.0.1:443');
	expect(new NodeApiError(node, { message: 'detail' }, { message: text }).message).toBe(text);
});

it.each<[string | undefined, string | undefined, string]>([
	['ECONNREFUSED', undefined, 'beforeSend'],
	['ENOTFOUND', undefined, 'beforeSend'],
	['EAI_AGAIN', undefined, 'beforeSend'],
	['EHOSTUNREACH', undefined, 'beforeSend'],
	['ENETUNREACH', undefined, 'beforeSend'],
	['CERT_HAS_EXPIRED', undefined, 'tls'],
	['UNABLE_TO_VERIFY_LEAF_SIGNATURE', undefined, 'tls'],
	['ERR_TLS_CERT_ALTNAME_INVALID', undefined, 'tls'],
	['EPROTO', 'write EPROTO …:ssl3_get_record:wrong version number:…', 'tls'],
	['EPROTO', 'read EPROTO bad record mac', 'afterConnect'],
	['ECONNRESET', 'socket hang up', 'afterConnect'],
	['ETIMEDOUT', undefined, 'afterConnect'],
	['ERR_CANCELED', undefined, 'cancelled'],
	['ESOMETHINGNEW', undefined, 'unknown'],
	[undefined, undefined, 'unknown'],
])('%s (%s) happens %s', (code, message, phase) => {
	expect(networkPhase(code, message)).toBe(phase);
});
