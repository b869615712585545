/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
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
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
};
