#!/usr/bin/env node
/**
 * n8n's verification scan (@n8n/scan-community-package), run offline on what n8n would scan:
 *  - the source tree: package.json and nodes/, credentials/ sources, with the rules n8n applies
 *    to the source a published version's provenance points at;
 *  - the packed package: `npm pack` into a temporary folder, extracted, its .js files and
 *    package.json linted as n8n lints the tarball (inline eslint comments ignored).
 * The scanner's own entry point downloads the published package and checks its provenance;
 * here only its analysis of a local folder (analyzePackage) is used, so nothing is downloaded.
 * Prints every finding and exits 1 on any. Needs a build first (npm run build).
 *
 * Usage:
 *   node scripts/release/scan.mjs                          source tree + packed package
 *   node scripts/release/scan.mjs --dir <folder> --as source|packed
 *                                                          one folder, as that leg
 *   node scripts/release/scan.mjs --published <name@version>
 *                                                          n8n's full online scan of a published
 *                                                          version (provenance, attested source,
 *                                                          tarball); used by publish.yml
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// As in the scanner's own registry scan: sources get the full rule set, the tarball its .js
// files and package.json (.d.ts would only trip the file-name rules written for sources).
const PACKED_FILE_PATTERNS = ['**/*.js', 'package.json'];

class ScanStopped extends Error {}

/** Stops the scan with a message (the temporary folder is still removed). */
function fail(message) {
	throw new ScanStopped(message);
}

function run(command, args, options) {
	const result = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (result.status !== 0) {
		fail(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stderr || result.stdout}`);
	}
	return result.stdout;
}

/** The scanner module. It makes a temporary folder when loaded: made inside ours, removed with it. */
async function loadScanner(workDir) {
	const previous = process.env.TMPDIR;
	process.env.TMPDIR = workDir;
	try {
		return await import('@n8n/scan-community-package/scanner/scanner.mjs');
	} finally {
		if (previous === undefined) delete process.env.TMPDIR;
		else process.env.TMPDIR = previous;
	}
}

/** Packs the package as npm publish would, and extracts it into <workDir>/package. */
function packAndExtract(workDir) {
	const packed = JSON.parse(
		run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], { cwd: ROOT }),
	);
	const tarball = path.join(workDir, packed[0].filename);
	const packageDir = path.join(workDir, 'package');
	fs.mkdirSync(packageDir);
	run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
	return { packageDir, files: packed[0].files.length };
}

/** Runs one leg; prints its findings. Returns whether it passed. */
async function scanLeg(scanner, label, folder, patterns) {
	const result = await scanner.analyzePackage(folder, patterns);
	if (result.passed && result.message === 'No files found to analyze') {
		// An empty leg would pass without having looked at anything.
		console.log(`✗ ${label}: no files matched ${patterns.join(', ')} in ${folder}`);
		return false;
	}
	if (result.passed) {
		console.log(`✓ ${label}: no findings`);
		return true;
	}
	console.log(`✗ ${label}: ${result.message}`);
	if (result.details) console.log(result.details);
	return false;
}

async function main(argv) {
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'marketo-bulk-scan-'));
	try {
		const scanner = await loadScanner(workDir);
		const sourcePatterns = scanner.SOURCE_FILE_PATTERNS;

		if (argv[0] === '--published') {
			if (!argv[1]) fail('Usage: scan.mjs --published <name@version>');
			const { packageName, version } = scanner.resolvePackage(argv[1]);
			const result = await scanner.analyzePackageByName(packageName, version);
			if (!result.passed) {
				console.log(`✗ ${packageName}@${result.version}: ${result.message}`);
				if (result.details) console.log(result.details);
				return 1;
			}
			console.log(`✓ ${packageName}@${result.version} passed n8n's verification scan`);
			return 0;
		}

		if (argv[0] === '--dir') {
			const as = argv[2] === '--as' ? argv[3] : undefined;
			if (!argv[1] || (as !== 'source' && as !== 'packed')) {
				fail('Usage: scan.mjs --dir <folder> --as source|packed');
			}
			const patterns = as === 'source' ? sourcePatterns : PACKED_FILE_PATTERNS;
			return (await scanLeg(scanner, `${as} ${argv[1]}`, path.resolve(argv[1]), patterns)) ? 0 : 1;
		}
		if (argv.length > 0) fail(`Unknown arguments: ${argv.join(' ')} (see the usage at the top of this script)`);

		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
		const missing = [...pkg.n8n.nodes, ...pkg.n8n.credentials].filter(
			(entry) => !fs.existsSync(path.join(ROOT, entry)),
		);
		if (missing.length > 0) fail(`Not built (missing ${missing.join(', ')}): run npm run build first.`);

		const sourceOk = await scanLeg(scanner, 'source tree (package.json, nodes/, credentials/)', ROOT, sourcePatterns);
		const { packageDir, files } = packAndExtract(workDir);
		const packedOk = await scanLeg(
			scanner,
			`packed package (${pkg.name}@${pkg.version}, ${files} files)`,
			packageDir,
			PACKED_FILE_PATTERNS,
		);
		if (sourceOk && packedOk) {
			console.log("n8n's verification scan: clean");
			return 0;
		}
		console.log("n8n's verification scan: findings above (fix them in the code; the scan ignores eslint-disable comments)");
		return 1;
	} finally {
		fs.rmSync(workDir, { recursive: true, force: true });
	}
}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	if (!(error instanceof ScanStopped)) throw error;
	console.error(error.message);
	process.exitCode = 1;
}
