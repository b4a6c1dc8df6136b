/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * The GitHub Actions workflows: valid for GitHub's schema (the validator npm run check:workflows
 * uses, shown to catch a broken job), and publish.yml keeps what n8n's verification requires:
 * provenance from a tag push, the tag gate and every check before `npm publish`.
 */
import { validateWorkflow } from '@action-validator/core';
import { readFileSync } from 'fs';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');
const read = (name: string) => readFileSync(join(ROOT, '.github/workflows', name), 'utf8');

/** The `run:` commands and `uses:` actions of a workflow's steps, in order. */
function stepCommands(workflow: string): string[] {
	return [...workflow.matchAll(/^\s+(?:- )?(run|uses): (.+)$/gm)].map((match) => `${match[1]}: ${match[2].trim()}`);
}

describe('GitHub Actions workflows', () => {
	it.each(['ci.yml', 'publish.yml'])('%s is a valid workflow', (name) => {
		expect(validateWorkflow(read(name)).errors).toEqual([]);
	});

	it('the validator refuses a job without runs-on and an unknown step key', () => {
		const broken = read('ci.yml').replace('runs-on: ubuntu-latest', '').replace('run: bash .ci/run', 'runn: bash .ci/run');
		expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
	});

	it('ci.yml runs .ci/run on Node 20 for pushes and pull requests, with the n8n installs cached by version', () => {
		const ci = read('ci.yml');
		expect(ci).toMatch(/^on:\n {2}push:\n {2}pull_request:\n/m);
		expect(ci).toContain('node-version: 20');
		expect(ci).toContain('path: ~/.cache/n8n-nodes-marketo-bulk-e2e');
		expect(ci).toContain('key: n8n-e2e-${{ runner.os }}-${{ steps.n8n-versions.outputs.versions }}');
		// The versions step reads the line install-n8n.sh takes its defaults from.
		expect(readFileSync(join(ROOT, 'scripts/e2e/install-n8n.sh'), 'utf8')).toMatch(/\$\{N8N_E2E_VERSIONS:-[0-9. ]+\}/);
		expect(stepCommands(ci).at(-1)).toBe('run: bash .ci/run');
	});

	it('publish.yml publishes with provenance on a v* tag, after the tag gate and every check', () => {
		const publish = read('publish.yml');
		expect(publish).toMatch(/^on:\n {2}push:\n {4}tags:\n {6}- 'v\*'\n/m);
		expect(publish).toMatch(/^permissions:\n(?: {2}#.*\n)* {2}id-token: write\n {2}contents: read\n/m);
		expect(publish).toContain('registry-url: https://registry.npmjs.org');
		expect(publish).toContain('NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}');

		const steps = stepCommands(publish);
		const at = (command: string) => {
			const index = steps.findIndex((step) => step.startsWith(command));
			expect([command, index]).not.toEqual([command, -1]);
			return index;
		};
		const publishStep = at('run: npm publish --provenance --access public');
		for (const before of [
			'run: npm ci --ignore-scripts',
			'run: node scripts/release/check-tag.js "$GITHUB_REF_NAME"',
			'run: npm run lint',
			'run: npm run build',
			'run: npm test',
			'run: npm run test:package',
			'run: npm run scan',
		]) {
			expect([before, at(before) < publishStep]).toEqual([before, true]);
		}
		// The tag gate comes before the slow checks.
		expect(at('run: node scripts/release/check-tag.js')).toBeLessThan(at('run: npm run lint'));
		// n8n's own online scan of the version just published.
		expect(publish.slice(publish.indexOf('npm publish --provenance'))).toContain('scripts/release/scan.mjs --published');
	});
});
