import { Directive, ElementRef, effect, inject, input } from '@angular/core';

type SinkCapable = HTMLMediaElement & { setSinkId?: (sinkId: string) => Promise<void> };

/** Routes an `<audio>`/`<video>` element's output to a chosen speaker, where supported. */
@Directive({ selector: 'audio[cgSinkId], video[cgSinkId]' })
export class SinkIdDirective {
  readonly cgSinkId = input<string | null>(null);
  private readonly element = inject<ElementRef<SinkCapable>>(ElementRef).nativeElement;

  constructor() {
    effect(() => {
      const sinkId = this.cgSinkId();
      if (sinkId === null || !this.element.setSinkId) return;
      this.element.setSinkId(sinkId).catch((error: unknown) => {
        console.warn('[media] could not switch the speaker', error);
      });
    });
  }
}
