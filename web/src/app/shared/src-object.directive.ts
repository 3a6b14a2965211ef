import { Directive, ElementRef, effect, inject, input } from '@angular/core';

/** Binds a MediaStream to a `<video>`/`<audio>` element (`srcObject` is not an attribute). */
@Directive({ selector: 'video[cgSrcObject], audio[cgSrcObject]' })
export class SrcObjectDirective {
  readonly cgSrcObject = input<MediaStream | null>(null);
  private readonly element = inject<ElementRef<HTMLMediaElement>>(ElementRef).nativeElement;

  constructor() {
    effect(() => {
      const stream = this.cgSrcObject();
      if (this.element.srcObject !== stream) this.element.srcObject = stream;
      if (stream) this.element.play().catch(() => undefined); // autoplay may wait for a gesture
    });
  }
}
