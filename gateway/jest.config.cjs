module.exports = {
  displayName: 'gateway',
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@callgate/protocol$': '<rootDir>/../protocol/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  reporters: ['default', '<rootDir>/../tools/jest-summary-reporter.cjs'],
};
