/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions */
/**
 * The tarball npm would publish from the current build: exactly the files n8n loads (built
 * nodes and credentials, codex, icons) plus package.json, README.md, LICENSE and CHANGELOG.md;
 * small; every path package.json gives n8n is in it; and it loads in plain Node with nothing
 * but its peer dependency n8n-workflow next to it.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative, sep } from 'path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	version: string;
	repository: { url: string };
	n8n: { nodes: string[]; credentials: string[] };
};

// Today about 75 KB packed and 300 KB unpacked. The README screenshots alone were ~700 KB
// and tsconfig.tsbuildinfo 240 KB: either leaking back in must fail.
const MAX_PACKED_BYTES = 150_000;
const MAX_UNPACKED_BYTES = 600_000;

interface PackResult {
	filename: string;
	size: number;
	unpackedSize: number;
	files: Array<{ path: string; size: number }>;
}

function npmPack(args: string[]): PackResult {
	const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', ...args], {
		cwd: ROOT,
		encoding: 'utf8',
		env: { ...process.env, npm_config_update_notifier: 'false' },
	});
	return (JSON.parse(out) as PackResult[])[0];
}

function walk(dir: string): string[] {
	if (!existsSync(join(ROOT, dir))) return [];
	return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
		.map((entry) => join(dir, entry).split(sep).join('/'))
		.filter((path) => statSync(join(ROOT, path)).isFile());
}

/** What the tarball must hold, derived from the sources, so adding a module needs no edit here. */
function expectedFiles(): string[] {
	const sources = [...walk('nodes'), ...walk('credentials')];
	const expected = [
		'package.json',
		'README.md',
		'LICENSE',
		'CHANGELOG.md',
		// Every TypeScript module compiles to one .js file n8n may require.
		...sources.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')).map((p) => `dist/${p.replace(/\.ts$/, '.js')}`),
		// Codex files and output schemas.
		...sources.filter((p) => p.endsWith('.json')).map((p) => `dist/${p}`),
		// Icons next to a node or credential, and the shared icons folder.
		...sources.filter((p) => /\.(svg|png)$/.test(p)).map((p) => `dist/${p}`),
		...walk('icons').filter((p) => /\.(svg|png)$/.test(p)).map((p) => `dist/${p}`),
	];
	return [...new Set(expected)].sort();
}

/** Fails with the command to run when dist is missing or older than a source file. */
function assertBuildIsCurrent() {
	const stale: string[] = [];
	for (const source of [...walk('nodes'), ...walk('credentials')].filter((p) => p.endsWith('.ts'))) {
		const built = join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
		if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, source)).mtimeMs) stale.push(source);
	}
	if (stale.length > 0) {
		throw new Error(
			`dist is missing or older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}: run npm run build first.`,
		);
	}
}

