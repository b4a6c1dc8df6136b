/**
 * Unit and workflow-level tests. The real-n8n suite (test/e2e) and the packed-package tests
 * (test/package, need a build: npm run test:package) have their own configs.
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/package/'],
	setupFiles: ['<rootDir>/test/setupEnv.ts'],
	// n8n-core's HTTP agents keep sockets alive after the last workflow run; nothing of ours is left running.
	forceExit: true,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
};
