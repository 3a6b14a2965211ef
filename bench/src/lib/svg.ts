/**
 * Hand-written SVG charts: a line chart (several series over a numeric x axis) and a
 * grouped bar chart. No dependencies; output is deterministic for the same input.
 */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Draw dashed (e.g. for a target line). */
  dashed?: boolean;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Logarithmic y axis. */
  logY?: boolean;
  yMin?: number;
}

const WIDTH = 720;
const HEIGHT = 420;
const M = { left: 70, right: 180, top: 40, bottom: 55 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#7f7f7f'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** "Nice" tick values covering [min, max]. */
function ticks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (Math.abs(v) >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(names: readonly { name: string; dashed?: boolean }[]): string[] {
  const x = WIDTH - M.right + 15;
  return names.flatMap((s, i) => {
    const y = M.top + 10 + i * 20;
    const color = COLORS[i % COLORS.length];
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    return [
      `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${color}" stroke-width="3"${dash}/>`,
      `<text x="${x + 28}" y="${y + 4}">${esc(s.name)}</text>`,
    ];
  });
}

export function lineChartSvg(chart: LineChart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter((y) => Number.isFinite(y));
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const px = (x: number): number => M.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;

  let py: (y: number) => number;
  let yTicks: number[];
  if (chart.logY) {
    const lo = Math.floor(Math.log10(Math.max(Math.min(...ys), 1e-3)));
    const hi = Math.ceil(Math.log10(Math.max(...ys, 1)));
    const top = hi === lo ? hi + 1 : hi;
    py = (y) => M.top + plotH - ((Math.log10(Math.max(y, 10 ** lo)) - lo) / (top - lo)) * plotH;
    yTicks = Array.from({ length: top - lo + 1 }, (_, i) => 10 ** (lo + i));
  } else {
    const yMin = chart.yMin ?? Math.min(0, ...ys);
    const yTop = Math.max(...ys, yMin + 1) * 1.08;
    yTicks = ticks(yMin, yTop);
    const yMax = yTicks[yTicks.length - 1]! > yTop ? yTicks[yTicks.length - 1]! : yTop;
    py = (y) => M.top + plotH - ((y - yMin) / (yMax - yMin || 1)) * plotH;
  }

  const body: string[] = [];
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    body.push(
      `<line x1="${M.left}" y1="${y}" x2="${M.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of ticks(xMin, xMax)) {
    const x = px(t).toFixed(1);
    body.push(
      `<line x1="${x}" y1="${M.top + plotH}" x2="${x}" y2="${M.top + plotH + 5}" stroke="#333"/>`,
      `<text x="${x}" y="${M.top + plotH + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  body.push(
    `<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">${esc(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (pts.length === 0) return;
    const d = pts.map(
      (p, j) => `${j === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`,
    );
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    body.push(`<path d="${d.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    if (!s.dashed) {
      for (const p of pts) {
        body.push(
          `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${color}"/>`,
        );
      }
    }
  });
  body.push(...legend(chart.series));
  return frame(chart.title, body);
}

export interface BarChart {
  title: string;
  yLabel: string;
  /** Category labels along x. */
  categories: readonly string[];
  /** One group member per series; values indexed like `categories`. */
  series: readonly { name: string; values: readonly number[] }[];
}

export function barChartSvg(chart: BarChart): string {
  const values = chart.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const yTicks = ticks(0, Math.max(...values, 1) * 1.08);
  const yMax = yTicks[yTicks.length - 1]!;
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const py = (y: number): number => M.top + plotH - (y / yMax) * plotH;
  const groupW = plotW / Math.max(chart.categories.length, 1);
  const barW = (groupW * 0.8) / Math.max(chart.series.length, 1);
  const body: string[] = [];
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    body.push(
      `<line x1="${M.left}" y1="${y}" x2="${M.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  chart.categories.forEach((category, c) => {
    const gx = M.left + c * groupW;
    body.push(
      `<text x="${(gx + groupW / 2).toFixed(1)}" y="${M.top + plotH + 18}" text-anchor="middle">${esc(category)}</text>`,
    );
    chart.series.forEach((s, i) => {
      const v = s.values[c];
      if (v === undefined || !Number.isFinite(v)) return;
      const x = gx + groupW * 0.1 + i * barW;
      body.push(
        `<rect x="${x.toFixed(1)}" y="${py(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(M.top + plotH - py(v)).toFixed(1)}" fill="${COLORS[i % COLORS.length]}"/>`,
      );
    });
  });
  body.push(
    `<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`,
    ...legend(chart.series),
  );
  return frame(chart.title, body);
}
