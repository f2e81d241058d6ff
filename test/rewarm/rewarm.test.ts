// Issue 27: upgrading OpenVINO (or a driver) without a cold start. Each build runs in its own
// process, as after a real upgrade: the stand-in reports OV_STUB_VERSION as its build number and
// OV_STUB_CPU_NAME as the CPU's FULL_DEVICE_NAME (test-runtime/README.md).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest, writeManifest, type EntryManifest } from '../../lib/cache/entry/manifest';
import { readHistory } from '../../lib/history/reader';
import { writeImageWeightsModel, writeWeightsModel } from '../../scripts/make-fixtures';
import { countEvents } from '../cache/helpers';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const OLD = '2025.4.0-20398-stub';
const NEW = '2025.4.1-20460-stub';

interface LsEntry {
  name: string;
  key: string;
  model: string;
  buildNumber: string;
  state: string;
  stale: string[];
  bytes: number;
}
interface RewarmJson {
  results: Array<{ name: string; status: string; changed: string[]; twinKey: string }>;
  skipped: Array<{ name: string; reason: string; detail: string | null }>;
  rewarmed: number;
  failed: number;
  pruned: { removed: Array<{ name: string }> } | null;
}
interface WarmJson {
  compiled: number;
  cached: number;
  failed: number;
}

function env(build: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    OPENVINO_LIB_PATH: STAND_IN,
    OV_STUB_VERSION: build,
    ...extra,
  };
}

