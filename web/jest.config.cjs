/**
 * Unit tests of the web client: jsdom, zoneless Angular, protocol mapped to its source.
 * ESM preset: tools/jest.mjs runs Jest with VM modules, under which Angular's .mjs
 * packages load as real ES modules.
 */
const { createEsmPreset } = require('jest-preset-angular/presets');

const preset = createEsmPreset({ tsconfig: '<rootDir>/tsconfig.spec.json' });

module.exports = {
  ...preset,
  displayName: 'web',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@callgate/protocol$': '<rootDir>/../protocol/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  reporters: ['default', '<rootDir>/../tools/jest-summary-reporter.cjs'],
};
