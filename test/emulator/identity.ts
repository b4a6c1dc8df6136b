 
/**
 * Identity service (reference §1, §7.2): one token per client id, reused with its remaining
 * lifetime until it expires; a new token only after expiry.
 */
import { randomUUID } from 'node:crypto';

import type { Clock } from './limits';
import type { ResolvedOptions } from './options';

interface TokenRecord {
	token: string;
	clientId: string;
	expiresAt: number;
}

export interface IdentityReply {
	status: number;
	body: Record<string, unknown>;
}

export type TokenCheck = { ok: true; clientId: string } | { ok: false; code: '601' | '602' };

export class Identity {
	issues = 0;
	calls = 0;
	private readonly byClient = new Map<string, TokenRecord>();
	private readonly byToken = new Map<string, TokenRecord>();

	constructor(
		private readonly options: () => ResolvedOptions,
		private readonly clock: Clock,
	) {}

	token(params: Record<string, string | undefined>): IdentityReply {
		const opts = this.options();
		const clientId = params.client_id;
		if (clientId === undefined || clientId === '') {
			return {
				status: 401,
				body: { error: 'unauthorized', error_description: 'No client with requested id: ' },
			};
		}
		const client = opts.clients.find((c) => c.clientId === clientId);
		if (!client) {
			return {
				status: 401,
				body: { error: 'unauthorized', error_description: `No client with requested id: ${clientId}` },
			};
		}
		if (params.client_secret !== client.clientSecret) {
			return { status: 401, body: { error: 'invalid_client', error_description: 'Bad client credentials' } };
		}
		const grant = params.grant_type;
		if (grant === undefined || grant === '') {
			return { status: 400, body: { error: 'invalid_request', error_description: 'Missing grant type' } };
		}
		if (grant !== 'client_credentials') {
			return {
				status: 400,
				body: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant}` },
			};
		}
		const now = this.clock.now();
		const ttlMs = opts.tokenTtlSeconds * 1000;
		let rec = this.byClient.get(clientId);
		let expiresIn: number;
		if (rec && rec.expiresAt > now) {
			expiresIn = Math.min(opts.tokenTtlSeconds - 1, Math.floor((rec.expiresAt - now) / 1000));
			expiresIn = Math.max(0, expiresIn);
		} else {
			rec = { token: `${randomUUID()}:${opts.tokenPod}`, clientId, expiresAt: now + ttlMs };
			this.byClient.set(clientId, rec);
			this.byToken.set(rec.token, rec);
			this.issues++;
			expiresIn = Math.max(0, opts.tokenTtlSeconds - 1);
		}
		return {
			status: 200,
			body: {
				access_token: rec.token,
				token_type: 'bearer',
				expires_in: expiresIn,
				scope: client.scopeEmail ?? 'api@example.com',
			},
		};
	}

	check(token: string): TokenCheck {
		const rec = this.byToken.get(token);
		if (!rec) return { ok: false, code: '601' };
		if (rec.expiresAt <= this.clock.now()) return { ok: false, code: '602' };
		return { ok: true, clientId: rec.clientId };
	}

	/** Expires every active token now; the next Identity call mints a new one. */
	expireAll(): void {
		const now = this.clock.now();
		for (const rec of this.byToken.values()) {
			if (rec.expiresAt > now) rec.expiresAt = now;
		}
	}

	reset(): void {
		this.byClient.clear();
		this.byToken.clear();
		this.issues = 0;
		this.calls = 0;
	}
}
