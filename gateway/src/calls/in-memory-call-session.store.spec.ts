import { describeCallSessionStore } from '../testing/call-session-store.contract';
import { InMemoryCallSessionStore } from './in-memory-call-session.store';

// One process: both "replicas" share the one instance.
describeCallSessionStore('in memory', () => {
  const store = new InMemoryCallSessionStore();
  return Promise.resolve([store, store]);
});
