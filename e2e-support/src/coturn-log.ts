import type { StartedTestContainer } from 'testcontainers';
import { containerLogs } from './stack.js';

/** One successful allocation as coturn logged it (`verbose`). */
export interface LoggedAllocation {
  /** The username's expiry (TURN REST scheme: `<unix expiry>:<user id>`). */
  expiresAt: number;
  userId: string;
}

const ALLOCATION = /user <(\d+):([^>]+)>: incoming packet ALLOCATE processed, success/g;

/** Every successful allocation in coturn's log so far, oldest first. */
export function loggedAllocations(turn: StartedTestContainer): LoggedAllocation[] {
  return [...containerLogs(turn).matchAll(ALLOCATION)].map((match) => ({
    expiresAt: Number(match[1]),
    userId: match[2]!,
  }));
}
