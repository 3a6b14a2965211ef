/**
 * End-to-end: the composed stack (docker-compose.yml + infra/compose.e2e.yml) and real
 * Chromium in containers. One spec file brings the stack up once for every scenario.
 */
module.exports = {
  displayName: 'e2e',
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@callgate/protocol$': '<rootDir>/../protocol/src/index.ts',
    '^@callgate/e2e-support$': '<rootDir>/../e2e-support/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // Image builds and the stack start happen in beforeAll; calls take seconds each.
  testTimeout: 180_000,
  slowTestThreshold: 60,
  reporters: ['default', '<rootDir>/../tools/jest-summary-reporter.cjs'],
};
