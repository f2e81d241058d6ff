// One cell of the fault matrix, run in its own process by bench/fault-matrix.ts (which kills
// its process group when it overruns): sets a part up healthy on loopback, measures what a caller
// sees, makes the fault, measures again, heals it, and checks that what existed before is still
// there and right. Every operation is raced against OP_LIMIT_MS, so a hang is reported, never
// waited for. Prints "PARTIAL:<json>" after each phase and "CASE:<json>" at the end.
//   node dist/bench/fault-case.js <part> <fault>
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { MANIFEST_FILE } from '../lib/cache/entry/manifest';
import { ModelCache } from '../lib/model-cache';
import type { CompileResult } from '../lib/cache/compile-types';
import { Fleet } from '../lib/fleet/fleet';
import type { TierOptions } from '../lib/fleet/fleet-options';
import { loadOpenVINO } from '../lib/openvino/openvino';
import type { Core } from '../lib/openvino/core';
import { ResultCache } from '../lib/results/result-cache';
import { writeWeightsModel } from '../scripts/make-fixtures';
import { startDelayProxy, type DelayProxy } from '../test/helpers/delay-proxy';
import { RedisServer } from '../test/helpers/redis-server';
import { startS3, type S3Server } from '../test/fleet/servers';
import { STAND_IN } from './stand-in-bench';
import type { CaseResult, Fault, Measured, Part } from './fault-matrix-types';

export const OP_LIMIT_MS = Number(process.env.OVCACHE_FAULT_OP_LIMIT_MS ?? 10_000);
/** Tier calls' deadline in these cases (the default is 5000). */
const TIER_TIMEOUT_MS = 1000;
const SLOW_MS = 200;
const REDIS_TIMEOUT_MS = 250;

const [part, fault] = process.argv.slice(2) as [Part, Fault];
const result: CaseResult = { part, fault, status: 'measured', healthy: [], faulted: [], notes: [] };
const report = (tag: 'PARTIAL' | 'CASE'): void => void process.stdout.write(`${tag}:${JSON.stringify(result)}\n`);

interface Work {
  dir: string;
  core: Core;
  models: string;
  /** A model file of its own for each name (each a distinct cache key). */
  model(name: string): string;
}

function codeOf(error: unknown): string {
  const e = error as { code?: unknown; message?: string };
  return typeof e.code === 'string' ? e.code : `${(e.message ?? String(error)).split('\n')[0]?.slice(0, 80)}`;
}

/** Runs op within OP_LIMIT_MS: its outcome and time, 'hung > N s' (ms null) when it did not end. */
async function measure(list: Measured[], op: string, run: () => Promise<string>): Promise<Measured> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('__hung__'), OP_LIMIT_MS)));
  const outcome = await Promise.race([run().catch((error: unknown) => `error ${codeOf(error)}`), limit]);
  clearTimeout(timer);
  const m: Measured =
    outcome === '__hung__'
      ? { op, outcome: `hung > ${OP_LIMIT_MS / 1000} s`, ms: null }
      : { op, outcome, ms: Math.round((performance.now() - started) * 10) / 10 };
  list.push(m);
  if (m.ms === null) result.status = 'hung';
  report('PARTIAL');
  return m;
}

function describeCompile(r: CompileResult): string {
  r.compiled.dispose();
  if (r.hit) return r.tier ? 'hit (copied from the tier)' : 'hit';
  return r.cached ? 'compiled, cached' : `compiled without the cache (${r.uncachedReason})`;
}