function run(args: string[], vars: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { env: vars, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Rewrites an entry's manifest (the entries/<name> folder of `dir`). */
async function editManifest(dir: string, name: string, edit: (m: EntryManifest) => EntryManifest): Promise<void> {
  const entryDir = path.join(dir, 'entries', name);
  const read = await readManifest(entryDir);
  assert.equal(read.status, 'ok', `manifest of ${name}`);
  if (read.status === 'ok') await writeManifest(entryDir, edit(read.manifest));
}

/** A rewarm through the package's ModelCache with a budget (the CLI has no budget options). */
const REWARM_WITH_BUDGET = `
const { loadOpenVINO, ModelCache, rewarm } = require(process.argv[1]);
(async () => {
  const runtime = await loadOpenVINO();
  const cache = new ModelCache({ runtime, dir: process.argv[2], maxBytes: Number(process.argv[3]), lowWatermark: 1 });
  const report = await rewarm(cache);
  await cache.dispose();
  process.stdout.write(JSON.stringify({ rewarmed: report.rewarmed, failed: report.failed }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** One compile through a ModelCache with weightless: false: prints { cached, hit }. */
const COMPILE_FULL_BLOBS = `
const { loadOpenVINO, ModelCache } = require(process.argv[1]);
(async () => {
  const cache = new ModelCache({ runtime: await loadOpenVINO(), dir: process.argv[2], weightless: false });
  const r = await cache.compile(process.argv[3], { device: 'CPU', shapes: { image: [1, 3, 32, 32] } });
  r.compiled.dispose();
  await cache.dispose();
  process.stdout.write(JSON.stringify({ cached: r.cached, hit: r.hit }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** Compiles each model path given (no shapes, CPU) through one ModelCache: prints the stand-in's compile count. */
const COMPILE_PATHS = `
const { loadOpenVINO, ModelCache } = require(process.argv[1]);
const fs = require('fs');
(async () => {
  const cache = new ModelCache({ runtime: await loadOpenVINO(), dir: process.argv[2] });
  for (const m of process.argv.slice(3)) (await cache.compile(m, { device: 'CPU' })).compiled.dispose();
  await cache.dispose();
  const log = fs.existsSync(process.env.OV_STUB_LOG) ? fs.readFileSync(process.env.OV_STUB_LOG, 'utf8') : '';
  process.stdout.write(String(log.split('\\n').filter((l) => l.includes('"event":"compile"')).length));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

function json<T>(args: string[], vars: Record<string, string>): T {
  const r = run([...args, '--json'], vars);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

describe('rewarm: upgrading OpenVINO without a cold start', function () {
  this.timeout(120_000);
  let base: string;
  let dir: string;
  let manifest: string;
  let models: { small: string; large: string };
  const ls = (build: string): LsEntry[] => json<{ entries: LsEntry[] }>(['ls', '--dir', dir], env(build)).entries;
  const warm = (build: string, extra: Record<string, string> = {}): WarmJson =>
    json<WarmJson>(['warm', manifest, '--dir', dir], env(build, extra));

  beforeEach(() => {
    base = makeTempDir('ovcache-rewarm-');
    dir = path.join(base, 'cache');
    const small = writeImageWeightsModel(path.join(base, 'models'), 4096, 'small').xml;
    const large = writeWeightsModel(path.join(base, 'models'), 65_536, 'large').xml;
    models = { small, large };
    manifest = path.join(base, 'warm.json');
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        models: [
          { model: small, device: 'CPU', shapes: { image: [1, 3, 32, 32] } },
          { model: small, device: 'CPU', shapes: { image: [1, 3, 64, 64] } },
          { model: large, device: 'CPU', config: { PERFORMANCE_HINT: 'THROUGHPUT' } },
        ],
      }),
    );
  });

  afterEach(() => removeDir(base));

  it('a cache filled under one build, rewarmed under the next, serves a start under the next build with zero compiles', () => {
    assert.equal(warm(OLD).compiled, 3);
    const old = ls(NEW);
    assert.ok(old.every((e) => e.stale.includes('runtime-version')));

    const report = json<RewarmJson>(['rewarm', '--dir', dir], env(NEW));
    assert.equal(report.rewarmed, 3);
    assert.equal(report.failed, 0);
    assert.deepEqual(
      report.results.map((r) => r.changed),
      [['runtime.buildNumber'], ['runtime.buildNumber'], ['runtime.buildNumber']],
    );

    const log = path.join(base, 'stub.log');
    const start = warm(NEW, { OV_STUB_LOG: log });
    assert.deepEqual([start.compiled, start.cached, start.failed], [0, 3, 0]);
    assert.equal(countEvents(log, 'compile'), 0, 'the runtime compiled nothing');
    assert.equal(countEvents(log, 'import'), 3);
    // The old entries stay until asked, marked stale.
    const after = ls(NEW);
    assert.equal(after.filter((e) => e.buildNumber === OLD && e.state === 'stale').length, 3);
    assert.equal(after.filter((e) => e.buildNumber === NEW && e.state === 'ok').length, 3);
    // A second rewarm has nothing left to do.
    const again = json<RewarmJson>(['rewarm', '--dir', dir], env(NEW));
    assert.equal(again.rewarmed, 0);
    assert.equal(again.skipped.filter((s) => s.reason === 'rewarmed').length, 3);
  });

  it("records the rewarm's compiles in the cache's history, as the package's ModelCache does", () => {
    assert.equal(warm(OLD).compiled, 3);
    const misses = () => readHistory(dir).intervals.reduce((n, r) => n + r.misses, 0);
    const before = misses();
    assert.equal(json<RewarmJson>(['rewarm', '--dir', dir], env(NEW)).rewarmed, 3);
    assert.equal(misses() - before, 3, 'the 3 twins compiled by the rewarm are in the history');
  });

  it('a new device identity (a driver update) is rewarmed like a new build', () => {
    assert.equal(warm(OLD, { OV_STUB_CPU_NAME: 'Old CPU [driver 1]' }).compiled, 3);
    const report = json<RewarmJson>(['rewarm', '--dir', dir], env(OLD, { OV_STUB_CPU_NAME: 'Old CPU [driver 2]' }));
    assert.equal(report.rewarmed, 3);
    assert.ok(report.results.every((r) => r.changed.join() === 'device.fullName'));
    const start = warm(OLD, { OV_STUB_CPU_NAME: 'Old CPU [driver 2]' });
    assert.deepEqual([start.compiled, start.cached], [0, 3]);
  });

  it('a rewarm killed halfway resumes', async () => {
    assert.equal(warm(OLD).compiled, 3);
    const oldNames = new Set(ls(OLD).map((e) => e.name));
    const twins = (): LsEntry[] => ls(NEW).filter((e) => e.buildNumber === NEW && e.state === 'ok');
    // Each compile takes 1.5 s: the run is killed (SIGKILL, no cleanup) once the first twin is complete.
    const child = spawn(process.execPath, [CLI, 'rewarm', '--dir', dir, '--json'], {
      env: env(NEW, { OV_STUB_COMPILE_MS: '1500' }),
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (twins().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await exited;
    const done = twins().length;
    assert.ok(done >= 1 && done < 3, `killed after ${done} of 3`);

    const resumed = json<RewarmJson>(['rewarm', '--dir', dir], env(NEW));
    assert.equal(resumed.failed, 0);
    assert.equal(resumed.rewarmed, 3 - done, 'only what was left is compiled');
    assert.equal(resumed.skipped.filter((s) => s.reason === 'rewarmed').length, done);
    assert.ok(resumed.results.every((r) => oldNames.has(r.name)));
    const start = warm(NEW);
    assert.deepEqual([start.compiled, start.cached], [0, 3]);
  });

  it('rewarms an entry made with weightless: false as a full-blob twin, which a weightless: false service loads', () => {
    const CPU_WEIGHTLESS = { OV_STUB_WEIGHTLESS: 'CPU:CACHE_MODE' }; // the stand-in's CPU lists CACHE_MODE
    const compileFull = (build: string): { cached: boolean; hit: boolean } => {
      const r = spawnSync(process.execPath, ['-e', COMPILE_FULL_BLOBS, path.join(ROOT, 'dist', 'lib', 'index.js'), dir, models.small], {
        env: env(build, CPU_WEIGHTLESS),
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { cached: boolean; hit: boolean };
    };
    assert.deepEqual(compileFull(OLD), { cached: true, hit: false });
    // The CLI's cache is weightless 'auto', and the CPU can: the twin must still be a full-blob one.
    const report = json<RewarmJson>(['rewarm', '--dir', dir], env(NEW, CPU_WEIGHTLESS));
    assert.deepEqual(report.skipped, []);
    assert.deepEqual([report.rewarmed, report.failed], [1, 0]);
    assert.deepEqual(compileFull(NEW), { cached: true, hit: true });
  });

  it('rewarms every path an entry was loaded through: a model deployed at two paths loads from both', () => {
    const copy = path.join(base, 'copy');
    fs.mkdirSync(copy);
    for (const ext of ['.xml', '.bin']) fs.copyFileSync(models.large.replace(/\.xml$/, ext), path.join(copy, `large${ext}`));
    const paths = [models.large, path.join(copy, 'large.xml')];
    const compiles = (build: string): number => {
      const log = path.join(base, `stub-${build}.log`);
      const r = spawnSync(process.execPath, ['-e', COMPILE_PATHS, path.join(ROOT, 'dist', 'lib', 'index.js'), dir, ...paths], {
        env: env(build, { OV_STUB_LOG: log }),
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      return Number(r.stdout);
    };
    assert.equal(compiles(OLD), 2, 'one entry, one blob per path');
    assert.equal(json<RewarmJson>(['rewarm', '--dir', dir], env(NEW)).rewarmed, 1);
    assert.equal(compiles(NEW), 0, 'both paths load');
  });

  it('Ctrl-C keeps the twin of the compile in flight in the report, and says how many were left', async () => {
    assert.equal(warm(OLD).compiled, 3);
    const entries = (): number => fs.readdirSync(path.join(dir, 'entries')).length;
    const child = spawn(process.execPath, [CLI, 'rewarm', '--dir', dir, '--json'], {
      env: env(NEW, { OV_STUB_COMPILE_MS: '1500' }),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The first twin's folder, new beside whatever the warm-up left (counted, not assumed to be 3).
    const before = entries();
    const deadline = Date.now() + 60_000;
    while (entries() <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(entries() > before, 'the first twin was started within 60 s');
    child.kill('SIGINT'); // the first twin is being compiled
    assert.equal(await exited, 1);
    let report: RewarmJson & { interrupted: boolean; left: number };
    try {
      report = JSON.parse(out) as typeof report;
    } catch {
      assert.fail(`no report on stdout (entries before the rewarm: ${before}): ${out}`);
    }
    assert.deepEqual(
      report.results.map((r) => r.status),
      ['rewarmed'],
      `entries before the rewarm: ${before}; report: ${out}`,
    );
    assert.deepEqual([report.interrupted, report.left], [true, 2]);
    const twins = ls(NEW).filter((e) => e.buildNumber === NEW && e.state === 'ok');
    assert.deepEqual(
      twins.map((e) => e.name),
      report.results.map((r) => r.twinKey).map((k) => twins.find((e) => e.key === k)?.name),
    );
  });

  it('prune --stale removes the old build entries whose twin exists, and only those', () => {
    assert.equal(warm(OLD).compiled, 3);
    // Two of three rewarmed (most recently used first); a model only the new build ever compiled.
    assert.equal(json<RewarmJson>(['rewarm', '--dir', dir, '--limit', '2'], env(NEW)).rewarmed, 2);
    const only = path.join(base, 'only-new.json');
    fs.writeFileSync(only, JSON.stringify({ models: [{ model: models.large, device: 'CPU' }] }));
    assert.equal(json<WarmJson>(['warm', only, '--dir', dir], env(NEW)).compiled, 1);
    const before = ls(NEW);
    assert.equal(before.length, 6);

    const dry = json<{ removed: Array<{ name: string }> }>(['prune', '--stale', '--dry-run', '--dir', dir], env(NEW));
    assert.equal(dry.removed.length, 2);
    assert.equal(ls(NEW).length, 6, 'a dry run removes nothing');

    const pruned = json<{ removed: Array<{ name: string }> }>(['prune', '--stale', '--dir', dir], env(NEW));
    const removed = new Set(pruned.removed.map((r) => r.name));
    const expected = before.filter((e) => e.buildNumber === OLD).sort((a, b) => (a.name < b.name ? -1 : 1));
    const after = ls(NEW);
    assert.equal(removed.size, 2);
    assert.ok(
      [...removed].every((n) => expected.some((e) => e.name === n)),
      'only old-build entries are removed',
    );
    assert.deepEqual(
      after.map((e) => e.name).sort(),
      before
        .map((e) => e.name)
        .filter((n) => !removed.has(n))
        .sort(),
    );
    // What stays: the old entry not rewarmed yet, the two twins, the new build's own entry.
    assert.equal(after.filter((e) => e.buildNumber === OLD).length, 1);
    assert.equal(after.filter((e) => e.buildNumber === NEW).length, 3);
  });

  it('prune --stale and rewarm --prune-old run by the older build (a rollback) remove none of the newer build entries', () => {
    assert.equal(warm(OLD).compiled, 3);
    assert.equal(json<RewarmJson>(['rewarm', '--dir', dir], env(NEW)).rewarmed, 3);
    const before = ls(NEW)
      .map((e) => e.name)
      .sort();
    assert.equal(before.length, 6);
    const pruned = json<{ removed: Array<{ name: string }> }>(['prune', '--stale', '--dir', dir], env(OLD));
    assert.deepEqual(pruned.removed, []);
    const report = json<RewarmJson>(['rewarm', '--dir', dir, '--prune-old'], env(OLD));
    assert.deepEqual(report.pruned?.removed, []);
    assert.deepEqual(
      ls(NEW)
        .map((e) => e.name)
        .sort(),
      before,
    );
  });

  it('rewarm --prune-old removes the old entries once their twins exist; --since leaves entries not used lately', () => {
    assert.equal(warm(OLD).compiled, 3);
    const entries = ls(OLD);
    // One entry last used 30 days ago.
    const stale = entries[0] as LsEntry;
    const file = path.join(dir, 'entries', stale.name, 'ovcache-entry.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    m.lastUsedAt = new Date(Date.now() - 30 * 86_400_000).toISOString();
    fs.writeFileSync(file, JSON.stringify(m));

    const report = json<RewarmJson>(['rewarm', '--dir', dir, '--since', '7d', '--prune-old'], env(NEW));
    assert.equal(report.rewarmed, 2);
    assert.deepEqual(
      report.skipped.map((s) => [s.name, s.reason]),
      [[stale.name, 'not-recent']],
    );
    assert.equal(report.pruned?.removed.length, 2);
    const after = ls(NEW);
    assert.deepEqual(
      after.filter((e) => e.buildNumber === OLD).map((e) => e.name),
      [stale.name],
    );
    assert.equal(after.filter((e) => e.buildNumber === NEW).length, 2);
  });

  it('skips, with the reason, an entry whose model files are gone: nothing is compiled for it', () => {
    assert.equal(warm(OLD).compiled, 3);
    fs.rmSync(models.large);
    const report = json<RewarmJson>(['rewarm', '--dir', dir], env(NEW));
    assert.equal(report.rewarmed, 2);
    assert.deepEqual(
      report.skipped.map((s) => s.reason),
      ['model-missing'],
    );
    assert.equal(ls(NEW).filter((e) => e.buildNumber === NEW).length, 2);
  });

  it('skips, as key-differs, an old entry whose twin key differs in more than build or device: nothing is compiled under a guess', async () => {
    assert.equal(warm(OLD).compiled, 3);
    const large = ls(OLD).find((e) => e.model === 'large');
    assert.ok(large);
    // The manifest says the input was compiled as another element type than the model file has now.
    await editManifest(dir, large.name, (m) => ({
      ...m,
      parts: { ...m.parts, inputs: m.parts.inputs.map((i) => ({ ...i, elementType: i.elementType === 'f16' ? 'f32' : 'f16' })) },
    }));
    const log = path.join(base, 'stub.log');
    const report = json<RewarmJson>(['rewarm', '--dir', dir], env(NEW, { OV_STUB_LOG: log }));
    assert.equal(report.rewarmed, 2);
    assert.equal(report.failed, 0);
    assert.deepEqual(
      report.skipped.map((s) => [s.name, s.reason]),
      [[large.name, 'key-differs']],
    );
    assert.match(report.skipped[0]?.detail ?? '', /inputs\.\S+\.elementType/, 'the reason names the part that differs');
    assert.equal(countEvents(log, 'compile'), 2, 'only the two twins were compiled');
    assert.deepEqual(
      ls(NEW)
        .filter((e) => e.buildNumber === NEW)
        .map((e) => e.model),
      ['small', 'small'],
    );
  });

  it('a rewarm under a budget that cannot hold both generations keeps the current build twins and evicts the old entries', async () => {
    assert.equal(warm(OLD).compiled, 3);
    const oldEntries = ls(OLD);
    const generation = oldEntries.reduce((n, e) => n + e.bytes, 0);
    const smallest = Math.min(...oldEntries.map((e) => e.bytes));
    // One twin made an hour ago, while the old build went on serving: under LRU alone, that twin
    // (used least recently) would be the first entry evicted.
    assert.equal(json<RewarmJson>(['rewarm', '--dir', dir, '--limit', '1'], env(NEW)).rewarmed, 1);
    const first = ls(NEW).find((e) => e.buildNumber === NEW);
    assert.ok(first);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await editManifest(dir, first.name, (m) => ({ ...m, createdAt: hourAgo, lastUsedAt: hourAgo }));

    // Room for one generation, not for a second entry of the other.
    const maxBytes = generation + Math.floor(smallest / 2);
    const r = spawnSync(process.execPath, ['-e', REWARM_WITH_BUDGET, path.join(ROOT, 'dist', 'lib', 'index.js'), dir, String(maxBytes)], {
      env: env(NEW),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { rewarmed: 2, failed: 0 });

    const after = ls(NEW);
    assert.deepEqual(
      after.filter((e) => e.buildNumber === OLD).map((e) => e.name),
      [],
      'every old entry was evicted',
    );
    const twins = after.filter((e) => e.buildNumber === NEW && e.state === 'ok');
    assert.equal(twins.length, 3, 'the three twins stay, the one made an hour ago too');
    assert.ok(twins.some((e) => e.name === first.name));
    assert.ok(after.reduce((n, e) => n + e.bytes, 0) <= maxBytes, 'within the budget');
    const start = warm(NEW);
    assert.deepEqual([start.compiled, start.cached], [0, 3]);
  });

  it('rewarm --max-size keeps the cache within the budget, the old entries evicted first', () => {
    assert.equal(warm(OLD).compiled, 3);
    const oldEntries = ls(OLD);
    const maxBytes = oldEntries.reduce((n, e) => n + e.bytes, 0) + Math.floor(Math.min(...oldEntries.map((e) => e.bytes)) / 2);
    const report = json<RewarmJson>(['rewarm', '--dir', dir, '--max-size', String(maxBytes)], env(NEW));
    assert.deepEqual([report.rewarmed, report.failed], [3, 0]);
    const after = ls(NEW);
    assert.equal(after.filter((e) => e.buildNumber === OLD).length, 0, 'every old entry was evicted');
    assert.equal(after.filter((e) => e.buildNumber === NEW && e.state === 'ok').length, 3);
    assert.ok(after.reduce((n, e) => n + e.bytes, 0) <= maxBytes, 'within the budget');
  });
});
