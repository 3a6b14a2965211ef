/** Unit tests of the bench's own statistics and helpers (every *.spec.ts under bench/src). */
module.exports = {
  displayName: 'bench',
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          target: 'es2023',
          esModuleInterop: true,
          allowImportingTsExtensions: true,
          lib: ['es2023'],
        },
        // Type-checked by `tsc -p bench/tsconfig.json`; here only transpiled.
        diagnostics: false,
      },
    ],
  },
  moduleNameMapper: { '^@callgate/protocol$': '<rootDir>/../protocol/src/index.ts' },
  reporters: ['default', '<rootDir>/../tools/jest-summary-reporter.cjs'],
};
