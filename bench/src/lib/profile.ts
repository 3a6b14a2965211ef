import { relative } from 'node:path';
import type { InspectorSession } from './inspector.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface HotFunction {
  name: string;
  where: string;
  /** Share of all samples where this function was on top of the stack. */
  selfShare: number;
}

export interface ProfileSummary {
  /** Share of the profiled wall time the main thread was busy. */
  busy: number;
  top: HotFunction[];
  /** Share of samples grouped by where the code lives (product, socket.io, node internals, GC...). */
  byArea: { area: string; share: number }[];
}

function areaOf(url: string, name: string, repoRoot: string): string {
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(idle)' || name === '(program)') return name.slice(1, -1);
  if (url.includes('/node_modules/')) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    return match?.[1] ?? 'node_modules';
  }
  if (url.startsWith('node:') || url === '') return 'node core / native';
  const path = url.replace(/^file:\/\//, '');
  return relative(repoRoot, path).split('/').slice(0, 3).join('/');
}

/** Self-time summary of a V8 CPU profile (the `.cpuprofile` format). */
export function summarizeProfile(profile: CpuProfile, repoRoot: string, topN = 12): ProfileSummary {
  const all = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const idle = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  // Shares are of the time the process was busy: idle samples say nothing about cost.
  const total = all - idle || 1;
  const byFunction = new Map<string, HotFunction>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const file = url.replace(/^file:\/\//, '');
    const where = file ? `${relative(repoRoot, file)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = byFunction.get(key) ?? { name, where, selfShare: 0 };
    entry.selfShare += hits / total;
    byFunction.set(key, entry);
    const area = areaOf(url, name, repoRoot);
    byArea.set(area, (byArea.get(area) ?? 0) + hits / total);
  }
  return {
    busy: total / all,
    top: [...byFunction.values()].sort((a, b) => b.selfShare - a.selfShare).slice(0, topN),
    byArea: [...byArea.entries()]
      .map(([area, share]) => ({ area, share }))
      .sort((a, b) => b.share - a.share)
      .slice(0, 10),
  };
}

/** Profiles the inspected process for `durationMs` while `load` runs. */
export async function profileDuring<T>(
  inspector: InspectorSession,
  load: () => Promise<T>,
): Promise<{ profile: CpuProfile; result: T }> {
  await inspector.send('Profiler.enable');
  await inspector.send('Profiler.setSamplingInterval', { interval: 500 });
  await inspector.send('Profiler.start');
  const result = await load();
  const stopped = (await inspector.send('Profiler.stop')) as { profile: CpuProfile };
  return { profile: stopped.profile, result };
}

export function profileMarkdown(title: string, summary: ProfileSummary): string {
  const lines = [
    `**${title}** — main thread busy ${(summary.busy * 100).toFixed(0)} % of the profiled time; top functions by share of busy time (self):`,
    '',
    '| Self time | Function | Where |',
    '| ---: | --- | --- |',
    ...summary.top.map(
      (f) => `| ${(f.selfShare * 100).toFixed(1)} % | \`${f.name}\` | ${f.where || '—'} |`,
    ),
    '',
    `Busy time by area: ${summary.byArea.map((a) => `${a.area} ${(a.share * 100).toFixed(0)} %`).join(', ')}.`,
  ];
  return lines.join('\n');
}

interface SamplingHeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingHeapNode[];
}

export interface HeapSiteSummary {
  totalBytes: number;
  top: { name: string; where: string; bytes: number }[];
  byArea: { area: string; bytes: number }[];
}

/** Starts V8's sampling heap profiler (allocation sites of objects still alive at stop). */
export async function startHeapSampling(inspector: InspectorSession): Promise<void> {
  await inspector.send('HeapProfiler.enable');
  await inspector.send('HeapProfiler.startSampling', { samplingInterval: 8192 });
}

/** Stops sampling (after a GC, so only retained memory counts) and summarises by site. */
export async function stopHeapSampling(
  inspector: InspectorSession,
  repoRoot: string,
  topN = 12,
): Promise<HeapSiteSummary> {
  await inspector.collectGarbage();
  const { profile } = (await inspector.send('HeapProfiler.stopSampling')) as {
    profile: { head: SamplingHeapNode };
  };
  const sites = new Map<string, { name: string; where: string; bytes: number }>();
  const areas = new Map<string, number>();
  let totalBytes = 0;
  const visit = (node: SamplingHeapNode): void => {
    if (node.selfSize > 0) {
      const { functionName, url, lineNumber } = node.callFrame;
      const name = functionName || '(anonymous)';
      const file = url.replace(/^file:\/\//, '');
      const where = file ? `${relative(repoRoot, file)}:${lineNumber + 1}` : '';
      const key = `${name}@${where}`;
      const site = sites.get(key) ?? { name, where, bytes: 0 };
      site.bytes += node.selfSize;
      sites.set(key, site);
      const area = areaOf(url, name, repoRoot);
      areas.set(area, (areas.get(area) ?? 0) + node.selfSize);
      totalBytes += node.selfSize;
    }
    node.children.forEach(visit);
  };
  visit(profile.head);
  return {
    totalBytes,
    top: [...sites.values()].sort((a, b) => b.bytes - a.bytes).slice(0, topN),
    byArea: [...areas.entries()]
      .map(([area, bytes]) => ({ area, bytes }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 10),
  };
}

export function heapSitesMarkdown(
  title: string,
  summary: HeapSiteSummary,
  perUnit: number,
  unit: string,
): string {
  const per = (bytes: number) => Math.round(bytes / perUnit).toLocaleString('en-US');
  return [
    `**${title}** — retained memory by allocation site (V8 sampling heap profiler, after GC), ${per(summary.totalBytes)} B per ${unit} sampled in total:`,
    '',
    `| B per ${unit} | Allocated in | Where |`,
    '| ---: | --- | --- |',
    ...summary.top.map((s) => `| ${per(s.bytes)} | \`${s.name}\` | ${s.where || '—'} |`),
    '',
    `By area (B per ${unit}): ${summary.byArea.map((a) => `${a.area} ${per(a.bytes)}`).join(', ')}.`,
  ].join('\n');
}
