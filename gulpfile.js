/**
 * Runs after `n8n-node build` (tsc + icon copy). Its job: make sure `dist` holds every
 * asset the package needs at run time, and fail the build if one is missing.
 *  - copies icons (`icons/**`) and codex files (`*.node.json`), so they do not depend on
 *    tsc's handling of JSON files;
 *  - checks that every `file:` icon referenced by a built node or credential exists in
 *    `dist` next to it, so a broken icon never reaches the n8n editor.
 */
const { src, dest, series } = require('gulp');
const fs = require('fs');
const path = require('path');

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

exports['build:assets'] = series(copyIcons, copyCodex, checkAssets);
exports.default = exports['build:assets'];
