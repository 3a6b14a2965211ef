import { Injectable, signal } from '@angular/core';

export interface DeviceChoice {
  deviceId: string;
  label: string;
}

export interface DeviceLists {
  cameras: DeviceChoice[];
  microphones: DeviceChoice[];
  speakers: DeviceChoice[];
}

/** Whether this browser can route audio output to a chosen device. */
export const SPEAKER_SELECTION_SUPPORTED =
  typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/** Camera, microphone and speaker choice, and the local stream built from it. */
@Injectable({ providedIn: 'root' })
export class MediaDevicesService {
  readonly devices = signal<DeviceLists>({ cameras: [], microphones: [], speakers: [] });
  readonly cameraId = signal<string | null>(null);
  readonly microphoneId = signal<string | null>(null);
  readonly speakerId = signal<string | null>(null);

  constructor() {
    navigator.mediaDevices?.addEventListener('devicechange', () => void this.refresh());
  }

  /**
   * Opens camera and microphone (only the microphone for a voice call). Falls back to audio only, then to no local media, so a
   * person without a camera (or who refused it) can still receive the other side.
   */
  async open(video = true): Promise<{ stream: MediaStream | null; problem: string | null }> {
    if (!navigator.mediaDevices?.getUserMedia) {
      return {
        stream: null,
        problem: 'This browser cannot use a camera or microphone here (it needs HTTPS).',
      };
    }
    const audio = this.constraint(this.microphoneId());
    const videoConstraint = this.constraint(this.cameraId(), {
      width: { ideal: 1280 },
      height: { ideal: 720 },
    });
    let problem: string | null = null;
    // A voice call asks for the microphone only; the camera is opened when video is added.
    const attempts: MediaStreamConstraints[] = video
      ? [
          { audio, video: videoConstraint },
          { audio, video: false },
        ]
      : [{ audio, video: false }];
    for (const constraints of attempts) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(constraints);
        // Remember what the browser picked, so the device picker shows the device in use.
        this.cameraId.set(stream.getVideoTracks()[0]?.getSettings().deviceId ?? this.cameraId());
        this.microphoneId.set(
          stream.getAudioTracks()[0]?.getSettings().deviceId ?? this.microphoneId(),
        );
        void this.refresh();
        return {
          stream,
          problem: constraints.video || !video ? null : 'No camera available: sending audio only.',
        };
      } catch (error) {
        problem = describeMediaError(error);
      }
    }
    return { stream: null, problem };
  }

  /** Opens one device of a kind, for switching mid-call. */
  async openTrack(kind: 'audio' | 'video', deviceId: string | null): Promise<MediaStreamTrack> {
    const constraint = this.constraint(deviceId);
    const stream = await navigator.mediaDevices.getUserMedia(
      kind === 'audio' ? { audio: constraint } : { video: constraint },
    );
    const [track] = kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks();
    if (!track)
      throw new Error(`The selected ${kind === 'audio' ? 'microphone' : 'camera'} gave no track.`);
    return track;
  }

  async refresh(): Promise<void> {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const all = await navigator.mediaDevices.enumerateDevices();
    const pick = (kind: MediaDeviceKind, fallback: string) =>
      all
        .filter((d) => d.kind === kind && d.deviceId !== '')
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
    this.devices.set({
      cameras: pick('videoinput', 'Camera'),
      microphones: pick('audioinput', 'Microphone'),
      speakers: SPEAKER_SELECTION_SUPPORTED ? pick('audiooutput', 'Speaker') : [],
    });
  }

  private constraint(
    deviceId: string | null,
    extra: MediaTrackConstraints = {},
  ): MediaTrackConstraints {
    return deviceId ? { ...extra, deviceId: { exact: deviceId } } : extra;
  }
}

function describeMediaError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
      return 'Camera and microphone access was refused. Allow it in the browser to send video.';
    case 'NotFoundError':
      return 'No camera or microphone was found.';
    case 'NotReadableError':
      return 'The camera or microphone is in use by another application.';
    default:
      return 'The camera and microphone could not be opened.';
  }
}
