/**
 * The end-to-end harness as one entry point (`@callgate/e2e-support`): the e2e suite and
 * the call set-up benchmark import it from here. Each module keeps its own file.
 */
export * from './browser-control.js';
export * from './call-flow.js';
export * from './container-browser.js';
export * from './coturn-log.js';
export * from './network-policy.js';
export * from './person.js';
export * from './ringing-probe.js';
export * from './stack.js';
export * from './test-certificates.js';
export * from './turn-credentials.js';
export * from './webrtc-probe.js';
export * from './in-call-probe.js';
export * from './invites.js';
export * from './replicas.js';
