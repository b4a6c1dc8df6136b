/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Tests of the Marketo emulator itself (reference §7), driven over HTTP with global fetch and
 * multipart bodies built by the `form-data` package — never with the product's code.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

import FormData from 'form-data';
import Papa from 'papaparse';

import { sandboxOptions, startMarketoEmulator, type EmulatorOptions, type MarketoEmulator } from './emulator';

const FAST: EmulatorOptions = { queuedMinMs: 20, importMinMs: 40, rowsPerSecond: 0 };

let emu: MarketoEmulator;

async function start(options: EmulatorOptions = {}): Promise<MarketoEmulator> {
	emu = await startMarketoEmulator({ ...sandboxOptions(), ...FAST, ...options });
	return emu;
}

afterEach(async () => {
	await emu?.close();
});

interface Res {
	status: number;
	headers: Headers;
	text: string;
	json: Record<string, unknown>;
}

async function call(url: string, init: RequestInit = {}): Promise<Res> {
	const res = await fetch(url, init);
	const text = await res.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// not JSON
	}
	return { status: res.status, headers: res.headers, text, json };
}

async function getToken(e: MarketoEmulator = emu): Promise<string> {
	const r = await call(`${e.url}/identity/oauth/token?grant_type=client_credentials&client_id=test-client&client_secret=test-secret`);
	return r.json.access_token as string;
}

async function api(p: string, token: string, init: RequestInit = {}): Promise<Res> {
	return await call(`${emu.url}${p}`, {
		...init,
		headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
	});
}

interface FilePart {
	content: string | Buffer;
	filename?: string;
	contentType?: string;
}

function form(fields: Record<string, string>, file?: FilePart): { body: Buffer; headers: Record<string, string> } {
	const fd = new FormData();
	for (const [k, v] of Object.entries(fields)) fd.append(k, v);
	if (file) {
		fd.append('file', Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content, 'utf8'), {
			filename: file.filename ?? 'leads.csv',
			contentType: file.contentType ?? 'text/csv',
		});
	}
	return { body: fd.getBuffer(), headers: fd.getHeaders() as Record<string, string> };
}

async function upload(p: string, token: string, fields: Record<string, string>, file?: FilePart): Promise<Res> {
	const f = form(fields, file);
	return await api(p, token, { method: 'POST', body: f.body, headers: f.headers });
}

function errCode(r: Res): string | undefined {
	const errors = r.json.errors as { code: string; message: string }[] | undefined;
	return r.json.success === false && errors ? errors[0].code : undefined;
}

function errMessage(r: Res): string | undefined {
	const errors = r.json.errors as { code: string; message: string }[] | undefined;
	return errors?.[0]?.message;
}

function result(r: Res): Record<string, unknown>[] {
	return r.json.result as Record<string, unknown>[];
}

