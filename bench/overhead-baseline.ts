// The warm-path overhead of this build against another build of ovcache (a baseline: the
// dist/ folder of an older checkout, built separately), interleaved in one process so both see
// the same machine load. Each build loads the stand-in with its own Core and its own cache
// folder; one iteration times a bare compileModel and a cache.compile of each build in turn.
// Both sides are the package's ModelCache (the baseline's lib/index.js exports that one).
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { summarize, type Summary } from '../lib/bench/stats';
import { ModelCache } from '../lib/model-cache';
import type { Core } from '../lib/openvino/core';
import { STAND_IN } from './stand-in-bench';

interface Build {
  name: string;
  core: {
    compileModel(xml: string, device: string, config: Record<string, string>): Promise<{ loadedFromCache: boolean; dispose(): void }>;
  };
  cache: {
    compile(xml: string, options: { device: string }): Promise<{ hit: boolean; entryDir: string | null; compiled: { dispose(): void } }>;
    dispose(): Promise<void>;
  };
  entryDir: string;
  overhead: number[];
}

interface BaselineModule {
  loadOpenVINO(options: { libraryPath: string }): Promise<{ createCore(): Build['core'] }>;
  ModelCache: new (options: { core: Build['core']; dir: string }) => Build['cache'];
}

export interface BaselineComparison {
  baseline: string;
  iterations: number;
  current: Summary;
  baselineOverhead: Summary;
  /** Median overhead of this build / median overhead of the baseline. */
  ratio: number;
}

export async function compareWithBaseline(
  baselineDist: string,
  core: Core,
  xml: string,
  work: string,
  iterations: number,
): Promise<BaselineComparison> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const old = require(path.resolve(baselineDist, 'lib', 'index.js')) as BaselineModule;
  const oldCore = (await old.loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  const builds: Build[] = [];
  for (const [name, make, c] of [
    ['current', (dir: string) => new ModelCache({ core, dir }), core],
    ['baseline', (dir: string) => new old.ModelCache({ core: oldCore, dir }), oldCore],
  ] as const) {
    const dir = path.join(work, `compare-${name}`);
    fs.mkdirSync(dir);
    const cache = make(dir);
    const first = await cache.compile(xml, { device: 'CPU' });
    first.compiled.dispose();
    builds.push({ name, core: c, cache, entryDir: first.entryDir as string, overhead: [] });
  }
  for (let i = 0; i < iterations + 20; i++) {
    for (const b of i % 2 === 0 ? builds : [...builds].reverse()) {
      let t = performance.now();
      const bare = await b.core.compileModel(xml, 'CPU', { CACHE_DIR: b.entryDir });
      const bareMs = performance.now() - t;
      const bareHit = bare.loadedFromCache;
      bare.dispose();
      t = performance.now();
      const r = await b.cache.compile(xml, { device: 'CPU' });
      const cacheMs = performance.now() - t;
      r.compiled.dispose();
      if (!bareHit || !r.hit) throw new Error(`${b.name}: a warm compile missed`);
      if (i >= 20) b.overhead.push(cacheMs - bareMs);
    }
  }
  for (const b of builds) await b.cache.dispose();
  const [current, baseline] = builds.map((b) => summarize(b.overhead)) as [Summary, Summary];
  return { baseline: baselineDist, iterations, current, baselineOverhead: baseline, ratio: current.median / baseline.median };
}
