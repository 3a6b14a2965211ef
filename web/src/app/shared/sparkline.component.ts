import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

const WIDTH = 120;
const HEIGHT = 28;

/** A tiny line chart of recent values (decorative: the number next to it is the content). */
@Component({
  selector: 'cg-sparkline',
  template: `
    <svg [attr.viewBox]="'0 0 ' + width + ' ' + height" aria-hidden="true" focusable="false">
      <polyline [attr.points]="points()" />
    </svg>
  `,
  styles: `
    :host {
      display: block;
    }
    svg {
      width: 100%;
      height: 1.75rem;
      overflow: visible;
    }
    polyline {
      fill: none;
      stroke: var(--accent);
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SparklineComponent {
  readonly values = input.required<readonly (number | null)[]>();
  /** How many points the full width holds. */
  readonly capacity = input(30);
  protected readonly width = WIDTH;
  protected readonly height = HEIGHT;

  protected readonly points = computed(() => {
    const values = this.values();
    const known = values.filter((v): v is number => v !== null);
    const max = Math.max(1e-9, ...known);
    const step = WIDTH / Math.max(1, this.capacity() - 1);
    const offset = this.capacity() - values.length;
    return values
      .map((v, i) =>
        v === null
          ? null
          : `${((offset + i) * step).toFixed(1)},${(HEIGHT - (v / max) * HEIGHT).toFixed(1)}`,
      )
      .filter((p) => p !== null)
      .join(' ');
  });
}
