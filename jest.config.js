/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/helpers/per-file-env.ts'],
  testSequencer: '<rootDir>/test/helpers/sequencer.js',
  // Two cores here; each test file has its own database and queue prefix.
  maxWorkers: 2,
  // Generous: CI shares two cores, and slow hooks under load are not failures of the code.
  testTimeout: 60_000,
  // Compiled without type checks (swc, a few ms a file): `npm run lint` checks the types of
  // src and test once, before CI runs the tests, instead of once per test file here.
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
};
