import { CHAT_MAX_LENGTH, parsePeerMessage } from './peer.js';

describe('parsePeerMessage', () => {
  const chat = { type: 'chat', id: 'm1', text: 'hello', sentAt: '2026-12-01T08:00:00.000Z' };

  it('accepts media state and chat messages', () => {
    const media = { type: 'media', micMuted: true, cameraOff: false, sharingScreen: false };
    expect(parsePeerMessage(JSON.stringify(media))).toEqual(media);
    expect(parsePeerMessage(JSON.stringify(chat))).toEqual(chat);
  });

  it('drops unknown members instead of passing them on', () => {
    expect(parsePeerMessage(JSON.stringify({ ...chat, html: '<b>x</b>' }))).toEqual(chat);
  });

  it.each([
    ['not JSON', '{'],
    ['a number', '42'],
    ['null', 'null'],
    ['binary', new ArrayBuffer(4)],
    ['an unknown type', JSON.stringify({ type: 'file', id: 'x' })],
    [
      'media with a string flag',
      JSON.stringify({ type: 'media', micMuted: 'yes', cameraOff: false, sharingScreen: false }),
    ],
    ['empty chat text', JSON.stringify({ ...chat, text: '' })],
    [
      'chat text over the limit',
      JSON.stringify({ ...chat, text: 'x'.repeat(CHAT_MAX_LENGTH + 1) }),
    ],
    ['chat without an id', JSON.stringify({ ...chat, id: '' })],
  ])('refuses %s', (_what, data) => {
    expect(parsePeerMessage(data)).toBeNull();
  });

  it('accepts chat text of exactly the limit', () => {
    const text = 'x'.repeat(CHAT_MAX_LENGTH);
    expect(parsePeerMessage(JSON.stringify({ ...chat, text }))).toMatchObject({ text });
  });
});
