import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from '../lib/cleanup.ts';
import { docker, RUN_ID } from '../lib/docker.ts';
import { row, type Benchmark, type BenchmarkContext, type Row } from '../lib/result.ts';
import { below } from '../lib/targets.ts';
import { freePort } from '../lib/servers.ts';
import { median } from '../lib/stats.ts';
import { barChartSvg } from '../lib/svg.ts';
import { sleep } from '../lib/time.ts';

const HEALTHY_WITHIN_S = 60;

interface ServiceState {
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
}

/** A compose project of the real docker-compose.yml plus the bench's port override. */
class Stack {
  readonly project = `cgbench-${RUN_ID}`;
  private readonly files: string[];
  readonly repoRoot: string;

  constructor(repoRoot: string, override: string) {
    this.repoRoot = repoRoot;
    this.files = ['-f', join(repoRoot, 'docker-compose.yml'), '-f', override];
  }

  compose(args: readonly string[], timeoutMs = 600_000): Promise<string> {
    return docker(['compose', '-p', this.project, ...this.files, ...args], timeoutMs);
  }

  async states(): Promise<ServiceState[]> {
    const out = await this.compose(['ps', '-a', '--format', 'json']);
    return out
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as ServiceState);
  }

  /** Seconds from `up -d` until every service is healthy (one-shots: exited 0). */
  async timeUp(services: readonly string[], expected: readonly string[]): Promise<number> {
    const started = performance.now();
    await this.compose(['up', '-d', ...services], 300_000);
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const states = await this.states();
      const ready = expected.every((name) => {
        const s = states.find((state) => state.Service === name);
        if (!s) return false;
        if (s.State === 'exited') {
          if (s.ExitCode !== 0) throw new Error(`${name} exited with ${s.ExitCode}`);
          return true;
        }
        return s.Health === 'healthy' || (s.Health === '' && s.State === 'running');
      });
      if (ready) return (performance.now() - started) / 1000;
      await sleep(250);
    }
    const summary = (await this.states()).map((s) => `${s.Service}: ${s.State} ${s.Health}`.trim());
    throw new Error(`not all healthy 150 s after \`up -d\` (${summary.join(', ')})`);
  }

  down(): Promise<string> {
    return this.compose(['down', '-v', '--timeout', '5'], 120_000);
  }
}

/** The last `FROM` of a Dockerfile: the image the built one is based on. */
function baseImage(dockerfile: string): string {
  const froms = [...readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+(\S+)/gim)].map(
    (m) => m[1]!,
  );
  return froms[froms.length - 1] ?? 'unknown';
}

async function imageSize(image: string): Promise<number> {
  return Number((await docker(['image', 'inspect', '-f', '{{.Size}}', image])).trim());
}

async function imageRows(
  context: BenchmarkContext,
  stack: Stack,
): Promise<{ rows: Row[]; sizes: { name: string; size: number; base: number }[] }> {
  const config = JSON.parse(await stack.compose(['config', '--format', 'json'])) as {
    services: Record<string, { image?: string; build?: { context: string; dockerfile?: string } }>;
  };
  const rows: Row[] = [];
  const sizes: { name: string; size: number; base: number }[] = [];
  for (const [name, service] of Object.entries(config.services)) {
    const image = service.image ?? `${stack.project}-${name}`;
    const size = await imageSize(image);
    const base = service.build
      ? baseImage(join(service.build.context, service.build.dockerfile ?? 'Dockerfile'))
      : image;
    const baseSize = await imageSize(base);
    sizes.push({ name, size, base: baseSize });
    rows.push(
      row(
        `Image size: ${name} (${service.build ? 'built' : image})`,
        'MB',
        size / 1e6,
        `base ${base}`,
        baseSize / 1e6,
        '—',
        null,
      ),
    );
    context.log(
      `image ${name}: ${(size / 1e6).toFixed(0)} MB (base ${base} ${(baseSize / 1e6).toFixed(0)} MB)`,
    );
  }
  return { rows, sizes };
}

