import { jest } from '@jest/globals';
import { CHAT_MAX_LENGTH, type PeerMediaState } from '@callgate/protocol';

import { PeerChannel } from './peer-channel';
import { FakeDataChannel } from './testing/fake-rtc';

const quiet: PeerMediaState = {
  type: 'media',
  micMuted: false,
  cameraOff: false,
  sharingScreen: false,
};

describe('PeerChannel', () => {
  let local: PeerMediaState;
  let ids: number;
  let channel: PeerChannel;
  let wire: FakeDataChannel;

  beforeEach(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    local = { ...quiet };
    ids = 0;
    channel = new PeerChannel(
      () => local,
      () => `m${++ids}`,
    );
    wire = new FakeDataChannel('callgate', {});
    channel.attach(wire as unknown as RTCDataChannel);
  });

  afterEach(() => jest.restoreAllMocks());

  const sent = () => wire.sent.map((m) => JSON.parse(m) as Record<string, unknown>);

  it('tells the peer our media state as soon as the channel opens, and after each change', () => {
    expect(channel.open()).toBe(false);
    wire.open();
    expect(channel.open()).toBe(true);
    expect(sent()).toEqual([quiet]);
    local = { ...quiet, micMuted: true };
    channel.sendMediaState();
    expect(sent()[1]).toEqual({ ...quiet, micMuted: true });
  });

  it('shows the peer media state it receives, and ignores malformed messages', () => {
    wire.open();
    wire.receive(JSON.stringify({ ...quiet, cameraOff: true }));
    expect(channel.remoteMedia()).toEqual({ ...quiet, cameraOff: true });
    wire.receive('{"type":"media","cameraOff":"yes"}');
    wire.receive('<script>alert(1)</script>');
    expect(channel.remoteMedia()).toEqual({ ...quiet, cameraOff: true });
  });

  it('chat goes both ways; a repeated message id is shown once', () => {
    wire.open();
    expect(channel.sendChat('  hello  ')).toBeNull();
    expect(sent()[1]).toMatchObject({ type: 'chat', id: 'm1', text: 'hello' });
    const incoming = JSON.stringify({ type: 'chat', id: 'p1', text: '<b>hi</b>', sentAt: 'x' });
    wire.receive(incoming);
    wire.receive(incoming);
    expect(channel.chat().map((l) => [l.fromMe, l.text])).toEqual([
      [true, 'hello'],
      [false, '<b>hi</b>'],
    ]);
  });

  it('refuses, with a sentence, a message over the limit, an empty one, or one with no channel open', () => {
    expect(channel.sendChat('early')).toMatch(/^Chat is not connected/);
    wire.open();
    expect(channel.sendChat('   ')).toBe('Type a message first.');
    expect(channel.sendChat('x'.repeat(CHAT_MAX_LENGTH + 1))).toBe(
      `That message is ${CHAT_MAX_LENGTH + 1} characters long; a message can have at most ${CHAT_MAX_LENGTH}. Shorten it or send it in parts.`,
    );
    expect(channel.sendChat('x'.repeat(CHAT_MAX_LENGTH))).toBeNull();
    expect(sent().filter((m) => m['type'] === 'chat')).toHaveLength(1);
    expect(channel.chat()).toHaveLength(1);
  });

  it('a fresh channel (after a rejoin) keeps the history; close closes the channel', () => {
    wire.open();
    channel.sendChat('before');
    const next = new FakeDataChannel('callgate', {});
    channel.attach(next as unknown as RTCDataChannel);
    expect(channel.open()).toBe(false);
    wire.receive(JSON.stringify({ type: 'chat', id: 'old', text: 'stale', sentAt: 'x' }));
    next.open();
    expect(channel.sendChat('after')).toBeNull();
    expect(channel.chat().map((l) => l.text)).toEqual(['before', 'after']);
    channel.close();
    expect(next.readyState).toBe('closed');
    expect(channel.open()).toBe(false);
  });
});