async function openWork(): Promise<Work> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ovcache-fault-${part}-${fault}-`));
  const ov = await loadOpenVINO({ libraryPath: STAND_IN });
  const models = path.join(dir, 'models');
  fs.mkdirSync(models);
  const made = new Map<string, string>();
  return {
    dir,
    core: ov.createCore(),
    models,
    model(name) {
      if (!made.has(name)) made.set(name, writeWeightsModel(models, 16 * 1024 + made.size * 64, name).xml);
      return made.get(name) as string;
    },
  };
}

// ---- faults on a server process and on a volume -------------------------------------------

function pidOf(server: RedisServer): number {
  return (server as unknown as { process: { pid: number } }).process.pid;
}

/** A tmpfs of `size` at dir (root only): the volume a "full" case fills. */
function mountTmpfs(dir: string, size: string): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
}

/** Fills the volume of dir until `leaveBytes` are free; returns the filler's path. */
function fillVolume(dir: string, leaveBytes: number): string {
  const filler = path.join(dir, `filler-${leaveBytes}`);
  const s = fs.statfsSync(dir);
  const free = s.bavail * s.bsize;
  const fd = fs.openSync(filler, 'w');
  try {
    const chunk = Buffer.alloc(64 * 1024, 1);
    let left = free - leaveBytes;
    while (left > 0) {
      try {
        left -= fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
      } catch {
        break; // ENOSPC: as full as it gets
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

/** Redis answering writes with OOM (maxmemory 1 byte, noeviction); returns the undo. */
async function fillRedis(admin: Redis): Promise<() => Promise<void>> {
  await admin.config('SET', 'maxmemory-policy', 'noeviction');
  await admin.config('SET', 'maxmemory', '1');
  return async () => void (await admin.config('SET', 'maxmemory', '0'));
}

/** Redis refusing every command of the default user (ACL -@all); the admin user undoes it. */
async function denyRedis(server: RedisServer): Promise<() => Promise<void>> {
  const root = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
  await root.connect();
  await root.call('ACL', 'SETUSER', 'fault-admin', 'on', '>fault-admin', '~*', '&*', '+@all');
  await root.call('ACL', 'SETUSER', 'default', '-@all');
  root.disconnect();
  return async () => {
    const admin = new Redis({ port: server.port, host: '127.0.0.1', username: 'fault-admin', password: 'fault-admin', lazyConnect: true });
    await admin.connect();
    await admin.call('ACL', 'SETUSER', 'default', '+@all');
    admin.disconnect();
  };
}

// ---- the parts ------------------------------------------------------------------------------

/** Entries a cache folder holds whose manifest is missing or not complete (half-written). */
function incompleteEntries(cacheDir: string): string[] {
  const entries = path.join(cacheDir, 'entries');
  if (!fs.existsSync(entries)) return [];
  return fs.readdirSync(entries).filter((name) => {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(entries, name, MANIFEST_FILE), 'utf8')) as { complete?: boolean };
      return m.complete !== true;
    } catch {
      return true;
    }
  });
}

function modelCacheWith(work: Work, dir: string, tiers: TierOptions[], coordinator?: string): { cache: ModelCache; fleet: Fleet } {
  const fleet = new Fleet({
    tiers,
    ...(coordinator ? { coordinator: { redis: coordinator } } : {}),
    publish: 'sync',
    timeoutMs: TIER_TIMEOUT_MS,
    retryAfterMs: 0,
  });
  return { cache: new ModelCache({ core: work.core, dir: path.join(work.dir, dir), fleet }), fleet };
}

/** compile() then dispose() (with fleet.close()), each measured. */
async function compileOn(
  work: Work,
  list: Measured[],
  label: string,
  machine: { cache: ModelCache; fleet: Fleet },
  model: string,
): Promise<void> {
  const events = new Set<string>();
  const why = (reason: string) =>
    reason
      .split(work.dir)
      .join('…')
      .replace(/^(folder|s3):\S+ /, '')
      .slice(0, 60);
  machine.fleet.on('tier', (e) => events.add(`${e.op} ${e.outcome}${e.outcome === 'down' && e.reason ? `: ${why(e.reason)}` : ''}`));
  await measure(list, `${label}: compile()`, async () => {
    const outcome = describeCompile(await machine.cache.compile(work.model(model), { device: 'CPU' }));
    return `${outcome} [tier: ${[...events].join('; ')}]`;
  });
  await measure(list, `${label}: dispose()`, async () => {
    await machine.cache.dispose();
    await machine.fleet.close();
    return 'done';
  });
}

/** A fresh machine compiles `model`: a hit from the tier means the entry survived. */
async function tierStillHas(work: Work, tiers: TierOptions[], model: string, label: string): Promise<string> {
  const m = modelCacheWith(work, `check-${label}`, tiers);
  const events: string[] = [];
  m.fleet.on('tier', (e) => events.push(`${e.op} ${e.outcome}${e.reason ? ` (${e.reason.slice(0, 100)})` : ''}`));
  try {
    const r = await m.cache.compile(work.model(model), { device: 'CPU' });
    r.compiled.dispose();
    if (r.hit && r.tier !== undefined) return 'nothing';
    return `the entry made before is not served by the tier: a fresh machine got ${r.hit ? 'a local hit' : 'a compile'}; tier events: ${events.join(', ')}`;
  } finally {
    await m.cache.dispose();
    await m.fleet.close();
  }
}

async function redisCoordinator(work: Work): Promise<void> {
  const server = await RedisServer.start();
  const proxy = await startDelayProxy(server.port, 0);
  const url = `redis://127.0.0.1:${proxy.port}`;
  const tiers: TierOptions[] = [{ path: path.join(work.dir, 'shared') }];
  try {
    const seed = modelCacheWith(work, 'seed', tiers, url);
    await compileOn(work, [], 'seed', seed, 'before');
    await compileOn(work, result.healthy, 'new model', modelCacheWith(work, 'healthy', tiers, url), 'healthy');
    const machine = modelCacheWith(work, 'faulted', tiers, url);
    let heal: () => unknown = () => undefined;
    if (fault === 'killed') {
      result.how = 'redis-server SIGKILLed before the compile';
      await server.kill();
      heal = () => server.restart();
    } else if (fault === 'frozen') {
      result.how = 'redis-server SIGSTOPped once the lease was acquired (OV_STUB_COMPILE_MS 300)';
      process.env.OV_STUB_COMPILE_MS = '300';
      const pid = pidOf(server);
      machine.fleet.on('tier', (e) => {
        if (e.op === 'lease' && e.outcome === 'acquired') process.kill(pid, 'SIGSTOP');
      });
      heal = () => void process.kill(pid, 'SIGCONT');
    } else if (fault === 'slow') {
      result.how = `every packet delayed ${SLOW_MS} ms each way by a loopback proxy`;
      proxy.setDelay(SLOW_MS);
      heal = () => proxy.setDelay(0);
    } else if (fault === 'full') {
      result.how = 'Redis out of memory (maxmemory 1 byte, noeviction): writes answer OOM';
      const admin = new Redis({ port: server.port, host: '127.0.0.1' });
      const undo = await fillRedis(admin);
      heal = async () => {
        await undo();
        admin.disconnect();
      };
    } else {
      result.how = "the default user's commands denied by an ACL (-@all): NOPERM";
      heal = await denyRedis(server);
    }
    await compileOn(work, result.faulted, 'new model', machine, 'faulted');
    delete process.env.OV_STUB_COMPILE_MS;
    await heal();
    result.lost = await tierStillHas(work, tiers, 'before', 'after');
  } finally {
    await proxy.close();
    await server.stop();
  }
}

