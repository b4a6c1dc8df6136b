/**
 * Real-n8n end-to-end suite: `npm run test:e2e`.
 * Installs n8n (cached, scripts/e2e/install-n8n.sh), builds and packs the package once,
 * then runs each *.e2e.test.ts serially against n8n 1.123.81 (Node 20) and 2.41.1 (Node 24).
 * Pick one line with N8N_E2E_LINES=1 or N8N_E2E_LINES=2.
 */
const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..');
const tsconfig = path.join(repoRoot, 'tsconfig.test.json');
if (!fs.existsSync(tsconfig)) {
	throw new Error(`${tsconfig} is missing (the e2e suite compiles with it)`);
}

module.exports = {
	rootDir: __dirname,
	testEnvironment: 'node',
	testMatch: ['<rootDir>/**/*.e2e.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig }],
	},
	globalSetup: '<rootDir>/global-setup.ts',
	globalTeardown: '<rootDir>/global-teardown.ts',
	testTimeout: 15 * 60 * 1000,
	maxWorkers: 1,
	verbose: true,
};
