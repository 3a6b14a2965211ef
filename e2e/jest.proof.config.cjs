/**
 * Topology proof: two containerised Chromiums call each other through a bare coturn
 * with a self-contained page. Validates the browser image, DevTools control, test-CA
 * trust and the network isolation the real scenarios rely on. Not part of `e2e`.
 */
const base = require('./jest.config.cjs');

module.exports = {
  ...base,
  displayName: 'e2e-proof',
  testMatch: ['<rootDir>/src/**/*.proof-spec.ts'],
};
