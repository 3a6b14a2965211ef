/**
 * Callgate end to end: the composed stack (docker-compose.yml + infra/compose.e2e.yml)
 * brought up once by Testcontainers, and real Chromium in four browser containers driven
 * through the UI, with two gateway replicas. Scenarios 1–5 of issue 5 and the replica
 * scenarios of issue 10, in order; each prints the time from "Accept"
 * to the first decoded remote frame and the candidate pair that carries the media.
 */
import {
  type CallgateStack,
  configuredIceServerUrls,
  Person,
  startStack,
} from '@callgate/e2e-support';
import { describeCallOutcomes } from './scenarios/call-outcomes.js';
import { describeInCall } from './scenarios/in-call.js';
import { describeFirstLoadAndAccessibility } from './scenarios/first-load-and-a11y.js';
import { describeDirectAndRelayCalls } from './scenarios/direct-and-relay.js';
import { describeOrganisation } from './scenarios/organisation.js';
import { describeGatewayReplicas } from './scenarios/replicas.js';
import { describeRestrictiveNetworks } from './scenarios/restrictive-networks.js';
import { describeRinging } from './scenarios/ringing.js';
import { describeTurnCredentials } from './scenarios/turn-credentials.js';

jest.setTimeout(180_000);
// One retry, loudly: the web client's negotiation sometimes deadlocks on glare (both sides
// offer, the impolite caller ignores the callee's offer, and no answer ever comes; seen
// about once in 50 calls, see e2e/README.md). The failed attempt's error and both tabs'
// console are printed before the retry; a second failure fails the suite.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

describe('Callgate end to end (composed stack, containerised Chromium)', () => {
  let stack: CallgateStack;
  const people: Person[] = [];
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let dave: Person;
  let erin: Person;
  const suffix = Date.now().toString(36);

  const signUp = async (
    service: keyof CallgateStack['browsers'],
    name: string,
  ): Promise<Person> => {
    const person = await Person.open(stack.browsers[service], `${name}-${suffix}`);
    people.push(person);
    await person.signUp();
    return person;
  };

  beforeAll(async () => {
    stack = await startStack();
    alice = await signUp('browser-a', 'alice');
    bob = await signUp('browser-b', 'bob');
  }, 900_000);

  // A scenario that fails mid-call must not leave the next one facing a busy callee.
  afterEach(async () => {
    for (const person of people) await person.endAnyCall();
  });

  afterAll(async () => {
    for (const person of people) await person.leave().catch(() => undefined);
    await stack?.stop();
  }, 120_000);

  describe('one network', () => {
    describeDirectAndRelayCalls(
      () => stack,
      () => ({ alice, bob }),
    );
  });

  describe('ringing (pre-negotiation)', () => {
    describeRinging(
      () => stack,
      () => ({ alice, bob }),
    );
  });

  describe('restrictive networks', () => {
    beforeAll(async () => {
      dave = await signUp('browser-iso-a', 'dave');
      erin = await signUp('browser-iso-b', 'erin');
      await dave.seesOnline(erin);
    });
    describeRestrictiveNetworks(
      () => stack,
      () => ({ dave, erin }),
    );
  });

  describe('call outcomes', () => {
    beforeAll(async () => {
      carol = await signUp('browser-b', 'carol');
    });
    describeCallOutcomes(() => ({ alice, bob, carol }));
  });

  describe('TURN credentials and peer policy', () => {
    describeTurnCredentials(
      () => stack,
      () => ({ alice, bob }),
    );
  });

  describe('in the call', () => {
    describeInCall(() => ({ alice, bob }));
  });

  describe('first load and accessibility', () => {
    describeFirstLoadAndAccessibility(
      () => stack,
      () => ({ alice, bob }),
    );
  });

  describe('an organisation: invites, disabling, sessions', () => {
    describeOrganisation(
      () => stack,
      (person) => {
        people.push(person);
        return person;
      },
    );
  });

  describe('gateway replicas (Redis)', () => {
    describeGatewayReplicas(() => ({ alice, bob }));
  });

  it('the web app talked only to its own origin, and used only our TURN servers', async () => {
    for (const person of people) {
      expect({ who: person.username, foreign: person.foreignRequests }).toEqual({
        who: person.username,
        foreign: [],
      });
      const urls = await configuredIceServerUrls(person.page);
      // The two relays, and TURN/TLS on the web port (routed to coturn by nginx).
      for (const url of urls)
        expect(url).toMatch(/^turns?:(turn|turn-2|web):\d+(\?transport=(udp|tcp))?$/);
    }
    const used = new Set(
      (await Promise.all(people.map((p) => configuredIceServerUrls(p.page)))).flat(),
    );
    console.log(`ICE servers configured by the app: ${[...used].join(' ')}`);
    expect(used.size).toBeGreaterThan(0);
  });
});
