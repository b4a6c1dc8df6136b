 
import type { IDataObject } from 'n8n-workflow';

import type { EmulatorOptions, MarketoEmulator } from '../emulator';
import { startMarketoEmulator } from '../emulator';
import { clearTokenCache } from '../../nodes/MarketoBulkImport/transport';
import { TestCredentialsHelper } from './workflowRunner';

export const CLIENT_ID = 'test-client';
export const CLIENT_SECRET = 'test-secret-Zq8!';

/** Timings that let a whole import run in well under a second. */
export const FAST: EmulatorOptions = {
	queuedMinMs: 20,
	importMinMs: 30,
	rowsPerSecond: 0,
	clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopeEmail: 'api@example.com' }],
};

/** Node options that keep polling and back-off in milliseconds. */
export const FAST_NODE_OPTIONS: IDataObject = {
	pollIntervalSeconds: 0.02,
	retryWaitSeconds: 0.01,
	queueWaitSeconds: 0.02,
};

export async function startEmulator(options: EmulatorOptions = {}): Promise<MarketoEmulator> {
	clearTokenCache();
	return await startMarketoEmulator({ ...FAST, ...options });
}

export function credentialsFor(emulator: MarketoEmulator, overrides: IDataObject = {}): TestCredentialsHelper {
	const helper = new TestCredentialsHelper();
	helper.store.set('marketo-cred-1', {
		restEndpoint: `${emulator.url}/rest/`,
		identityEndpoint: '',
		clientId: CLIENT_ID,
		clientSecret: CLIENT_SECRET,
		accessToken: '',
		tokenValidUntil: 0,
		...overrides,
	});
	return helper;
}

const FIRST = ['Zoë', 'José', 'Łukasz', 'Anaïs', '明', 'Søren', 'O\'Brien', 'Mary-Jane', ' Lead', 'Ann'];
const LAST = ['Smith, Jr.', 'Müller', '"The Rock"', 'Nguyễn', 'Line\nBreak', 'Tab\tHere', 'Semi;colon', 'Trailing ', '', 'Doe'];

/** Leads with the awkward values real spreadsheets hold: commas, quotes, newlines, non-ASCII. */
export function awkwardLeads(count: number, offset = 0): IDataObject[] {
	return Array.from({ length: count }, (_, n) => {
		const i = n + offset;
		return {
			email: `lead${i}@example.com`,
			firstName: FIRST[i % FIRST.length],
			lastName: LAST[i % LAST.length],
			company: i % 7 === 0 ? 'Acme, Inc. "Global"' : `Company ${i}`,
			leadScore: i % 100,
			title: i % 3 === 0 ? 'VP\r\nSales' : 'Engineer',
		};
	});
}
