// Integration suite: real PostgreSQL 17 and coturn via Testcontainers (needs Docker).
module.exports = {
  displayName: 'gateway-integration',
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@callgate/protocol$': '<rootDir>/../protocol/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/../tools/jest-summary-reporter.cjs'],
};
