/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions */
/**
 * scripts/release/scan.mjs runs n8n's verification scan (@n8n/scan-community-package's
 * analyzePackage) on a folder: it must pass a clean package, and fail, naming the rule, on
 * what n8n's scan refuses, even behind an eslint-disable comment (the scan ignores them).
 * `npm run scan` itself (the source tree and the packed package) runs in .ci/run.
 */
import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

const ROOT = join(__dirname, '..', '..');

function scan(folder: string, as: 'source' | 'packed') {
	const result = spawnSync(process.execPath, [join(ROOT, 'scripts/release/scan.mjs'), '--dir', folder, '--as', as], {
		cwd: ROOT,
		encoding: 'utf8',
	});
	return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A package folder holding this package's package.json and the given files. */
function packageFolder(files: Record<string, string>): string {
	const folder = mkdtempSync(join(tmpdir(), 'marketo-bulk-scan-test-'));
	copyFileSync(join(ROOT, 'package.json'), join(folder, 'package.json'));
	for (const [path, content] of Object.entries(files)) {
		mkdirSync(dirname(join(folder, path)), { recursive: true });
		writeFileSync(join(folder, path), content);
	}
	return folder;
}

describe('scan.mjs (n8n verification scan of a local folder)', () => {
	const folders: string[] = [];
	const folder = (files: Record<string, string>) => {
		const created = packageFolder(files);
		folders.push(created);
		return created;
	};
	afterAll(() => {
		for (const created of folders) rmSync(created, { recursive: true, force: true });
	});

	it('passes a packed package whose code uses nothing n8n refuses', () => {
		const result = scan(folder({ 'dist/nodes/Example/Example.node.js': '"use strict";\nexports.answer = 42;\n' }), 'packed');
		expect(result.output).toContain('no findings');
		expect(result.status).toBe(0);
	});

	it('fails a packed package using a timer and the environment behind eslint-disable comments, or a runtime dependency', () => {
		const code = [
			'"use strict";',
			'/* eslint-disable */',
			'setTimeout(() => {}, 1);',
			'exports.home = process.env.HOME;',
			'',
		].join('\n');
		const bad = folder({ 'dist/nodes/Example/Example.node.js': code });
		const pkg = JSON.parse(readFileSync(join(bad, 'package.json'), 'utf8'));
		writeFileSync(join(bad, 'package.json'), JSON.stringify({ ...pkg, dependencies: { papaparse: '5.7.1' } }, null, 2));
		const result = scan(bad, 'packed');
		expect(result.status).toBe(1);
		expect(result.output).toContain("restricted global 'setTimeout'");
		expect(result.output).toContain("restricted global 'process'");
		expect(result.output).toContain('@n8n/community-nodes/no-restricted-globals');
		expect(result.output).toContain('@n8n/community-nodes/no-runtime-dependencies');
	});

	it('scans sources in nodes/ with the source rules (a restricted import)', () => {
		const source = "import { readFileSync } from 'fs';\n\nexport const read = () => readFileSync('x');\n";
		const result = scan(folder({ 'nodes/Example/helpers.ts': source }), 'source');
		expect(result.status).toBe(1);
		expect(result.output).toContain('@n8n/community-nodes/no-restricted-imports');
	});

	it('fails a folder where it finds nothing to scan instead of passing it', () => {
		const empty = mkdtempSync(join(tmpdir(), 'marketo-bulk-scan-test-'));
		folders.push(empty);
		const result = scan(empty, 'packed');
		expect(result.status).toBe(1);
		expect(result.output).toContain('no files matched');
	});
});
