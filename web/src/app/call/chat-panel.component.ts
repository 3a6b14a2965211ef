import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  effect,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { CHAT_MAX_LENGTH } from '@callgate/protocol';

import { CallService } from './call.service';

/**
 * In-call chat over the data channel. Lines are rendered by text interpolation only, so
 * markup someone sends shows up as the characters they typed.
 */
@Component({
  selector: 'cg-chat-panel',
  template: `
    <section
      class="chat"
      aria-labelledby="chat-heading"
      data-testid="chat"
      [attr.data-open]="calls.chatOpen()"
    >
      <h2 id="chat-heading">Chat</h2>
      <ol #log class="lines" role="log" aria-label="Chat messages" data-testid="chat-log">
        @for (line of calls.chat(); track line.id) {
          <li [class.mine]="line.fromMe">
            <span class="who">{{ line.fromMe ? 'You' : peerName() }}</span>
            <span class="text" data-testid="chat-text">{{ line.text }}</span>
          </li>
        } @empty {
          <li class="empty">No messages yet. Messages go straight to {{ peerName() }}.</li>
        }
      </ol>
      <form class="compose" (submit)="send($event)">
        <label for="chat-message">Message</label>
        <textarea
          id="chat-message"
          #message
          rows="2"
          [attr.aria-describedby]="refusal() ? 'chat-refusal' : null"
          (keydown.enter)="sendOnEnter($event)"
        ></textarea>
        <button type="submit">Send</button>
      </form>
      @if (refusal(); as why) {
        <p id="chat-refusal" class="refusal" role="alert">{{ why }}</p>
      }
    </section>
  `,
  styles: `
    .chat {
      margin: 1rem 0;
    }
    h2 {
      font-size: 1rem;
      margin: 0 0 0.5rem;
    }
    .lines {
      list-style: none;
      margin: 0 0 0.5rem;
      padding: 0.5rem;
      max-height: 14rem;
      overflow-y: auto;
      border: 1px solid var(--border);
      border-radius: 0.5rem;
      background: var(--surface);
    }
    .lines li {
      margin: 0.25rem 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .who {
      font-weight: 600;
      margin-right: 0.4rem;
    }
    .empty {
      color: var(--muted);
    }
    .compose {
      display: flex;
      gap: 0.5rem;
      align-items: flex-end;
      flex-wrap: wrap;
    }
    .compose label {
      width: 100%;
    }
    textarea {
      flex: 1;
      font: inherit;
    }
    .refusal {
      color: var(--danger);
      margin: 0.4rem 0 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatPanelComponent {
  readonly peerName = input.required<string>();
  protected readonly calls = inject(CallService);
  protected readonly refusal = signal<string | null>(null);
  protected readonly maxLength = CHAT_MAX_LENGTH;
  private readonly message = viewChild.required<ElementRef<HTMLTextAreaElement>>('message');
  private readonly log = viewChild.required<ElementRef<HTMLOListElement>>('log');

  constructor() {
    // Keep the newest line in view.
    effect(() => {
      this.calls.chat();
      const log = this.log().nativeElement;
      queueMicrotask(() => (log.scrollTop = log.scrollHeight));
    });
  }

  protected sendOnEnter(event: Event): void {
    if ((event as KeyboardEvent).shiftKey) return; // Shift+Enter: a new line
    this.send(event);
  }

  protected send(event: Event): void {
    event.preventDefault();
    const field = this.message().nativeElement;
    const why = this.calls.sendChat(field.value);
    this.refusal.set(why);
    if (why === null) field.value = '';
  }
}
