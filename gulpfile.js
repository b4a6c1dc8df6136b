/**
 * Runs after `n8n-node build` (tsc + icon copy). Its job: make sure `dist` holds every
 * asset the package needs at run time, and nothing else, and fail the build if one is missing.
 *  - removes what `n8n-node build` puts in `dist` that n8n never loads: it copies every
 *    png/svg of the repository (the README's docs/screenshots) and tsc copies package.json;
 *  - copies icons (`icons/**`) and codex files (`*.node.json`), so they do not depend on
 *    tsc's handling of JSON files;
 *  - checks that every `file:` icon referenced by a built node or credential exists in
 *    `dist` next to it, so a broken icon never reaches the n8n editor.
 */
const { src, dest, series } = require('gulp');
const fs = require('fs');
const path = require('path');

// What n8n loads from dist (package.json's n8n.nodes/credentials and their icons), plus tsc's
// incremental state, which package.json's `files` leaves out of the tarball.
const DIST_ENTRIES_KEPT = new Set(['nodes', 'credentials', 'icons', 'tsconfig.tsbuildinfo']);

function pruneDist(done) {
	for (const entry of fs.readdirSync('dist')) {
		if (DIST_ENTRIES_KEPT.has(entry)) continue;
		fs.rmSync(path.join('dist', entry), { recursive: true, force: true });
		console.log(`removed dist/${entry} (not part of the package)`);
	}
	done();
}

function copyIcons() {
	return src(['icons/**/*.{png,svg}'], { encoding: false }).pipe(dest('dist/icons'));
}

function copyCodex() {
	return src(['nodes/**/*.node.json', 'nodes/**/__schema__/**/*.json'], { base: '.' }).pipe(dest('dist'));
}

function checkAssets(done) {
	const pkg = require('./package.json');
	const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
	const missing = [];
	for (const entry of entries) {
		const file = path.resolve(entry);
		if (!fs.existsSync(file)) {
			missing.push(`${entry} (listed in package.json)`);
			continue;
		}
		// n8n resolves `file:` icons relative to the node or credential file.
		const code = fs.readFileSync(file, 'utf8');
		for (const match of code.matchAll(/['"]file:([^'"]+)['"]/g)) {
			const asset = path.resolve(path.dirname(file), match[1]);
			if (!fs.existsSync(asset)) missing.push(`${path.relative('.', asset)} (icon of ${entry})`);
		}
	}
	if (missing.length > 0) {
		done(new Error(`Missing from dist:\n  ${[...new Set(missing)].join('\n  ')}`));
		return;
	}
	done();
}

exports['build:assets'] = series(pruneDist, copyIcons, copyCodex, checkAssets);
exports.default = exports['build:assets'];