async function redisResults(work: Work): Promise<void> {
  const server = await RedisServer.start();
  const proxy = await startDelayProxy(server.port, 0);
  const url = `redis://127.0.0.1:${proxy.port}`;
  const valueFor = (i: number) => ({
    tensors: { out: { data: new Float32Array([i, i + 1, i + 2]), shape: [3], elementType: 'f32' as const } },
    meta: { i },
  });
  const misses = async (cache: ResultCache, list: Measured[], label: string, from: number): Promise<void> => {
    for (let i = from; i < from + 5; i++) {
      await measure(
        list,
        `${label} ${i - from + 1}`,
        async () => (await cache.getOrCompute({ model: 'm', params: { i } }, () => Promise.resolve(valueFor(i)))).outcome,
      );
    }
  };
  const open = (dir: string) => new ResultCache({ dir: path.join(work.dir, dir), redis: url, redisTimeout: REDIS_TIMEOUT_MS });
  try {
    const seed = open('seed');
    for (let i = 0; i < 3; i++) await seed.set(seed.keyFor({ model: 'm', params: { before: i } }), valueFor(i));
    await seed.close();
    const local = new ResultCache({ dir: path.join(work.dir, 'local-only') });
    const localOnly: Measured[] = [];
    await misses(local, localOnly, 'local-only miss', 100);
    await local.close();
    const sorted = localOnly.map((m) => m.ms ?? 0).sort((a, b) => a - b);
    result.notes.push(`a miss on a local-only ResultCache in this run: median ${sorted[2]} ms`);
    const healthy = open('healthy');
    await misses(healthy, result.healthy, 'miss', 200);
    await healthy.close();
    const cache = open('faulted');
    await cache.get(cache.keyFor({ model: 'm', params: { warm: 1 } })); // connected and up before the fault
    let heal: () => unknown = () => undefined;
    let redisKeptData = true;
    if (fault === 'killed') {
      result.how = 'redis-server SIGKILLed (no persistence: it restarts empty)';
      await server.kill();
      redisKeptData = false;
      heal = () => server.restart();
    } else if (fault === 'frozen') {
      result.how = 'redis-server SIGSTOPped';
      const pid = pidOf(server);
      process.kill(pid, 'SIGSTOP');
      heal = () => void process.kill(pid, 'SIGCONT');
    } else if (fault === 'slow') {
      result.how = `every packet delayed ${SLOW_MS} ms each way by a loopback proxy (redisTimeout ${REDIS_TIMEOUT_MS} ms)`;
      proxy.setDelay(SLOW_MS);
      heal = () => proxy.setDelay(0);
    } else if (fault === 'full') {
      result.how = 'Redis out of memory (maxmemory 1 byte, noeviction): writes answer OOM';
      const admin = new Redis({ port: server.port, host: '127.0.0.1' });
      const undo = await fillRedis(admin);
      heal = async () => {
        await undo();
        admin.disconnect();
      };
    } else {
      result.how = "the default user's commands denied by an ACL (-@all): NOPERM";
      heal = await denyRedis(server);
    }
    await misses(cache, result.faulted, 'miss', 300);
    await heal();
    const back = performance.now();
    while (cache.stats().redis !== 'up' && performance.now() - back < 5000) {
      await cache.get(cache.keyFor({ model: 'm', params: { probe: 1 } }));
      await sleep(100);
    }
    result.notes.push(`Redis state after the heal: ${cache.stats().redis} (${Math.round(performance.now() - back)} ms)`);
    await measure(result.faulted, 'after the heal: state', () => Promise.resolve(cache.stats().redis ?? 'off'));
    await cache.close();
    // What existed before: the seed's local store, and Redis (unless it restarted empty).
    const lost: string[] = [];
    const seedAgain = new ResultCache({ dir: path.join(work.dir, 'seed') });
    const redisOnly = new ResultCache({ dir: false, redis: server.url, redisTimeout: 2000 });
    for (let i = 0; i < 3; i++) {
      const key = seedAgain.keyFor({ model: 'm', params: { before: i } });
      const same = (v: Awaited<ReturnType<ResultCache['get']>>) => v !== undefined && (v.meta as { i?: number } | undefined)?.i === i;
      if (!same(await seedAgain.get(key))) lost.push(`local result ${i}`);
      if (redisKeptData && !same(await redisOnly.get(key))) lost.push(`Redis result ${i}`);
    }
    await seedAgain.close();
    await redisOnly.close();
    result.lost = lost.length === 0 ? 'nothing' : lost.join(', ');
    if (!redisKeptData) result.notes.push('Redis was killed without persistence: its copies went with it (the local stores kept theirs)');
  } finally {
    await proxy.close();
    await server.stop();
  }
}