export const startupBenchmark: Benchmark = {
  name: 'startup',
  title: '5. Start-up and image sizes',
  async run(context) {
    const repeats = context.quick ? 1 : 3;
    const dir = mkdtempSync(join(tmpdir(), 'callgate-bench-compose-'));
    onCleanup('compose override directory', () => rmSync(dir, { recursive: true, force: true }));
    // Same stack, but published only on free loopback ports: other people on this
    // machine may run the stack (or its tests) with the default ports at the same time.
    const override = join(dir, 'bench.override.yml');
    writeFileSync(
      override,
      [
        'services:',
        '  web:',
        `    ports: !override ['127.0.0.1:${await freePort()}:8443', '127.0.0.1:${await freePort()}:8080']`,
        '  turn:',
        '    ports: !reset []',
        '',
      ].join('\n'),
    );
    const stack = new Stack(context.repoRoot, override);
    onCleanup('compose project', async () => {
      await stack.down().catch(() => undefined);
    });

    context.log('building images (docker compose build)');
    const buildStarted = performance.now();
    await stack.compose(['build'], 900_000);
    const buildSeconds = (performance.now() - buildStarted) / 1000;

    const services = (await stack.compose(['config', '--services'])).split('\n').filter(Boolean);
    const cold: number[] = [];
    const warm: number[] = [];
    const dbOnly: number[] = [];
    for (let i = 0; i < repeats; i++) {
      await stack.down();
      dbOnly.push(await stack.timeUp(['db'], ['init', 'db']));
      context.log(`db alone (fresh volumes) healthy in ${dbOnly[i]!.toFixed(1)} s`);
      await stack.down();
      cold.push(await stack.timeUp([], services));
      context.log(`whole stack (fresh volumes) healthy in ${cold[i]!.toFixed(1)} s`);
      await stack.compose(['stop', '--timeout', '5']);
      warm.push(await stack.timeUp([], services));
      context.log(`whole stack (restart, volumes kept) healthy in ${warm[i]!.toFixed(1)} s`);
    }
    const images = await imageRows(context, stack);
    await stack.down();

    const coldMedian = median(cold);
    const warmMedian = median(warm);
    const dbMedian = median(dbOnly);
    const rows = [
      row(
        '`docker compose up -d` → all healthy, first start (fresh volumes)',
        's',
        coldMedian,
        'db service alone, fresh volume',
        dbMedian,
        `< ${HEALTHY_WITHIN_S} s`,
        below(coldMedian, HEALTHY_WITHIN_S),
      ),
      row(
        '`docker compose up -d` → all healthy, restart (volumes kept)',
        's',
        warmMedian,
        'db service alone, fresh volume',
        dbMedian,
        `< ${HEALTHY_WITHIN_S} s`,
        below(warmMedian, HEALTHY_WITHIN_S),
      ),
      ...images.rows,
    ];
    const chart = barChartSvg({
      title: 'Image sizes: built image vs its base image',
      yLabel: 'MB',
      categories: images.sizes.map((s) => s.name),
      series: [
        { name: 'image', values: images.sizes.map((s) => s.size / 1e6) },
        { name: 'base image', values: images.sizes.map((s) => s.base / 1e6) },
      ],
    });
    return {
      method: `The real \`docker-compose.yml\` under a throw-away project name, with an override that publishes web on free loopback ports and turn on none (the default ports may be taken by other stacks on this machine; publishing does not change start-up). Images are built first (\`docker compose build\`, ${buildSeconds.toFixed(0)} s with the layer cache in this run; not part of the timing). Then, ${repeats}× each: \`docker compose up -d\` with fresh volumes (first start: the init service generates secrets and the certificate, PostgreSQL initialises its data directory, the gateway runs its migrations) and after \`docker compose stop\` (volumes kept), timed until every service reports healthy (\`init\` exited 0), polling \`docker compose ps\` every 250 ms; medians reported. Baseline: the \`db\` service alone (with its \`init\` dependency) from fresh volumes — the floor the stack cannot beat, since the gateway waits for it. Image sizes are \`docker image inspect\` sizes, next to each image's base image.`,
      rows,
      details: [
        `Runs (s): first start ${cold.map((v) => v.toFixed(1)).join(', ')}; restart ${warm.map((v) => v.toFixed(1)).join(', ')}; db alone ${dbOnly.map((v) => v.toFixed(1)).join(', ')}.`,
      ],
      charts: [{ file: 'startup-images.svg', title: 'Image sizes', svg: chart }],
      notes: [],
    };
  },
};
