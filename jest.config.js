/** Unit and workflow-level tests. The real-n8n suite has its own config in test/e2e. */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	setupFiles: ['<rootDir>/test/setupEnv.ts'],
	// n8n-core's HTTP agents keep sockets alive after the last workflow run; nothing of ours is left running.
	forceExit: true,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
};