async function s3Tier(work: Work): Promise<void> {
  const storage = path.join(work.dir, 's3-data');
  if (fault === 'full') mountTmpfs(storage, '2m');
  let s3: S3Server = await startS3(storage);
  const proxy: DelayProxy = await startDelayProxy(s3.port, 0);
  const tier = (credentials?: { accessKeyId: string; secretAccessKey: string }): TierOptions => {
    const t = s3.tier();
    return 's3' in t ? { s3: { ...t.s3, endpoint: `http://127.0.0.1:${proxy.port}`, ...(credentials ? { credentials } : {}) } } : t;
  };
  try {
    await compileOn(work, [], 'seed', modelCacheWith(work, 'seed', [tier()]), 'before');
    await compileOn(work, result.healthy, 'tier has it', modelCacheWith(work, 'healthy-read', [tier()]), 'before');
    await compileOn(work, result.healthy, 'new model', modelCacheWith(work, 'healthy-write', [tier()]), 'healthy');
    let heal: () => unknown = () => undefined;
    let tiers = [tier()];
    if (fault === 'killed') {
      result.how = 's3rver SIGKILLed; restarted on the same port and folder to check';
      const port = s3.port;
      await s3.stop();
      heal = async () => void (s3 = await startS3(storage, port));
    } else if (fault === 'frozen') {
      result.how = 's3rver SIGSTOPped (accepts connections, never answers)';
      s3.pause();
      heal = () => s3.resume();
    } else if (fault === 'slow') {
      result.how = `every packet delayed ${SLOW_MS} ms each way by a loopback proxy`;
      proxy.setDelay(SLOW_MS);
      heal = () => proxy.setDelay(0);
    } else if (fault === 'full') {
      result.how = "s3rver's storage on a 2 MiB tmpfs filled to 0 bytes free";
      const filler = fillVolume(storage, 0);
      heal = async () => {
        fs.rmSync(filler);
        const alive = await fetch(`http://127.0.0.1:${s3.port}/`, { signal: AbortSignal.timeout(2000) }).then(
          () => true,
          () => false,
        );
        if (alive) return;
        result.notes.push('s3rver itself died on the full volume; restarted on the same storage to check what it kept');
        const port = s3.port;
        await s3.stop();
        s3 = await startS3(storage, port);
      };
    } else {
      result.how = 'credentials the server refuses (403)';
      tiers = [tier({ accessKeyId: 'WRONG', secretAccessKey: 'WRONG' })];
    }
    await compileOn(work, result.faulted, 'tier has it', modelCacheWith(work, 'faulted-read', tiers), 'before');
    await compileOn(work, result.faulted, 'new model', modelCacheWith(work, 'faulted-write', tiers), 'faulted');
    await heal();
    result.lost = await tierStillHas(work, [tier()], 'before', 'after');
  } finally {
    await proxy.close();
    await s3.stop();
    if (fault === 'full') unmount(storage);
  }
}

