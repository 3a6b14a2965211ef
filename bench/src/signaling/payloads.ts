import type { IceCandidatePayload, SessionDescriptionPayload } from '@callgate/protocol';

function ufragOf(seed: number): string {
  return `u${seed.toString(36).padStart(4, '0')}`;
}

/**
 * A realistic audio+video offer/answer (Chromium shape, ~4 kB), so the relay moves the
 * same bytes a real call set-up moves.
 */
export function sessionDescription(
  type: 'offer' | 'answer',
  seed: number,
): SessionDescriptionPayload {
  const codecs = [
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 goog-remb',
    'a=rtcp-fb:96 transport-cc',
    'a=rtcp-fb:96 ccm fir',
    'a=rtcp-fb:96 nack',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:98 VP9/90000',
    'a=fmtp:98 profile-id=0',
    'a=rtpmap:99 rtx/90000',
    'a=fmtp:99 apt=98',
    'a=rtpmap:100 H264/90000',
    'a=fmtp:100 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'a=rtpmap:101 rtx/90000',
    'a=fmtp:101 apt=100',
    'a=rtpmap:102 AV1/90000',
    'a=rtpmap:103 rtx/90000',
    'a=fmtp:103 apt=102',
    'a=rtpmap:104 red/90000',
    'a=rtpmap:105 ulpfec/90000',
  ];
  const ufrag = ufragOf(seed);
  const lines = [
    'v=0',
    `o=- ${4611731400430051336n + BigInt(seed)} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS stream',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${ufrag}`,
    'a=ice-pwd:asd88fgpdd777uzjYhagZg+1zbbk6Yw1',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
    `a=setup:${type === 'offer' ? 'actpass' : 'active'}`,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:stream audio-track',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    `a=ssrc:${1000 + seed} cname:bench${seed}`,
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 103 104 105',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${ufrag}`,
    'a=ice-pwd:asd88fgpdd777uzjYhagZg+1zbbk6Yw1',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
    `a=setup:${type === 'offer' ? 'actpass' : 'active'}`,
    'a=mid:1',
    'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:13 urn:3gpp:video-orientation',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    'a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type',
    'a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing',
    'a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:stream video-track',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...codecs,
    `a=ssrc-group:FID ${2000 + seed} ${3000 + seed}`,
    `a=ssrc:${2000 + seed} cname:bench${seed}`,
    `a=ssrc:${3000 + seed} cname:bench${seed}`,
  ];
  return { type, sdp: `${lines.join('\r\n')}\r\n` };
}

/** The i-th trickled candidate of a peer: host, srflx and relay shapes like Chromium's. */
export function iceCandidate(i: number, seed: number): IceCandidatePayload {
  const port = 50_000 + ((seed * 16 + i) % 10_000);
  const kinds = [
    `candidate:${1000 + i} 1 udp 2122260223 192.0.2.${(seed % 250) + 1} ${port} typ host generation 0 ufrag ${ufragOf(seed)} network-id 1`,
    `candidate:${2000 + i} 1 tcp 1518280447 192.0.2.${(seed % 250) + 1} 9 typ host tcptype active generation 0 ufrag ${ufragOf(seed)} network-id 1`,
    `candidate:${3000 + i} 1 udp 1686052607 198.51.100.${(seed % 250) + 1} ${port} typ srflx raddr 192.0.2.1 rport ${port} generation 0 ufrag ${ufragOf(seed)} network-id 1`,
    `candidate:${4000 + i} 1 udp 41885439 203.0.113.${(seed % 250) + 1} ${port} typ relay raddr 198.51.100.1 rport ${port} generation 0 ufrag ${ufragOf(seed)} network-id 1`,
  ];
  return {
    candidate: kinds[i % kinds.length]!,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: `${ufragOf(seed)}`,
  };
}
