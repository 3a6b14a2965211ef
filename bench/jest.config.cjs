/**
 * Unit tests of the bench's own code (statistics, ratios, met/missed), the part that
 * produces every published figure. No Docker, no servers: part of `npm test`.
 */
module.exports = {
  displayName: 'bench',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
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
          noEmit: true,
        },
        // Type-checked by `tsc -p bench/tsconfig.json` (the typecheck target); here only transpiled.
        diagnostics: false,
      },
    ],
  },
  reporters: ['default', '<rootDir>/../tools/jest-summary-reporter.cjs'],
};
