 
/**
 * Clock, rate limit, concurrency, daily quota and fault injection (reference §7.3).
 */
import type { ResolvedOptions } from './options';

/**
 * Wall clock plus an offset that tests can advance (`/__emulator/clock/advance`). A test that
 * checks exact times can freeze it: then only `advance` moves it, however slow the machine is.
 */
export class Clock {
	private offset = 0;

	private frozenAt: number | undefined;

	now(): number {
		return this.frozenAt ?? Date.now() + this.offset;
	}

	advance(ms: number): void {
		if (!Number.isFinite(ms) || ms <= 0) return;
		if (this.frozenAt === undefined) this.offset += ms;
		else this.frozenAt += ms;
	}

	freeze(): void {
		this.frozenAt = this.now();
	}

	reset(): void {
		this.offset = 0;
		this.frozenAt = undefined;
	}
}

/** Codes that do not count against the rate limit or the daily quota (asterisked in the docs). */
export const UNCOUNTED_CODES = new Set(['601', '602', '604', '605', '608', '611']);

export const DEFAULT_MESSAGES: Record<string, string> = {
	'601': 'Access token invalid',
	'602': 'Access token expired',
	'603': 'Access denied',
	'604': 'Request timed out',
	'607': 'Daily quota reached',
	'608': 'API Temporarily Unavailable',
	'609': 'Invalid JSON',
	'610': 'Requested resource not found',
	'611': 'System error',
	'612': 'Invalid Content Type',
	'613': 'Invalid Multipart Request',
	'614': 'Invalid Subscription',
	'713': 'Transient Error',
	'1029': 'Too many jobs in queue',
};

function chicagoDay(ms: number): string {
	return new Intl.DateTimeFormat('en-CA', {
		timeZone: 'America/Chicago',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
	}).format(new Date(ms));
}

export class Limits {
	inFlight = 0;
	quotaUsed = 0;
	private quotaDay = '';
	private window: number[] = [];

	constructor(
		private readonly options: () => ResolvedOptions,
		private readonly clock: Clock,
	) {}

	rateMessage(): string {
		const o = this.options();
		return `Max rate limit '${o.rateLimit === false ? 0 : o.rateLimit}' exceeded with in '${Math.round(o.rateWindowMs / 1000)}' secs`;
	}

	concurrencyMessage(): string {
		const o = this.options();
		return `Concurrent access limit '${o.maxConcurrent === false ? 0 : o.maxConcurrent}' reached`;
	}

	private prune(now: number): void {
		const from = now - this.options().rateWindowMs;
		let i = 0;
		while (i < this.window.length && this.window[i] <= from) i++;
		if (i > 0) this.window.splice(0, i);
	}

	private rollQuota(now: number): void {
		const day = chicagoDay(now);
		if (day !== this.quotaDay) {
			this.quotaDay = day;
			this.quotaUsed = 0;
		}
	}

	/** Calls counted in the current rate window. */
	windowCount(): number {
		this.prune(this.clock.now());
		return this.window.length;
	}

	concurrencyExceeded(): boolean {
		const max = this.options().maxConcurrent;
		return max !== false && this.inFlight > max;
	}

	rateExceeded(): boolean {
		const limit = this.options().rateLimit;
		if (limit === false) return false;
		this.prune(this.clock.now());
		return this.window.length >= limit;
	}

	quotaExceeded(): boolean {
		const quota = this.options().dailyQuota;
		if (quota === false) return false;
		this.rollQuota(this.clock.now());
		return this.quotaUsed >= quota;
	}

	/** Counts one call; returns a handle to uncount it if it ends with an uncounted code. */
	record(): number {
		const now = this.clock.now();
		this.rollQuota(now);
		this.window.push(now);
		this.quotaUsed++;
		return now;
	}

	unrecord(at: number): void {
		const i = this.window.lastIndexOf(at);
		if (i >= 0) this.window.splice(i, 1);
		if (this.quotaUsed > 0) this.quotaUsed--;
	}

	resetQuota(): void {
		this.quotaUsed = 0;
	}

	reset(): void {
		this.window = [];
		this.quotaUsed = 0;
		this.quotaDay = '';
	}
}

export interface FaultSpec {
	/** Exact path, a glob with `*`, or a RegExp, matched against the URL path. */
	path: string | RegExp;
	method?: string;
	/**
	 * Faults for a path are consumed in the order they were added. 'pass' lets the request
	 * through (handy to fail the third call only); 'reset' destroys the socket without answering; a numeric string below 600 (e.g. '502')
	 * answers with that HTTP status; any other code answers HTTP 200 success:false with it.
	 */
	response: string;
	/** How many matching requests fail (default 1). */
	count?: number;
	message?: string;
	/**
	 * 'before' (default): the fault replaces the request, so Marketo did nothing.
	 * 'after': the request is processed as usual (an upload creates and queues its batch, a
	 * token request mints its token), then the answer is replaced by the fault: the answer
	 * was lost on its way back.
	 */
	when?: FaultTiming;
}

export type FaultTiming = 'before' | 'after';

export interface ActiveFault {
	matcher: RegExp | string;
	method?: string;
	response: string;
	remaining: number;
	message?: string;
	when: FaultTiming;
}

function globToRegExp(glob: string): RegExp {
	const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
	return new RegExp(`^${escaped}$`);
}

export class Faults {
	private list: ActiveFault[] = [];

	add(f: FaultSpec): void {
		const matcher = typeof f.path === 'string' && f.path.includes('*') ? globToRegExp(f.path) : f.path;
		this.list.push({
			matcher,
			method: f.method?.toUpperCase(),
			response: String(f.response),
			remaining: f.count === undefined ? 1 : f.count,
			message: f.message,
			when: f.when ?? 'before',
		});
	}

	take(method: string, path: string): ActiveFault | undefined {
		for (const f of this.list) {
			if (f.remaining <= 0) continue;
			if (f.method && f.method !== method.toUpperCase()) continue;
			const hit = typeof f.matcher === 'string' ? f.matcher === path : f.matcher.test(path);
			if (!hit) continue;
			f.remaining--;
			this.list = this.list.filter((x) => x.remaining > 0);
			return f;
		}
		return undefined;
	}

	pending(): { path: string; method?: string; response: string; remaining: number; when: FaultTiming }[] {
		return this.list.map((f) => ({
			path: typeof f.matcher === 'string' ? f.matcher : f.matcher.source,
			method: f.method,
			response: f.response,
			remaining: f.remaining,
			when: f.when,
		}));
	}

	clear(): void {
		this.list = [];
	}
}
