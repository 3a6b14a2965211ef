import { signal } from '@angular/core';
import {
  CHAT_MAX_LENGTH,
  type PeerChatMessage,
  type PeerMediaState,
  type PeerMessage,
  parsePeerMessage,
} from '@callgate/protocol';

/** Chat lines kept on screen; older ones scroll away. */
export const CHAT_HISTORY = 200;

export interface ChatLine {
  id: string;
  fromMe: boolean;
  /** Rendered with text interpolation only: markup in it stays visible text. */
  text: string;
  sentAt: Date;
}

/** The outcome of {@link PeerChannel.sendChat}: `null` when sent, else a sentence. */
export type ChatRefusal = string | null;

/**
 * Media state and chat between the two browsers, over the call's data channel (the
 * gateway never sees them). A fresh connection (after a rejoin) brings a fresh channel
 * through {@link attach}; the chat history and the peer's last state stay.
 */
export class PeerChannel {
  /** The other side's media, as it last told us; `null` until it did. */
  readonly remoteMedia = signal<PeerMediaState | null>(null);
  readonly chat = signal<readonly ChatLine[]>([]);
  readonly open = signal(false);
  private channel: RTCDataChannel | null = null;
  private readonly seen = new Set<string>();
  private readonly listeners: [string, EventListener][] = [
    ['open', () => this.onOpen()],
    ['close', () => this.open.set(false)],
    ['message', (event) => this.onMessage((event as MessageEvent).data)],
  ];

  constructor(
    private readonly localState: () => PeerMediaState,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  attach(channel: RTCDataChannel): void {
    this.detach();
    this.channel = channel;
    for (const [type, listener] of this.listeners) channel.addEventListener(type, listener);
    if (channel.readyState === 'open') this.onOpen();
  }

  /** Tells the peer our media state (after every change; again on each new channel). */
  sendMediaState(): void {
    this.send(this.localState());
  }

  /** Sends one chat line, or says in a sentence why it was not sent. */
  sendChat(raw: string): ChatRefusal {
    const text = raw.trim();
    if (text.length === 0) return 'Type a message first.';
    if (text.length > CHAT_MAX_LENGTH) {
      return `That message is ${text.length} characters long; a message can have at most ${CHAT_MAX_LENGTH}. Shorten it or send it in parts.`;
    }
    if (!this.open()) {
      return 'Chat is not connected to the other person right now; try again in a moment.';
    }
    const message: PeerChatMessage = {
      type: 'chat',
      id: this.newId(),
      text,
      sentAt: new Date().toISOString(),
    };
    if (!this.send(message)) return 'The message could not be sent; try again in a moment.';
    this.append({ id: message.id, fromMe: true, text, sentAt: new Date(message.sentAt) });
    return null;
  }

  /** Closes the channel this side holds; history stays for the call's end screen. */
  close(): void {
    const channel = this.channel;
    this.detach();
    channel?.close();
  }

  private detach(): void {
    if (this.channel) {
      for (const [type, listener] of this.listeners)
        this.channel.removeEventListener(type, listener);
    }
    this.channel = null;
    this.open.set(false);
  }

  private send(message: PeerMessage): boolean {
    if (this.channel?.readyState !== 'open') return false;
    try {
      this.channel.send(JSON.stringify(message));
      return true;
    } catch (error) {
      console.warn('[chat] the data channel refused a message', error);
      return false;
    }
  }

  private onOpen(): void {
    this.open.set(true);
    this.sendMediaState();
  }

  private onMessage(data: unknown): void {
    const message = parsePeerMessage(data);
    if (!message) {
      console.warn('[chat] ignored a malformed message from the other side');
      return;
    }
    if (message.type === 'media') {
      this.remoteMedia.set(message);
      return;
    }
    if (this.seen.has(message.id)) return;
    const sentAt = new Date(message.sentAt);
    this.append({
      id: message.id,
      fromMe: false,
      text: message.text,
      sentAt: Number.isNaN(sentAt.getTime()) ? new Date() : sentAt,
    });
  }

  private append(line: ChatLine): void {
    this.seen.add(line.id);
    this.chat.update((lines) => [...lines, line].slice(-CHAT_HISTORY));
  }
}
