/**
 * The packed-package tests (npm run test:package): what `npm pack` ships from the current build,
 * its size, that it loads, and n8n's scan catching findings. They need `npm run build` first, so
 * plain `npx jest` leaves them out (jest.config.js).
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	rootDir: '../..',
	roots: ['<rootDir>/test/package'],
	testMatch: ['**/*.test.ts'],
	// npm pack and the scanner's ESLint run take seconds each, more on a loaded machine.
	testTimeout: 180_000,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
};