describe('packed package', () => {
	let dryRun: PackResult;
	let workDir: string;
	let packageDir: string;

	beforeAll(() => {
		assertBuildIsCurrent();
		dryRun = npmPack(['--dry-run']);
		workDir = mkdtempSync(join(tmpdir(), 'marketo-bulk-pack-'));
		const packed = npmPack(['--pack-destination', workDir]);
		packageDir = join(workDir, 'package');
		mkdirSync(packageDir);
		execFileSync('tar', ['-xzf', join(workDir, packed.filename), '-C', packageDir, '--strip-components=1']);
	});

	afterAll(() => {
		if (workDir) rmSync(workDir, { recursive: true, force: true });
	});

	it('holds exactly the built nodes and credentials, codex, icons, package.json, README, LICENSE and CHANGELOG', () => {
		const packedPaths = dryRun.files.map((file) => file.path).sort();
		expect(packedPaths).toEqual(expectedFiles());
	});

	it('ships no screenshots, source maps, declarations, build state, tests or sources', () => {
		const unwanted = dryRun.files
			.map((file) => file.path)
			.filter((path) => /^dist\/docs\/|\.png$|\.map$|\.d\.ts$|tsbuildinfo|^dist\/package\.json$|^test\/|^src\/|\.ts$/.test(path))
			// Icons may be png; only the screenshots are unwanted images.
			.filter((path) => !(path.startsWith('dist/icons/') || /^dist\/(nodes|credentials)\/.*\.png$/.test(path)));
		expect(unwanted).toEqual([]);
	});

	it('the tarball npm writes holds the same files as the dry run lists', () => {
		const extracted = readdirSync(packageDir, { recursive: true, encoding: 'utf8' })
			.map((entry) => entry.split(sep).join('/'))
			.filter((path) => statSync(join(packageDir, path)).isFile())
			.sort();
		expect(extracted).toEqual(dryRun.files.map((file) => file.path).sort());
	});

	it(`stays under ${MAX_PACKED_BYTES / 1000} KB packed and ${MAX_UNPACKED_BYTES / 1000} KB unpacked`, () => {
		expect(dryRun.size).toBeGreaterThan(0);
		expect(dryRun.size).toBeLessThanOrEqual(MAX_PACKED_BYTES);
		expect(dryRun.unpackedSize).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
	});

	it("holds every node and credential package.json lists for n8n, and every icon they name", () => {
		const packedPaths = new Set(dryRun.files.map((file) => file.path));
		const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		expect(entries.length).toBeGreaterThanOrEqual(2);
		expect(entries.filter((entry) => !packedPaths.has(entry))).toEqual([]);

		const missingIcons: string[] = [];
		for (const entry of entries) {
			const code = readFileSync(join(packageDir, entry), 'utf8');
			const icons = [...code.matchAll(/['"]file:([^'"]+)['"]/g)].map((match) => match[1]);
			expect(icons.length).toBeGreaterThan(0);
			for (const icon of icons) {
				const iconPath = relative(packageDir, join(packageDir, entry, '..', icon)).split(sep).join('/');
				if (!packedPaths.has(iconPath)) missingIcons.push(`${iconPath} (of ${entry})`);
			}
		}
		expect(missingIcons).toEqual([]);
	});

	it('loads in plain Node with only n8n-workflow installed, and requires nothing else', () => {
		// The peer dependency as n8n provides it; no other package is reachable from the folder.
		mkdirSync(join(workDir, 'node_modules'));
		symlinkSync(join(ROOT, 'node_modules', 'n8n-workflow'), join(workDir, 'node_modules', 'n8n-workflow'), 'dir');
		const probe = `
			const Module = require('module');
			const path = require('path');
			const packageDir = process.argv[1];
			const pkg = require(path.join(packageDir, 'package.json'));
			const requests = [];
			const load = Module._load;
			Module._load = function (request, parent, isMain) {
				if (parent && parent.filename.startsWith(packageDir + path.sep)) requests.push(request);
				return load.apply(this, arguments);
			};
			const instances = (entries) => entries.map((entry) => {
				const exported = require(path.join(packageDir, entry));
				return Object.values(exported).filter((value) => typeof value === 'function').map((Class) => new Class());
			}).flat();
			const nodes = instances(pkg.n8n.nodes).map((node) => ({
				name: node.description.name,
				credentials: (node.description.credentials || []).map((credential) => credential.name),
				properties: node.description.properties.length,
				execute: typeof node.execute,
			}));
			const credentials = instances(pkg.n8n.credentials).map((credential) => ({
				name: credential.name,
				properties: credential.properties.length,
			}));
			const foreign = [...new Set(requests)].filter(
				(request) => !request.startsWith('.') && request !== 'n8n-workflow' && !Module.isBuiltin(request),
			);
			process.stdout.write(JSON.stringify({ nodes, credentials, foreign }));
		`;
		const out = execFileSync(process.execPath, ['-e', probe, packageDir], {
			cwd: workDir,
			encoding: 'utf8',
			env: { PATH: process.env.PATH ?? '', NODE_PATH: '' },
		});
		const loaded = JSON.parse(out) as {
			nodes: Array<{ name: string; credentials: string[]; properties: number; execute: string }>;
			credentials: Array<{ name: string; properties: number }>;
			foreign: string[];
		};

		expect(loaded.foreign).toEqual([]);
		expect(loaded.nodes).toEqual([
			{ name: 'marketoBulkImport', credentials: ['marketoApi'], properties: expect.any(Number), execute: 'function' },
		]);
		expect(loaded.nodes[0].properties).toBeGreaterThan(5);
		expect(loaded.credentials).toEqual([{ name: 'marketoApi', properties: expect.any(Number) }]);
		expect(loaded.credentials[0].properties).toBeGreaterThan(2);
	});
});

describe('README on npm', () => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const images = [
		...[...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((match) => match[1]),
		...[...readme.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1]),
	];

	it('takes its images from the repository, which npm renders from the GitHub repository field', () => {
		// npm rewrites a relative image path to raw.githubusercontent.com/<owner>/<repo>/HEAD/<path>
		// when package.json's repository is on GitHub and the README is at the repository's root.
		expect(pkg.repository.url).toMatch(/^(git\+)?https:\/\/github\.com\/[^/]+\/[^/]+?(\.git)?$/);
		expect(images.length).toBeGreaterThan(0);
		const tracked = new Set(
			execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean),
		);
		const unresolved = images.filter(
			(image) => !/^https:\/\//.test(image) && !(!image.startsWith('/') && tracked.has(image.replace(/^\.\//, ''))),
		);
		expect(unresolved).toEqual([]);
	});
});
