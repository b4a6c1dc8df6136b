/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions */
/**
 * The release gate publish.yml runs before `npm publish` (scripts/release/check-tag.js): the tag
 * must be v + package.json's version, and CHANGELOG.md must have that version's section with
 * entries and no TODO.
 */
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { tagProblems, changelogSection } = require('../../scripts/release/check-tag.js') as {
	tagProblems: (input: { tag: string; packageJson: { version: string }; changelog: string }) => string[];
	changelogSection: (changelog: string, version: string) => string[] | undefined;
};

const ROOT = join(__dirname, '..', '..');

const changelog = [
	'# Changelog',
	'',
	'## [Unreleased]',
	'',
	'- TODO (lead): canvas entries',
	'',
	'## [1.2.0] - 2026-12-10',
	'',
	'### Added',
	'',
	'- Rows to Fix output.',
	'',
	'## [1.1.0] - 2026-11-29',
	'',
	'- First release. TODO: screenshots',
	'',
	'[Unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD',
	'[1.2.0]: https://github.com/o/r/releases/tag/v1.2.0',
	'',
].join('\n');

describe('release tag gate', () => {
	it('lets a tag through that matches the version, with a finished CHANGELOG section', () => {
		expect(tagProblems({ tag: 'v1.2.0', packageJson: { version: '1.2.0' }, changelog })).toEqual([]);
	});

	it('stops a tag that is not v + the version, saying what to change', () => {
		const problems = tagProblems({ tag: 'v1.2.1', packageJson: { version: '1.2.0' }, changelog });
		expect(problems).toHaveLength(1);
		expect(problems[0]).toContain('Tag "v1.2.1" does not match package.json\'s version 1.2.0');
		expect(tagProblems({ tag: '1.2.0', packageJson: { version: '1.2.0' }, changelog })).toHaveLength(1);
	});

	it('stops a version without a CHANGELOG section, naming the heading to add', () => {
		const problems = tagProblems({ tag: 'v1.3.0', packageJson: { version: '1.3.0' }, changelog });
		expect(problems).toEqual([expect.stringContaining('CHANGELOG.md has no "## [1.3.0]" section')]);
	});

	it("stops a version whose section still has a TODO, quoting it, and ignores the other sections' TODOs", () => {
		const problems = tagProblems({ tag: 'v1.1.0', packageJson: { version: '1.1.0' }, changelog });
		expect(problems).toEqual([expect.stringContaining('"- First release. TODO: screenshots"')]);
	});

	it('stops a version whose section lists no changes', () => {
		const empty = changelog.replace('- Rows to Fix output.', '');
		expect(tagProblems({ tag: 'v1.2.0', packageJson: { version: '1.2.0' }, changelog: empty })).toEqual([
			expect.stringContaining('lists no changes'),
		]);
	});

	it('reads a section up to the next heading or the link references', () => {
		expect(changelogSection(changelog, '1.1.0')?.filter((line) => line !== '')).toEqual([
			'- First release. TODO: screenshots',
		]);
		expect(changelogSection(changelog, '1.2')).toBeUndefined();
	});

	it("runs on this repository: the current version's tag passes, another one fails with exit 1", () => {
		const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
		const script = join(ROOT, 'scripts/release/check-tag.js');
		const ok = spawnSync(process.execPath, [script, `v${version}`], { encoding: 'utf8' });
		expect(ok.stdout).toContain(`Tag v${version} matches`);
		expect(ok.status).toBe(0);
		const wrong = spawnSync(process.execPath, [script, 'v99.0.0'], { encoding: 'utf8' });
		expect(wrong.stderr).toContain('does not match');
		expect(wrong.status).toBe(1);
	});
});
