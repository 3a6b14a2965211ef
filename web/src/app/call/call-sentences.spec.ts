import { initialsOf, remoteMediaSentences } from './call-sentences';

describe('remote media sentences', () => {
  const media = { type: 'media', micMuted: false, cameraOff: false, sharingScreen: false } as const;

  it('says nothing before the other side told us anything, or while all is on', () => {
    expect(remoteMediaSentences('Bob', null)).toEqual([]);
    expect(remoteMediaSentences('Bob', media)).toEqual([]);
  });

  it('names what the other side turned off or shares', () => {
    expect(remoteMediaSentences('Bob', { ...media, cameraOff: true, micMuted: true })).toEqual([
      'Bob turned their camera off.',
      'Bob muted their microphone.',
    ]);
    expect(remoteMediaSentences('Bob', { ...media, sharingScreen: true })).toEqual([
      'Bob is sharing their screen.',
    ]);
  });
});

describe('initialsOf', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['bob', 'B'],
    ['alice-mx4ghmpj', 'AM'],
    ['  grace   brewster murray hopper ', 'GB'],
    ['', ''],
  ])('%j → %j', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });
});
