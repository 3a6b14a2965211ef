/**
 * Jest config for the call set-up benchmark only (bench/src/browser/*.bench-spec.ts): it
 * reuses the end-to-end harness (e2e-support/), which is written for Jest + ts-jest.
 * Not a test: run by `npm run bench` (bench/src/browser/benchmark.ts), never by `npm test`.
 */
module.exports = {
  displayName: 'bench-call-setup',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/src/browser'],
  testMatch: ['<rootDir>/src/browser/*.bench-spec.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          target: 'es2023',
          esModuleInterop: true,
          allowImportingTsExtensions: true,
          lib: ['es2023', 'dom', 'dom.iterable'],
        },
        // Type-checked by `tsc -p bench/tsconfig.json`; here only transpiled.
        diagnostics: false,
      },
    ],
  },
  moduleNameMapper: {
    '^@callgate/protocol$': '<rootDir>/../protocol/src/index.ts',
    '^@callgate/e2e-support$': '<rootDir>/../e2e-support/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 900_000,
  reporters: ['default'],
};