async function waitForStatus(p: string, token: string, want: string, timeoutMs = 3000): Promise<Record<string, unknown>> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const r = await api(p, token);
		const s = result(r)?.[0];
		if (s?.status === want) return s;
		if (Date.now() > until) throw new Error(`timed out waiting for ${want}: ${r.text}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

const CSV =
	'email,firstName,lastName,company,leadScore,customEmail\r\n' +
	'ada@example.com,Ada,"Lovelace, Countess","Analytical ""Engines""",42,ada@calc.org\r\n' +
	'zoe@example.com,Zoë,"Line\nBreak",Müller GmbH,7,not-an-email\r\n' +
	',Nobody,NoEmail,X,1,\r\n' +
	'bad@example.com,Bad,Score,Y,abc,\r\n';

describe('identity and tokens', () => {
	it('issues, reuses and renews tokens like Marketo', async () => {
		await start();
		// Exact expires_in values: the machine's slowness must not move the token's clock.
		emu.freezeClock();
		const first = await call(`${emu.url}/identity/oauth/token?grant_type=client_credentials&client_id=test-client&client_secret=test-secret`);
		expect(first.status).toBe(200);
		expect(first.headers.get('cache-control')).toBe('no-store');
		expect(first.headers.get('pragma')).toBe('no-cache');
		expect(first.json).toMatchObject({ token_type: 'bearer', expires_in: 3599, scope: 'api@example.com' });
		expect(first.json.access_token).toMatch(/^[0-9a-f-]{36}:int$/);

		// POST with a urlencoded body returns the same token and its remaining life.
		emu.advanceClock(10_500);
		const again = await call(`${emu.url}/identity/oauth/token`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials&client_id=test-client&client_secret=test-secret',
		});
		expect(again.json.access_token).toBe(first.json.access_token);
		expect(again.json.expires_in).toBe(3589);

		// In the last second: the same token with expires_in 0; a new one only after expiry.
		emu.advanceClock(3600_000 - 10_500 - 500);
		const last = await call(`${emu.url}/identity/oauth/token?grant_type=client_credentials&client_id=test-client&client_secret=test-secret`);
		expect(last.json).toMatchObject({ access_token: first.json.access_token, expires_in: 0 });
		emu.advanceClock(600);
		const expired = await api('/rest/v1/leads/partitions.json', first.json.access_token as string);
		expect(errCode(expired)).toBe('602');
		expect(errMessage(expired)).toBe('Access token expired');
		const renewed = await getToken();
		expect(renewed).not.toBe(first.json.access_token);
		expect(emu.tokenIssues()).toBe(2);
		expect(emu.identityCalls()).toBe(4);
	});

	it('answers 401 for unknown clients and wrong secrets, and 601/602/603 on API calls', async () => {
		await start();
		const unknown = await call(`${emu.url}/identity/oauth/token?grant_type=client_credentials&client_id=nobody&client_secret=x`);
		expect(unknown.status).toBe(401);
		expect(unknown.json).toEqual({ error: 'unauthorized', error_description: 'No client with requested id: nobody' });
		const wrong = await call(`${emu.url}/identity/oauth/token?grant_type=client_credentials&client_id=test-client&client_secret=nope`);
		expect(wrong.status).toBe(401);
		expect(wrong.json).toEqual({ error: 'invalid_client', error_description: 'Bad client credentials' });

		const none = await call(`${emu.url}/rest/v1/leads/describe.json`);
		expect(none.status).toBe(200);
		expect(none.json).toMatchObject({ success: false, errors: [{ code: '603', message: 'Access denied' }] });
		expect(none.json.requestId).toMatch(/^[0-9a-f]+#[0-9a-f]+$/);
		expect(errCode(await api('/rest/v1/leads/describe.json', 'not-a-token:int'))).toBe('601');

		const token = await getToken();
		// Query tokens are refused by default, accepted when allowQueryToken is on.
		expect(errCode(await call(`${emu.url}/rest/v1/leads/describe.json?access_token=${token}`))).toBe('603');
		emu.configure({ allowQueryToken: true });
		expect((await call(`${emu.url}/rest/v1/leads/describe.json?access_token=${token}`)).json.success).toBe(true);

		emu.expireTokens();
		expect(errCode(await api('/rest/v1/leads/describe.json', token))).toBe('602');
		expect(await getToken()).not.toBe(token);

		// Secrets and tokens never reach the request log.
		const log = JSON.stringify(emu.requests());
		expect(log).not.toContain('test-secret');
		expect(log).not.toContain(token);
		expect(emu.requests().find((r) => r.path === '/identity/oauth/token')?.query.client_secret).toBe('[REDACTED]');
		expect(emu.requests().some((r) => r.authorization === 'query')).toBe(true);
	});

	it('answers 610 for unknown paths and 605 for wrong methods', async () => {
		await start();
		const token = await getToken();
		expect(errCode(await api('/rest/v1/nothing.json', token))).toBe('610');
		expect(errCode(await api('/rest/bulk/v1/leads.json', token))).toBe('610');
		const wrongMethod = await api('/bulk/v1/leads.json', token);
		expect(errCode(wrongMethod)).toBe('605');
		expect(errMessage(wrongMethod)).toBe("Request method 'GET' not supported");
	});
});

describe('bulk lead import', () => {
	it('goes Queued → Importing → Complete with growing counters, then serves failures and warnings', async () => {
		await start({ queuedMinMs: 1000, importMinMs: 1000 });
		const token = await getToken();
		const created = await upload('/bulk/v1/leads.json?format=csv&listId=1001', token, { lookupField: 'email' }, { content: CSV });
		expect(created.json.success).toBe(true);
		const [job] = result(created);
		expect(job).toEqual({ batchId: 1001, importId: '1001', status: 'Queued' });
		const statusPath = `/bulk/v1/leads/batch/${job.batchId}.json`;

		const queued = result(await api(statusPath, token))[0];
		expect(queued).toEqual({ batchId: 1001, importId: '1001', status: 'Queued', numOfLeadsProcessed: 0, numOfRowsFailed: 0, numOfRowsWithWarning: 0 });
		expect((await api(`/bulk/v1/leads/batch/1001/failures.json`, token)).status).toBe(404);

		emu.advanceClock(1000);
		expect(result(await api(statusPath, token))[0]).toMatchObject({ status: 'Importing', numOfLeadsProcessed: 0 });
		emu.advanceClock(500);
		const half = result(await api(statusPath, token))[0];
		expect(half.status).toBe('Importing');
		expect((half.numOfLeadsProcessed as number) + (half.numOfRowsFailed as number)).toBe(2);
		emu.advanceClock(600);
		const done = result(await api(statusPath, token))[0];
		expect(done).toEqual({
			batchId: 1001,
			importId: '1001',
			status: 'Complete',
			numOfLeadsProcessed: 2,
			numOfRowsFailed: 2,
			numOfRowsWithWarning: 1,
			message: 'Import completed with errors, 2 records imported (2 members), 2 failed, 1 warning.',
		});

		// The raw upload is kept byte for byte.
		const [stored] = emu.jobs();
		expect(stored.file.toString('utf8')).toBe(CSV);
		expect(stored).toMatchObject({ kind: 'lead', format: 'csv', lookupField: 'email', listId: 1001, filename: 'leads.csv', partContentType: 'text/csv' });
		expect(stored.formFields).toEqual({ lookupField: 'email' });
		expect(stored.query).toEqual({ format: 'csv', listId: '1001' });
		expect(stored.startedAt! - stored.createdAt).toBe(1000);

		const leads = emu.leads();
		const ada = leads.find((l) => l.email === 'ada@example.com');
		expect(ada).toMatchObject({ lastName: 'Lovelace, Countess', company: 'Analytical "Engines"', leadScore: 42, partitionName: 'Default' });
		expect(ada?.listIds).toEqual([1001]);
		expect(leads.find((l) => l.email === 'zoe@example.com')).toMatchObject({ firstName: 'Zoë', lastName: 'Line\nBreak', customEmail: 'not-an-email' });
		expect(emu.listMembers(1001)).toEqual(expect.arrayContaining([ada?.id]));

		const failures = await api('/bulk/v1/leads/batch/1001/failures.json', token);
		expect(failures.status).toBe(200);
		expect(failures.headers.get('content-type')).toBe('text/csv;charset=UTF-8');
		expect(failures.text).toBe(
			'email,firstName,lastName,company,leadScore,customEmail,Import Failure Reason\r\n' +
				",Nobody,NoEmail,X,1,,Value for lookup field 'email' not found\r\n" +
				'bad@example.com,Bad,Score,Y,abc,,Invalid data type in field Lead Score\r\n',
		);
		const warnings = await api('/bulk/v1/leads/batch/1001/warnings.json', token);
		expect(warnings.status).toBe(200);
		const parsed = Papa.parse<string[]>(warnings.text, { skipEmptyLines: true }).data;
		expect(parsed).toEqual([
			['email', 'firstName', 'lastName', 'company', 'leadScore', 'customEmail', 'Import Warning Reason'],
			['zoe@example.com', 'Zoë', 'Line\nBreak', 'Müller GmbH', '7', 'not-an-email', 'Invalid email address'],
		]);
	});

	it('answers 404 with an empty body when there are no failed rows; upserts by lookup field', async () => {
		await start();
		const token = await getToken();
		const tsv = 'email\tfirstName\tleadScore\r\nada@example.com\tAda K.\t\r\nnew@example.com\tNew\t5\r\nnew@example.com\tNewer\t6\r\n';
		const created = await upload('/bulk/v1/leads.json', token, { format: 'TSV' }, { content: tsv });
		const batchId = result(created)[0].batchId as number;
		const done = await waitForStatus(`/bulk/v1/leads/batch/${batchId}.json`, token, 'Complete');
		expect(done.message).toBe('Import succeeded, 3 records imported (3 members)');
		const failures = await api(`/bulk/v1/leads/batch/${batchId}/failures.json`, token);
		expect(failures.status).toBe(404);
		expect(failures.text).toBe('');
		// Empty cells leave values alone; duplicate keys: last row wins.
		expect(emu.leads().find((l) => l.email === 'ada@example.com')).toMatchObject({ firstName: 'Ada K.', leadScore: 42 });
		const news = emu.leads().filter((l) => l.email === 'new@example.com');
		expect(news).toHaveLength(1);
		expect(news[0]).toMatchObject({ firstName: 'Newer', leadScore: 6 });

		emu.configure({ noFileMode: 'empty200' });
		const empty = await api(`/bulk/v1/leads/batch/${batchId}/failures.json`, token);
		expect(empty.status).toBe(200);
		expect(empty.text).toBe('');
	});

	it('updates only with lookupField=id and reports unknown ids', async () => {
		await start();
		const token = await getToken();
		const ada = emu.leads().find((l) => l.email === 'ada@example.com');
		const ssv = `id;title\r\n${ada?.id};Countess\r\n99999;Ghost\r\n`;
		const created = await upload('/bulk/v1/leads.json?format=ssv&lookupField=id', token, {}, { content: ssv });
		const batchId = result(created)[0].batchId as number;
		const done = await waitForStatus(`/bulk/v1/leads/batch/${batchId}.json`, token, 'Complete');
		expect(done).toMatchObject({ numOfLeadsProcessed: 1, numOfRowsFailed: 1 });
		const failures = await api(`/bulk/v1/leads/batch/${batchId}/failures.json`, token);
		expect(failures.text).toBe('id;title;Import Failure Reason\r\n99999;Ghost;Lead not found\r\n');
		expect(emu.leads().find((l) => l.id === ada?.id)?.title).toBe('Countess');
		expect(emu.leads()).toHaveLength(3);
	});

	it('rejects bad submissions with the documented codes', async () => {
		await start();
		const token = await getToken();
		const ok = { content: 'email\r\na@example.com\r\n' };
		const json = await api('/bulk/v1/leads.json', token, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
		expect(errCode(json)).toBe('612');
		const broken = await api('/bulk/v1/leads.json', token, {
			method: 'POST',
			headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ' },
			body: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nemail\r\na@b.co\r\n--XYZ',
		});
		expect(errCode(broken)).toBe('613');
		expect(errMessage(await upload('/bulk/v1/leads.json', token, { format: 'csv' }))).toBe(
			"Missing value for the required parameter 'file'",
		);
		expect(errCode(await upload('/bulk/v1/leads.json', token, {}, { content: '' }))).toBe('1003');
		expect(errMessage(await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\n' }))).toBe('Empty file');
		expect(errMessage(await upload('/bulk/v1/leads.json?format=xls', token, {}, ok))).toBe("Invalid value 'xls'. Required of type 'format'");
		expect(errMessage(await upload('/bulk/v1/leads.json?lookupField=firstName', token, {}, ok))).toBe("Field 'firstName' not supported");
		expect(errCode(await upload('/bulk/v1/leads.json?lookupField=firstName', token, {}, ok))).toBe('1011');
		expect(errMessage(await upload('/bulk/v1/leads.json?lookupField=nope', token, {}, ok))).toBe("Field 'nope' not found");
		expect(result(await upload('/bulk/v1/leads.json?lookupField=customText', token, {}, { content: 'customText\r\nx\r\n' }))[0].status).toBe('Queued');
		expect(errCode(await upload('/bulk/v1/leads.json?listId=999', token, {}, ok))).toBe('1013');
		// Query string wins over form fields.
		expect(errCode(await upload('/bulk/v1/leads.json?format=csv', token, { format: 'xls' }, ok))).toBeUndefined();

		const unknown = await upload('/bulk/v1/leads.json', token, {}, { content: 'email,favouriteColour\r\na@example.com,blue\r\n' });
		expect(unknown.json).toMatchObject({ success: false, errors: [{ code: '1006', message: "Field 'favouriteColour' not found" }] });
		expect(errMessage(await upload('/bulk/v1/leads.json', token, {}, { content: 'email,createdAt\r\na@example.com,2020-01-01\r\n' }))).toBe(
			"Field 'createdAt' not found",
		);
		expect(errMessage(await upload('/bulk/v1/leads.json', token, {}, { content: 'Email\r\na@example.com\r\n' }))).toBe("Field 'Email' not found");
		const bom = { content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('email\r\na@example.com\r\n')]) };
		expect(errMessage(await upload('/bulk/v1/leads.json', token, {}, bom))).toBe("Field '\uFEFFemail' not found");
		emu.configure({ stripBom: true, headerCaseInsensitive: true });
		expect(errCode(await upload('/bulk/v1/leads.json', token, {}, bom))).toBeUndefined();
		expect(errCode(await upload('/bulk/v1/leads.json', token, {}, { content: 'EMAIL\r\na@example.com\r\n' }))).toBeUndefined();
	});

	it('requires partitionName when there are several partitions', async () => {
		await start(sandboxOptions({ twoPartitions: true }));
		const token = await getToken();
		const file = { content: 'email,firstName\r\neu@example.com,Eu\r\n' };
		expect(errMessage(await upload('/bulk/v1/leads.json', token, {}, file))).toBe('Partition name must be specified');
		expect(errMessage(await upload('/bulk/v1/leads.json', token, { partitionName: 'Mars' }, file))).toBe("Partition 'Mars' not found");
		const created = await upload('/bulk/v1/leads.json', token, { partitionName: 'Europe' }, file);
		await waitForStatus(`/bulk/v1/leads/batch/${result(created)[0].batchId}.json`, token, 'Complete');
		expect(emu.leads().find((l) => l.email === 'eu@example.com')).toMatchObject({ partitionName: 'Europe', leadPartitionId: 2 });
	});

	it('fails rows with a wrong column count and per-type checks', async () => {
		await start();
		const token = await getToken();
		const file =
			'email,customInt,customFloat,customBool,customDate,customDateTime,customCurrency\r\n' +
			'ok@example.com,1,2.5,true,2026-02-28,2026-02-28T10:00:00Z,9.99\r\n' +
			'short@example.com,1\r\n' +
			'i@example.com,1.5,,,,,\r\n' +
			'f@example.com,,abc,,,,\r\n' +
			'b@example.com,,,maybe,,,\r\n' +
			'd@example.com,,,,2026-02-30,,\r\n' +
			'dt@example.com,,,,,yesterday,\r\n' +
			'c@example.com,,,,,,$5\r\n';
		const created = await upload('/bulk/v1/leads.json', token, {}, { content: file });
		const batchId = result(created)[0].batchId as number;
		const done = await waitForStatus(`/bulk/v1/leads/batch/${batchId}.json`, token, 'Complete');
		expect(done).toMatchObject({ numOfLeadsProcessed: 1, numOfRowsFailed: 7 });
		const reasons = Papa.parse<string[]>((await api(`/bulk/v1/leads/batch/${batchId}/failures.json`, token)).text, { skipEmptyLines: true })
			.data.slice(1)
			.map((r) => r[r.length - 1]);
		expect(reasons).toEqual([
			'Invalid number of columns',
			'Invalid data type in field Custom Int',
			'Invalid data type in field Custom Float',
			'Invalid data type in field Custom Bool',
			'Invalid data type in field Custom Date',
			'Invalid data type in field Custom Date Time',
			'Invalid data type in field Custom Currency',
		]);
		expect(emu.leads().find((l) => l.email === 'ok@example.com')).toMatchObject({ customInt: 1, customFloat: 2.5, customBool: true });
	});

	it('answers 1016 once 10 imports are queued or importing', async () => {
		await start({ queuedMinMs: 60_000, importMinMs: 10_000 });
		const token = await getToken();
		for (let i = 0; i < 10; i++) {
			expect(result(await upload('/bulk/v1/leads.json', token, {}, { content: `email\r\nq${i}@example.com\r\n` }))[0].status).toBe('Queued');
		}
		const full = await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\nx@example.com\r\n' });
		expect(full.json).toMatchObject({
			success: false,
			errors: [{ code: '1016', message: 'There are 10 imports currently being processed. Please try again later' }],
		});
		// FIFO: two import at a time once their queued time has passed.
		emu.advanceClock(60_000);
		expect(emu.jobs().map((j) => j.status).slice(0, 3)).toEqual(['Importing', 'Importing', 'Queued']);
		emu.advanceClock(10_000);
		expect(emu.jobs().map((j) => j.status).slice(0, 5)).toEqual(['Complete', 'Complete', 'Importing', 'Importing', 'Queued']);
		expect((await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\nx@example.com\r\n' })).json.success).toBe(true);
	});

	it('answers HTTP 413 over the bulk body limit', async () => {
		await start();
		const token = await getToken();
		const big = 'email\r\n' + 'x'.repeat(10 * 1024 * 1024) + '@example.com\r\n';
		const r = await upload('/bulk/v1/leads.json', token, {}, { content: big });
		expect(r.status).toBe(413);
		expect(emu.jobs()).toHaveLength(0);
		emu.configure({ maxBulkBodyBytes: 400 });
		expect((await upload('/bulk/v1/leads.json', token, {}, { content: `email\r\n${'a'.repeat(300)}@example.com\r\n` })).status).toBe(413);
	});

	it('reports status errors for bad and unknown batch ids', async () => {
		await start();
		const token = await getToken();
		expect(errMessage(await api('/bulk/v1/leads/batch/abc.json', token))).toBe("Invalid value 'abc'. Required of type 'Integer'");
		expect((await api('/bulk/v1/leads/batch/4242.json', token)).json).toMatchObject({ success: false, errors: [{ code: '1013', message: 'Object not found' }] });
		expect(errCode(await api('/bulk/v1/leads/batch/4242/failures.json', token))).toBe('1013');
		emu.configure({ unknownBatch: { code: '1004', message: 'Batch not found' } });
		expect(errCode(await api('/bulk/v1/leads/batch/4242.json', token))).toBe('1004');
	});

	it('shuffles report rows and drops an empty trailing lookup column on request', async () => {
		await start({ teknklQuirk: true });
		const token = await getToken();
		const created = await upload('/bulk/v1/leads.json', token, {}, { content: 'firstName,lastName,phone,email\r\nBenji,Nordstrom,212-555-2323,\r\n' });
		const batchId = result(created)[0].batchId as number;
		await waitForStatus(`/bulk/v1/leads/batch/${batchId}.json`, token, 'Complete');
		expect((await api(`/bulk/v1/leads/batch/${batchId}/failures.json`, token)).text).toBe(
			"firstName,lastName,phone,Import Failure Reason\r\nBenji,Nordstrom,212-555-2323,Value for lookup field 'email' not found\r\n",
		);

		emu.configure({ teknklQuirk: false, shuffleFailureRows: true });
		const rows = Array.from({ length: 40 }, (_, i) => `,Row${i},1,\r\n`).join('');
		const many = await upload('/bulk/v1/leads.json', token, {}, { content: `firstName,lastName,phone,email\r\n${rows}` });
		const id = result(many)[0].batchId as number;
		await waitForStatus(`/bulk/v1/leads/batch/${id}.json`, token, 'Complete');
		const names = Papa.parse<string[]>((await api(`/bulk/v1/leads/batch/${id}/failures.json`, token)).text, { skipEmptyLines: true })
			.data.slice(1)
			.map((r) => r[1]);
		expect([...names].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `Row${i}`).sort());
		expect(names).not.toEqual(Array.from({ length: 40 }, (_, i) => `Row${i}`));
	});
});

describe('limits and faults', () => {
	it('limits the rate (606), not counting 601/602', async () => {
		await start({ rateLimit: 5 });
		const token = await getToken();
		for (let i = 0; i < 3; i++) expect(errCode(await api('/rest/v1/leads/describe.json', 'bad:int'))).toBe('601');
		for (let i = 0; i < 5; i++) expect((await api('/rest/v1/leads/partitions.json', token)).json.success).toBe(true);
		const limited = await api('/rest/v1/leads/partitions.json', token);
		expect(limited.json).toMatchObject({ success: false, errors: [{ code: '606', message: "Max rate limit '5' exceeded with in '20' secs" }] });
		emu.advanceClock(20_001);
		expect((await api('/rest/v1/leads/partitions.json', token)).json.success).toBe(true);
	});

	it('limits concurrency (615) and the daily quota (607)', async () => {
		await start({ maxConcurrent: 3, latencyMs: 150 });
		const token = await getToken();
		const all = await Promise.all(Array.from({ length: 5 }, () => api('/rest/v1/leads/partitions.json', token)));
		const codes = all.map(errCode);
		expect(codes.filter((c) => c === '615')).toHaveLength(2);
		expect(all.find((r) => errCode(r) === '615')?.json.errors).toEqual([{ code: '615', message: "Concurrent access limit '3' reached" }]);

		emu.configure({ latencyMs: 0, dailyQuota: 4 });
		emu.resetQuota();
		for (let i = 0; i < 4; i++) expect((await api('/rest/v1/leads/partitions.json', token)).json.success).toBe(true);
		expect((await api('/rest/v1/leads/partitions.json', token)).json).toMatchObject({ errors: [{ code: '607', message: 'Daily quota reached' }] });
	});

	it('injects faults in order, by path or RegExp', async () => {
		await start();
		const token = await getToken();
		emu.injectFault({ path: '/rest/v1/leads/partitions.json', response: '608' });
		emu.injectFault({ path: '/rest/v1/leads/partitions.json', response: 'pass' });
		emu.injectFault({ path: '/rest/v1/leads/partitions.json', response: '502' });
		emu.injectFault({ path: /^\/rest\/v1\/leads\/describe2?\.json$/, response: 'reset', count: 2 });
		emu.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '1016' });
		expect((await api('/rest/v1/leads/partitions.json', token)).json).toMatchObject({ errors: [{ code: '608', message: 'API Temporarily Unavailable' }] });
		expect((await api('/rest/v1/leads/partitions.json', token)).json.success).toBe(true);
		expect((await api('/rest/v1/leads/partitions.json', token)).status).toBe(502);
		expect((await api('/rest/v1/leads/partitions.json', token)).json.success).toBe(true);
		await expect(api('/rest/v1/leads/describe.json', token)).rejects.toThrow();
		await expect(api('/rest/v1/leads/describe2.json', token)).rejects.toThrow();
		expect((await api('/rest/v1/leads/describe.json', token)).json.success).toBe(true);
		const queued = await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\na@example.com\r\n' });
		expect(errMessage(queued)).toBe('There are 10 imports currently being processed. Please try again later');
		expect(emu.requests().filter((r) => r.status === 0)).toHaveLength(2);
	});

	it('fails the next job on request', async () => {
		await start();
		const token = await getToken();
		emu.failNextJob('corrupted file');
		const created = await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\na@example.com\r\n' });
		const batchId = result(created)[0].batchId as number;
		const failed = await waitForStatus(`/bulk/v1/leads/batch/${batchId}.json`, token, 'Failed');
		expect(failed).toMatchObject({ numOfLeadsProcessed: 0, numOfRowsFailed: 0, message: 'Import failed: corrupted file' });
		expect((await api(`/bulk/v1/leads/batch/${batchId}/failures.json`, token)).status).toBe(404);
		// An unterminated quote fails the job too.
		const broken = await upload('/bulk/v1/leads.json', token, {}, { content: 'email,firstName\r\na@example.com,"Ada\r\n' });
		const st = await waitForStatus(`/bulk/v1/leads/batch/${result(broken)[0].batchId}.json`, token, 'Failed');
		expect(st.message).toMatch(/^Import failed: /);
	});

	it("a fault 'before' (the default) replaces the upload: no batch is created", async () => {
		await start();
		const token = await getToken();
		emu.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '502' });
		emu.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '611', when: 'before' });
		expect((await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\na@example.com\r\n' })).status).toBe(502);
		expect(errCode(await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\nb@example.com\r\n' }))).toBe('611');
		expect(emu.jobs()).toHaveLength(0);
		expect(emu.creates()).toEqual([
			expect.objectContaining({ seq: 1, batchId: undefined, status: 502, fault: { response: '502', when: 'before' }, answerLost: false, rows: [['a@example.com']] }),
			expect.objectContaining({ seq: 2, batchId: undefined, status: 200, code: '611', answerLost: false, rows: [['b@example.com']] }),
		]);
	});

	it.each([
		['502', (r: Res) => expect(r.status).toBe(502)],
		['503', (r: Res) => expect(r.status).toBe(503)],
		['611', (r: Res) => expect(errCode(r)).toBe('611')],
		['604', (r: Res) => expect(errCode(r)).toBe('604')],
	])("a fault %s 'after' lets the upload create and queue its batch, then loses the answer", async (response, check) => {
		await start();
		const token = await getToken();
		emu.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response, when: 'after' });
		const lost = await upload('/bulk/v1/leads.json', token, { format: 'ssv' }, { content: 'email;firstName\r\nlost@example.com;"Lo;st"\r\n' });
		check(lost);
		expect(lost.text).not.toMatch(/batchId/);
		const [job] = emu.jobs();
		expect(job).toMatchObject({ status: 'Queued', dataRows: 1 });
		await waitForStatus(`/bulk/v1/leads/batch/${job.batchId}.json`, token, 'Complete');
		expect(emu.leads().find((l) => l.email === 'lost@example.com')?.firstName).toBe('Lo;st');
		expect(emu.creates()).toEqual([
			expect.objectContaining({
				batchId: job.batchId,
				fault: { response, when: 'after' },
				answerLost: true,
				header: ['email', 'firstName'],
				rows: [['lost@example.com', 'Lo;st']],
			}),
		]);
		// The next upload is answered normally.
		const next = await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\nnext@example.com\r\n' });
		expect(result(next)[0].batchId).toBe(job.batchId + 1);
		expect(emu.creates()[1]).toMatchObject({ batchId: job.batchId + 1, answerLost: false, fault: undefined });
	});

	it("a reset 'after' destroys the socket once the batch exists", async () => {
		await start();
		const token = await getToken();
		emu.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: 'reset', when: 'after' });
		await expect(upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\nr@example.com\r\n' })).rejects.toThrow();
		expect(emu.jobs()).toHaveLength(1);
		expect(emu.creates()[0]).toMatchObject({ status: 0, batchId: emu.jobs()[0].batchId, answerLost: true });
		expect(emu.requests().at(-1)).toMatchObject({ path: '/bulk/v1/leads.json', status: 0 });
	});

	it("a fault 'after' on a read or a token request is processed, then its answer lost", async () => {
		await start();
		emu.injectFault({ path: '/identity/oauth/token', response: '503', when: 'after' });
		expect((await call(`${emu.url}/identity/oauth/token?grant_type=client_credentials&client_id=test-client&client_secret=test-secret`)).status).toBe(503);
		// The token was minted: asking again hands back the same one.
		expect(emu.tokenIssues()).toBe(1);
		const token = await getToken();
		expect(emu.tokenIssues()).toBe(1);
		const created = await upload('/bulk/v1/leads.json', token, {}, { content: 'email,leadScore\r\nok@example.com,1\r\nbad@example.com,x\r\n' });
		const batchId = result(created)[0].batchId as number;
		await waitForStatus(`/bulk/v1/leads/batch/${batchId}.json`, token, 'Complete');
		emu.injectFault({ path: `/bulk/v1/leads/batch/${batchId}/failures.json`, response: 'reset', when: 'after' });
		await expect(api(`/bulk/v1/leads/batch/${batchId}/failures.json`, token)).rejects.toThrow();
		expect((await api(`/bulk/v1/leads/batch/${batchId}/failures.json`, token)).text).toMatch(/bad@example\.com/);
	});

	it('lists every create call, refused ones included, and the rows of each job; reset clears them', async () => {
		await start();
		const token = await getToken();
		emu.injectFault({ path: '/bulk/v1/leads.json', method: 'POST', response: '1016' });
		await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\nq@example.com\r\n' });
		// A BOM: Marketo refuses the first column (1006); the log reads the header without it.
		await upload('/bulk/v1/leads.json', token, {}, { content: '\uFEFFemail,nope\r\nn@example.com,1\r\n' });
		await upload('/bulk/v1/leads.json', token, { format: 'tsv' }, { content: 'email\tfirstName\r\nt@example.com\t"Multi\nLine"\r\n' });
		const creates = emu.creates();
		expect(creates.map((c) => [c.seq, c.code, c.batchId])).toEqual([
			[1, '1016', undefined],
			[2, '1006', undefined],
			[3, undefined, emu.jobs()[0].batchId],
		]);
		expect(creates[1]).toMatchObject({ header: ['email', 'nope'], rows: [['n@example.com', '1']] });
		expect(emu.jobRows(emu.jobs()[0].batchId)).toEqual({ header: ['email', 'firstName'], rows: [['t@example.com', 'Multi\nLine']] });
		expect(emu.jobRows(99999)).toBeUndefined();
		const overHttp = (await call(`${emu.url}/__emulator/creates`)).json as unknown as Array<Record<string, unknown>>;
		expect(overHttp.map((c) => c.code)).toEqual(['1016', '1006', undefined]);
		emu.reset();
		expect(emu.creates()).toEqual([]);
	});

	it("takes 'when' through the faults hook", async () => {
		await start();
		const token = await getToken();
		await call(`${emu.url}/__emulator/faults`, {
			method: 'POST',
			body: JSON.stringify({ path: '/bulk/v1/leads.json', method: 'POST', response: '500', when: 'after' }),
		});
		expect(emu.stats()).toBeDefined();
		expect((await call(`${emu.url}/__emulator/faults`)).json).toEqual([
			{ path: '/bulk/v1/leads.json', method: 'POST', response: '500', remaining: 1, when: 'after' },
		]);
		expect((await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\nh@example.com\r\n' })).status).toBe(500);
		expect(emu.jobs()).toHaveLength(1);
	});
});

describe('custom objects and program members', () => {
	it('imports custom objects with dedupe and type checks', async () => {
		await start();
		const token = await getToken();
		const file = 'vin,make,model,year,unknownColumn\r\nVIN1,bmw,2002,1972,x\r\n,audi,a4,2001,y\r\nVIN3,vw,golf,notayear,z\r\n';
		expect(errCode(await upload('/bulk/v1/customobjects/boat_c/import.json', token, { format: 'csv' }, { content: file }))).toBe('1013');
		const created = await upload('/bulk/v1/customobjects/CAR_C/import.json', token, { format: 'csv' }, { content: file });
		expect(result(created)[0]).toEqual({ batchId: 1001, status: 'Queued', objectApiName: 'car_c' });
		const done = await waitForStatus('/bulk/v1/customobjects/car_c/import/1001/status.json', token, 'Complete');
		expect(done).toEqual({
			batchId: 1001,
			operation: 'import',
			status: 'Complete',
			objectApiName: 'car_c',
			numOfObjectsProcessed: 1,
			numOfRowsFailed: 2,
			numOfRowsWithWarning: 0,
			importTime: expect.stringMatching(/^\d+ second\(s\)$/),
			message: 'Import completed with errors, 1 records imported (1 members), 2 failed',
		});
		const failures = await api('/bulk/v1/customobjects/car_c/import/1001/failures.json', token);
		expect(failures.text).toBe(
			'vin,make,model,year,unknownColumn,Import Failure Reason\r\n,audi,a4,2001,y,missing.dedupe.fields\r\nVIN3,vw,golf,notayear,z,Invalid data type in field Year\r\n',
		);
		expect((await api('/bulk/v1/customobjects/car_c/import/1001/warnings.json', token)).status).toBe(404);
		expect(errCode(await api('/bulk/v1/leads/batch/1001.json', token))).toBe('1013');
		expect(emu.customObjectRecords('car_c').map((r) => r.fields)).toEqual([{ vin: 'VIN1', make: 'bmw', model: '2002', year: 1972 }]);
		expect(emu.jobs()[0]).toMatchObject({ kind: 'customObject', objectApiName: 'car_c' });
	});

	it('imports program members and validates program and status', async () => {
		await start();
		const token = await getToken();
		const file = { content: 'email,firstName,pmNotes\r\nnew@example.com,New,hello\r\nbad-email,Bad,x\r\n,Nobody,y\r\n' };
		expect(errCode(await upload('/bulk/v1/program/abc/members/import.json?format=csv&programMemberStatus=Registered', token, {}, file))).toBe('1001');
		expect(errCode(await upload('/bulk/v1/program/9/members/import.json?format=csv&programMemberStatus=Registered', token, {}, file))).toBe('1013');
		expect(errMessage(await upload('/bulk/v1/program/2001/members/import.json?format=csv', token, {}, file))).toBe(
			"Missing value for the required parameter 'programMemberStatus'",
		);
		expect(errMessage(await upload('/bulk/v1/program/2001/members/import.json?format=csv&programMemberStatus=Dancing', token, {}, file))).toBe(
			'Program status not found',
		);
		expect(errCode(await upload('/bulk/v1/program/2001/members/import.json?format=csv&programMemberStatus=Registered', token, {}, { content: 'firstName\r\nA\r\n' }))).toBe('1006');

		const created = await upload('/bulk/v1/program/2001/members/import.json', token, { format: 'CSV', programMemberStatus: 'Registered' }, file);
		const [job] = result(created);
		expect(job).toEqual({ batchId: job.batchId, importId: String(job.batchId), status: 'Queued' });
		const done = await waitForStatus(`/bulk/v1/program/members/import/${job.batchId}/status.json`, token, 'Complete');
		expect(done).toMatchObject({ numOfLeadsProcessed: 2, numOfRowsFailed: 1, numOfRowsWithWarning: 1 });
		const warnings = await api(`/bulk/v1/program/members/import/${job.batchId}/warnings.json`, token);
		expect(warnings.text).toBe('email,firstName,pmNotes,Import Warning Reason\r\nbad-email,Bad,x,Invalid email address\r\n');
		const members = emu.programMembers(2001);
		expect(members).toHaveLength(2);
		expect(members[0]).toMatchObject({ progressionStatus: 'Registered', fields: { pmNotes: 'hello' } });
		expect(emu.leads().some((l) => l.email === 'new@example.com')).toBe(true);
	});
});

describe('metadata endpoints', () => {
	it('describes leads, partitions, custom objects and program members', async () => {
		await start();
		const token = await getToken();
		const d = result(await api('/rest/v1/leads/describe.json', token));
		expect(d.find((f) => (f.rest as { name: string }).name === 'email')).toEqual({
			id: 56,
			displayName: 'Email Address',
			dataType: 'email',
			length: 255,
			rest: { name: 'email', readOnly: false },
			soap: { name: 'Email', readOnly: false },
		});
		expect(d.find((f) => (f.rest as { name: string }).name === 'createdAt')?.rest).toEqual({ name: 'createdAt', readOnly: true });
		const d2 = result(await api('/rest/v1/leads/describe2.json', token))[0];
		expect(d2.name).toBe('API Lead');
		expect(d2.searchableFields).toEqual(expect.arrayContaining([['email'], ['id']]));
		expect((d2.fields as Record<string, unknown>[]).find((f) => f.name === 'leadScore')).toEqual({
			name: 'leadScore',
			displayName: 'Lead Score',
			dataType: 'integer',
			updateable: true,
			crmManaged: false,
		});
		expect(result(await api('/rest/v1/leads/partitions.json', token))).toEqual([{ id: 1, name: 'Default', description: 'Initial system lead partition' }]);
		expect(result(await api('/rest/v1/customobjects.json', token))[0]).toMatchObject({ name: 'car_c', idField: 'marketoGUID', dedupeFields: ['vin'] });
		const car = result(await api('/rest/v1/customobjects/car_c/describe.json', token))[0];
		expect((car.fields as { name: string }[]).map((f) => f.name)).toContain('vin');
		const pm = result(await api('/rest/v1/programs/members/describe.json', token))[0];
		expect(pm).toMatchObject({ name: 'API Program Membership', dedupeFields: ['leadId', 'programId'] });
		const programs = await api('/rest/asset/v1/programs.json', token);
		expect(result(programs).map((p) => p.name)).toEqual(['Spring Webinar 2026', 'Monthly Newsletter']);
		const channels = result(await api('/rest/asset/v1/channels.json', token));
		expect((channels.find((c) => c.name === 'Webinar')?.progressionStatuses as { name: string }[]).map((s) => s.name)).toContain('Registered');
	});

	it('describes a custom object and program members in the reference\'s shapes (§4), on both program member paths', async () => {
		await start();
		const token = await getToken();
		const car = result(await api('/rest/v1/customobjects/CAR_C/describe.json', token))[0];
		expect(car).toMatchObject({
			name: 'car_c',
			idField: 'marketoGUID',
			dedupeFields: ['vin'],
			searchableFields: expect.arrayContaining([['vin']]),
			relationships: [{ field: 'customerEmail', type: 'child', relatedTo: { name: 'Lead', field: 'email' } }],
		});
		const carFields = car.fields as Record<string, unknown>[];
		expect(carFields.find((f) => f.name === 'vin')).toEqual({ name: 'vin', displayName: 'VIN', dataType: 'string', length: 17, updateable: true });
		expect(carFields.find((f) => f.name === 'year')).toEqual({ name: 'year', displayName: 'Year', dataType: 'integer', updateable: true });
		expect(carFields.find((f) => f.name === 'marketoGUID')?.updateable).toBe(false);
		expect(errCode(await api('/rest/v1/customobjects/boat_c/describe.json', token))).toBe('1013');

		const pm = result(await api('/rest/v1/programs/members/describe.json', token))[0];
		expect(pm).toMatchObject({ name: 'API Program Membership', dedupeFields: ['leadId', 'programId'], searchableFields: expect.arrayContaining([['leadId']]) });
		const pmFields = pm.fields as Record<string, unknown>[];
		expect(pmFields.find((f) => f.name === 'membershipDate')).toEqual({
			name: 'membershipDate',
			displayName: 'membershipDate',
			dataType: 'datetime',
			updateable: false,
			crmManaged: false,
		});
		expect(pmFields.find((f) => f.name === 'pmScore')).toMatchObject({ dataType: 'integer', updateable: true });
		// The superseded path answers the same.
		expect(result(await api('/rest/v1/program/members/describe.json', token))[0].fields).toEqual(pm.fields);
	});

	it('pages static lists with nextPageToken and offset/maxReturn', async () => {
		await start();
		const token = await getToken();
		const page1 = await api('/rest/v1/lists.json?batchSize=2', token);
		expect(result(page1).map((l) => l.id)).toEqual([1001, 1002]);
		expect(typeof page1.json.nextPageToken).toBe('string');
		const page2 = await api(`/rest/v1/lists.json?batchSize=2&nextPageToken=${encodeURIComponent(page1.json.nextPageToken as string)}`, token);
		expect(result(page2).map((l) => l.id)).toEqual([1003]);
		expect(page2.json.nextPageToken).toBeUndefined();
		expect(result(await api('/rest/v1/lists.json?name=Trade%20Show%20Leads', token))).toEqual([
			{ id: 1003, name: 'Trade Show Leads', workspaceName: 'Default', createdAt: '2026-01-15T10:00:00Z', updatedAt: '2026-01-15T10:00:00Z' },
		]);

		const a1 = await api('/rest/asset/v1/staticLists.json?maxReturn=2', token);
		expect(a1.json).toMatchObject({ success: true, errors: [], warnings: [] });
		expect(result(a1).map((l) => l.id)).toEqual([1001, 1002]);
		expect(result(await api('/rest/asset/v1/staticLists.json?maxReturn=2&offset=2', token)).map((l) => l.id)).toEqual([1003]);
		const none = await api('/rest/asset/v1/staticLists.json?offset=3', token);
		expect(none.json).toEqual({
			requestId: expect.any(String),
			success: true,
			errors: [],
			warnings: ['No assets found for the given search criteria.'],
		});
		expect(result(await api('/rest/asset/v1/staticList/1002.json', token))[0]).toMatchObject({ id: 1002, name: 'Webinar Attendees', folder: { id: 2001, type: 'Program' } });
		expect(result(await api('/rest/asset/v1/staticList/7.json', token))).toBeUndefined();
		const byEmail = result(await api('/rest/v1/leads.json?filterType=email&filterValues=ada@example.com,nobody@example.com', token));
		expect(byEmail).toEqual([expect.objectContaining({ email: 'ada@example.com', firstName: 'Ada' })]);
	});
});

describe('out-of-process control', () => {
	it('exposes the hooks over HTTP under /__emulator/', async () => {
		await start();
		const hook = async (p: string, body?: unknown): Promise<Res> =>
			await call(`${emu.url}/__emulator/${p}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
		await hook('configure', { queuedMinMs: 0, importMinMs: 0 });
		expect(emu.options.queuedMinMs).toBe(0);
		await hook('faults', { path: '/bulk/v1/leads/batch/\\d+\\.json', regex: true, response: '604', count: 1 });
		await hook('fail-next-job', { message: 'nope' });
		const token = await getToken();
		const created = await upload('/bulk/v1/leads.json', token, {}, { content: 'email\r\nh@example.com\r\n' });
		const batchId = result(created)[0].batchId as number;
		expect(errCode(await api(`/bulk/v1/leads/batch/${batchId}.json`, token))).toBe('604');
		const jobs = (await call(`${emu.url}/__emulator/jobs`)).json as unknown as Record<string, unknown>[];
		expect(jobs[0]).toMatchObject({ batchId, status: 'Failed', message: 'Import failed: nope', fileText: 'email\r\nh@example.com\r\n' });
		expect(Buffer.from(jobs[0].file as string, 'base64').toString('utf8')).toBe('email\r\nh@example.com\r\n');
		await hook('tokens/expire', {});
		expect(errCode(await api('/rest/v1/leads/describe.json', token))).toBe('602');
		const reqs = (await call(`${emu.url}/__emulator/requests`)).json as unknown as { code?: string }[];
		expect(reqs.map((r) => r.code)).toEqual(expect.arrayContaining(['604', '602']));
		expect(((await call(`${emu.url}/__emulator/leads`)).json as unknown as unknown[]).length).toBe(3);
		await hook('reset', {});
		expect(emu.jobs()).toHaveLength(0);
		expect(emu.options.queuedMinMs).toBe(FAST.queuedMinMs);
		expect(emu.requests()).toHaveLength(0);
		expect(errCode(await api('/rest/v1/leads/describe.json', token))).toBe('601');
	});

	it('runs standalone from the CLI', async () => {
		await start();
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions
		const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'emulator', 'cli.ts'), '--port', '0', '--sandbox'], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		try {
			const line = await new Promise<string>((resolve, reject) => {
				let out = '';
				child.stdout.on('data', (c: Buffer) => {
					out += c.toString('utf8');
					if (out.includes('\n')) resolve(out.split('\n')[0]);
				});
				child.on('exit', (code) => reject(new Error(`cli exited with ${code}`)));
			});
			const { url } = JSON.parse(line) as { url: string };
			expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
			const r = await call(`${url}/identity/oauth/token?grant_type=client_credentials&client_id=test-client&client_secret=test-secret`);
			expect(r.json.expires_in).toBe(3599);
			const lists = await call(`${url}/rest/v1/lists.json`, { headers: { Authorization: `Bearer ${r.json.access_token as string}` } });
			expect(result(lists)).toHaveLength(3);
		} finally {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await exited;
		}
	}, 20_000);
});