async function folderTier(work: Work): Promise<void> {
  const shared = path.join(work.dir, 'shared');
  if (fault === 'full') mountTmpfs(shared, '1m');
  const tiers: TierOptions[] = [{ path: shared }];
  try {
    await compileOn(work, [], 'seed', modelCacheWith(work, 'seed', tiers), 'before');
    await compileOn(work, result.healthy, 'tier has it', modelCacheWith(work, 'healthy-read', tiers), 'before');
    await compileOn(work, result.healthy, 'new model', modelCacheWith(work, 'healthy-write', tiers), 'healthy');
    let heal: () => unknown = () => undefined;
    if (fault === 'frozen') {
      result.how = "a FIFO in place of every file under the tier's entries: open() blocks as on a hung NFS mount";
      const swapped: Array<[string, string]> = [];
      const walk = (d: string): void => {
        for (const item of fs.readdirSync(d, { withFileTypes: true })) {
          const full = path.join(d, item.name);
          if (item.isDirectory()) walk(full);
          else if (item.isFile()) {
            fs.renameSync(full, `${full}.saved`);
            execFileSync('mkfifo', [full]);
            swapped.push([full, `${full}.saved`]);
          }
        }
      };
      walk(shared);
      heal = () => {
        for (const [fifo, saved] of swapped) {
          // Opening the FIFO for writing (non-blocking) releases a reader stuck in open().
          try {
            fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
          } catch {
            // no reader waiting
          }
          fs.rmSync(fifo, { force: true });
          fs.renameSync(saved, fifo);
        }
      };
    } else if (fault === 'full') {
      result.how = 'the tier folder on a 1 MiB tmpfs filled to 0 bytes free';
      const filler = fillVolume(shared, 0);
      heal = () => fs.rmSync(filler);
    } else {
      result.how = 'the tier folder chmod 000, the caller not root (uid nobody)';
      fs.chmodSync(shared, 0o000);
      heal = () => fs.chmodSync(shared, 0o700);
    }
    await compileOn(work, result.faulted, 'tier has it', modelCacheWith(work, 'faulted-read', tiers), 'before');
    await compileOn(work, result.faulted, 'new model', modelCacheWith(work, 'faulted-write', tiers), 'faulted');
    await heal();
    result.lost = await tierStillHas(work, tiers, 'before', 'after');
  } finally {
    if (fault === 'full') unmount(shared);
  }
}

