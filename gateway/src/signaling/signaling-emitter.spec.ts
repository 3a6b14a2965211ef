import { SignalingEmitter, type SignalingNamespace } from './signaling-emitter';

/** A namespace with one local socket; `to()` stands for the Redis adapter's broadcast. */
function namespace(localIds: string[]) {
  const sent: { via: string; event: string; payload: unknown }[] = [];
  const sockets = new Map(
    localIds.map((id) => [
      id,
      {
        emit: (event: string, payload: unknown) =>
          sent.push({ via: `socket ${id}`, event, payload }),
      },
    ]),
  );
  const to = jest.fn((room: string) => ({
    emit: (event: string, payload: unknown) => sent.push({ via: `room ${room}`, event, payload }),
  }));
  return { ns: { sockets, to } as unknown as SignalingNamespace, sent, to };
}

describe('SignalingEmitter.toSocket', () => {
  const relayed = { callId: 'c1', from: 'u1', candidate: { candidate: 'x' } };

  it('sends to a socket of this replica directly, without the adapter', () => {
    const { ns, sent, to } = namespace(['local-1']);
    const emitter = new SignalingEmitter();
    emitter.bind(ns);
    emitter.toSocket('local-1', 'signal', relayed);
    expect(sent).toEqual([{ via: 'socket local-1', event: 'signal', payload: relayed }]);
    expect(to).not.toHaveBeenCalled();
  });

  it('sends to a socket of another replica through the adapter (a room emit)', () => {
    const { ns, sent } = namespace(['local-1']);
    const emitter = new SignalingEmitter();
    emitter.bind(ns);
    emitter.toSocket('remote-9', 'signal', relayed);
    expect(sent).toEqual([{ via: 'room remote-9', event: 'signal', payload: relayed }]);
  });
});

describe('SignalingEmitter.toUserHere', () => {
  it("sends to every local socket of the user's room directly (no adapter broadcast)", () => {
    const { ns, sent, to } = namespace(['tab-1', 'tab-2', 'other-user']);
    const rooms = new Map([['user:u1', new Set(['tab-1', 'tab-2', 'gone-tab'])]]);
    Object.assign(ns, { adapter: { rooms } });
    const emitter = new SignalingEmitter();
    emitter.bind(ns);
    const ended = { callId: 'c1', reason: 'hangup' } as const;
    emitter.toUserHere('u1', 'call:ended', ended);
    emitter.toUserHere('nobody', 'call:ended', ended);
    expect(sent).toEqual([
      { via: 'socket tab-1', event: 'call:ended', payload: ended },
      { via: 'socket tab-2', event: 'call:ended', payload: ended },
    ]);
    expect(to).not.toHaveBeenCalled();
  });
});
