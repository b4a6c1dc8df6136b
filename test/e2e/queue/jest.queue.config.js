/**
 * Queue-mode e2e suite: run it with `npm run test:e2e:queue` (scripts/e2e/queue/run.sh), which
 * starts Redis and Postgres first. Shares the e2e global setup (n8n install check, build, pack).
 * Only *.queue.test.ts files: the main e2e config picks *.e2e.test.ts, the unit config ignores test/e2e.
 */
const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const tsconfig = path.join(repoRoot, 'tsconfig.test.json');
if (!fs.existsSync(tsconfig)) {
	throw new Error(`${tsconfig} is missing (the e2e suite compiles with it)`);
}

module.exports = {
	rootDir: __dirname,
	testEnvironment: 'node',
	testMatch: ['<rootDir>/**/*.queue.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig }],
	},
	globalSetup: path.join(__dirname, '..', 'global-setup.ts'),
	globalTeardown: path.join(__dirname, '..', 'global-teardown.ts'),
	testTimeout: 15 * 60 * 1000,
	maxWorkers: 1,
	verbose: true,
};