async function cacheVolume(work: Work): Promise<void> {
  const volume = path.join(work.dir, 'volume');
  if (fault === 'full') mountTmpfs(volume, '1m');
  else fs.mkdirSync(volume, { mode: 0o700 });
  const dir = path.join(volume, 'cache');
  const open = () => new ModelCache({ core: work.core, dir });
  const compile = async (cache: ModelCache, model: string) => describeCompile(await cache.compile(work.model(model), { device: 'CPU' }));
  try {
    const seed = open();
    await compile(seed, 'before');
    await seed.dispose();
    const healthy = open();
    await measure(result.healthy, 'new model: compile()', () => compile(healthy, 'healthy'));
    await healthy.dispose();
    if (fault === 'full') {
      result.how = 'the cache folder on a 1 MiB tmpfs filled to N bytes free (tmpfs counts 4 KiB pages)';
      for (const left of [64 * 1024, 16 * 1024, 8 * 1024, 4 * 1024, 0]) {
        const filler = fillVolume(volume, left);
        const cache = open();
        await measure(result.faulted, `${left / 1024} KiB free: compile()`, () => compile(cache, `faulted-${left}`));
        await measure(result.faulted, `${left / 1024} KiB free: dispose()`, async () => {
          await cache.dispose();
          return 'done';
        });
        fs.rmSync(filler);
      }
    } else {
      result.how = 'the cache folder chmod 000, the caller not root (uid nobody)';
      fs.chmodSync(dir, 0o000);
      const cache = open();
      await measure(result.faulted, 'new model: compile()', () => compile(cache, 'faulted'));
      await measure(result.faulted, 'entry made before: compile()', () => compile(cache, 'before'));
      await cache.dispose();
      fs.chmodSync(dir, 0o700);
    }
    const half = incompleteEntries(dir);
    if (half.length > 0) result.notes.push(`entry folders without a complete manifest afterwards: ${half.length} (${half.join(', ')})`);
    const after = open();
    const again = await compile(after, 'before');
    await after.dispose();
    result.lost = again === 'hit' ? 'nothing' : `the entry made before (now: ${again})`;
  } finally {
    if (fault === 'full') unmount(volume);
  }
}

const RUNNERS: Record<Part, (work: Work) => Promise<void>> = {
  'redis-coordinator': redisCoordinator,
  'redis-results': redisResults,
  's3-tier': s3Tier,
  'folder-tier': folderTier,
  'cache-volume': cacheVolume,
};

async function main(): Promise<void> {
  const work = await openWork();
  try {
    await RUNNERS[part](work);
  } catch (error) {
    result.status = 'failed';
    result.reason = `${(error as Error).stack ?? String(error)}`.split('\n').slice(0, 3).join(' | ');
  } finally {
    report('CASE');
    fs.rmSync(work.dir, { recursive: true, force: true, maxRetries: 3 });
  }
  // A hung operation may still hold sockets or a thread: the case is over either way.
  process.exit(0);
}

void main();
