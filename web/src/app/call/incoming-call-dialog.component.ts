import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  afterNextRender,
  computed,
  inject,
  viewChild,
} from '@angular/core';

import { SrcObjectDirective } from '../shared/src-object.directive';
import { CallService } from './call.service';

/**
 * The incoming-call dialog: who is calling, Accept, Decline (Escape declines), and a
 * preview of our own camera (opened while it rings, see ActiveCall) so the person sees
 * what the caller will see before picking up. Nothing of it leaves before Accept.
 */
@Component({
  selector: 'cg-incoming-call-dialog',
  imports: [SrcObjectDirective],
  template: `
    <div class="backdrop">
      <div
        class="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="incoming-title"
        aria-describedby="incoming-caller"
        (keydown.escape)="calls.decline()"
        (keydown.tab)="trapFocus($event)"
        (keydown.shift.tab)="trapFocus($event)"
      >
        <h2 id="incoming-title">Incoming call</h2>
        <p id="incoming-caller" class="caller">
          {{ caller() }} is calling you
          @if (calls.voiceCall()) {
            <span class="kind">Voice call: your camera stays off unless you turn it on.</span>
          }
        </p>
        @if (preview(); as stream) {
          <video
            class="preview"
            data-testid="ringing-preview"
            [cgSrcObject]="stream"
            autoplay
            playsinline
            [muted]="true"
            aria-label="Your camera preview (not sent until you accept)"
          ></video>
        }
        <div class="actions">
          <button #accept type="button" class="primary" (click)="calls.accept()">Accept</button>
          <button #decline type="button" class="danger" (click)="calls.decline()">Decline</button>
        </div>
      </div>
    </div>
  `,
  styles: `
    .backdrop {
      position: fixed;
      inset: 0;
      display: grid;
      place-items: center;
      background: rgb(0 0 0 / 0.45);
      z-index: 10;
      padding: 1rem;
    }
    .dialog {
      background: var(--surface);
      color: var(--text);
      border-radius: 0.75rem;
      padding: 1.5rem;
      width: min(22rem, 100%);
      box-shadow: 0 1rem 3rem rgb(0 0 0 / 0.35);
      text-align: center;
    }
    h2 {
      margin: 0 0 0.5rem;
      font-size: 1rem;
      color: var(--muted);
      font-weight: 500;
    }
    .caller {
      font-size: 1.35rem;
      font-weight: 600;
      margin: 0 0 1.25rem;
    }
    .kind {
      display: block;
      font-size: 0.95rem;
      font-weight: 400;
      margin-top: 0.4rem;
    }
    .preview {
      display: block;
      width: 100%;
      aspect-ratio: 4 / 3;
      object-fit: cover;
      border-radius: 0.5rem;
      background: #000;
      margin: 0 0 1.25rem;
      transform: scaleX(-1);
    }
    .actions {
      display: flex;
      gap: 0.75rem;
    }
    .actions button {
      flex: 1;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class IncomingCallDialogComponent {
  protected readonly calls = inject(CallService);
  private readonly acceptButton = viewChild.required<ElementRef<HTMLButtonElement>>('accept');
  private readonly declineButton = viewChild.required<ElementRef<HTMLButtonElement>>('decline');
  protected readonly caller = computed(() => {
    const s = this.calls.state();
    return s.name === 'incoming' ? s.peer.displayName || s.peer.username : '';
  });

  /** Our camera while it rings; none in a voice call or before it is open. */
  protected readonly preview = computed(() => {
    const stream = this.calls.localStream();
    return stream?.getVideoTracks().some((t) => t.readyState === 'live') ? stream : null;
  });

  constructor() {
    afterNextRender(() => this.acceptButton().nativeElement.focus());
  }

  /** Keeps Tab inside the dialog (it is modal): Accept ⇄ Decline. */
  protected trapFocus(event: Event): void {
    event.preventDefault();
    const accept = this.acceptButton().nativeElement;
    const next = document.activeElement === accept ? this.declineButton() : this.acceptButton();
    next.nativeElement.focus();
  }
}
