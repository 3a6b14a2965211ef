import { describeCallSessionStore } from '../testing/call-session-store.contract';
import { InMemoryCallSessionStore } from './in-memory-call-session.store';

describeCallSessionStore('in memory', () => Promise.resolve(new InMemoryCallSessionStore()));
