module.exports = {
  displayName: 'gateway',
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@callgate/protocol$': '<rootDir>/../protocol/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
