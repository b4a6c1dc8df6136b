#!/usr/bin/env node
/**
 * Release gate, run by .github/workflows/publish.yml before `npm publish`: the pushed tag must be
 * `v` + package.json's version, and CHANGELOG.md must have a `## [x.y.z]` section for that version
 * with at least one entry and no TODO left in it. Publishing cannot be undone on npm, so a tag
 * pushed by mistake (wrong version, notes not written) must stop here.
 *
 * Usage: node scripts/release/check-tag.js [tag]   (default: $GITHUB_REF_NAME)
 */
'use strict';

const fs = require('fs');
const path = require('path');

/** The lines of the `## [version]` section, or undefined when the changelog has none. */
function changelogSection(changelog, version) {
	const lines = changelog.split(/\r?\n/);
	const heading = `## [${version}]`;
	const start = lines.findIndex((line) => line === heading || line.startsWith(`${heading} `));
	if (start === -1) return undefined;
	const rest = lines.slice(start + 1);
	// Link references (`[0.1.0]: https://…`) at the bottom belong to no section.
	const end = rest.findIndex((line) => /^## /.test(line) || /^\[[^\]]+\]:\s/.test(line));
	return end === -1 ? rest : rest.slice(0, end);
}

/** Every reason the tag must not be published; empty when it may. */
function tagProblems({ tag, packageJson, changelog }) {
	const problems = [];
	const version = packageJson.version;
	if (!tag) {
		problems.push('No tag given: pass it as the first argument or set GITHUB_REF_NAME.');
		return problems;
	}
	if (tag !== `v${version}`) {
		problems.push(
			`Tag "${tag}" does not match package.json's version ${version}: tag the commit as v${version}, or set "version" to ${tag.replace(/^v/, '')} in package.json first.`,
		);
	}
	const section = changelogSection(changelog, version);
	if (section === undefined) {
		problems.push(
			`CHANGELOG.md has no "## [${version}]" section: move the entries under "## [Unreleased]" into "## [${version}] - <date>".`,
		);
		return problems;
	}
	if (!section.some((line) => /^\s*[-*] \S/.test(line))) {
		problems.push(`CHANGELOG.md's "## [${version}]" section lists no changes: add them as "- …" lines.`);
	}
	const todos = section.filter((line) => /\bTODO\b/i.test(line));
	if (todos.length > 0) {
		problems.push(
			`CHANGELOG.md's "## [${version}]" section still has a TODO: ${todos.map((line) => `"${line.trim()}"`).join(', ')}. Write the entry, then tag again.`,
		);
	}
	return problems;
}

function main() {
	const root = path.resolve(__dirname, '..', '..');
	const tag = process.argv[2] || process.env.GITHUB_REF_NAME || '';
	const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	const changelogPath = path.join(root, 'CHANGELOG.md');
	const changelog = fs.existsSync(changelogPath) ? fs.readFileSync(changelogPath, 'utf8') : '';
	const problems = tagProblems({ tag, packageJson, changelog });
	if (problems.length > 0) {
		console.error(`Not publishing ${packageJson.name} for tag "${tag}":`);
		for (const problem of problems) console.error(`  - ${problem}`);
		process.exit(1);
	}
	console.log(`Tag ${tag} matches ${packageJson.name}@${packageJson.version} and its CHANGELOG section.`);
}

if (require.main === module) main();

module.exports = { changelogSection, tagProblems };
