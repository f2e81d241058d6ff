// Faults (issue 7, item 3), injected through the stand-in (OV_STUB_FAIL, OV_STUB_VERSION, read
// at every call) and the file system (a read-only tmpfs, the folder removed). Each must be
// recovered - recompiled, or compiled without the cache - reported through events and the
// debug log, and never crash the process. The next call without the fault loads from the cache.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import type { CompileResult } from '../../lib/cache/compile-types';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { loadOpenVINO, type OpenVINO } from '../../lib/openvino/openvino';
import { writeImageModel, writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { age, readStubLog } from '../cache/helpers';
import { writeFigures } from './figures';
import { loadDebug } from '../../lib/log';
import { entryStates, sleep } from './helpers';

/** ovcache's `debug`, loaded (the package loads it only when the environment asks for logs). */
const createDebug = loadDebug();

interface Fault {
  name: string;
  /** How it is injected. */
  how: string;
  /** What ovcache must do. */
  expected: string;
  /** Runs the faulty call(s); returns the faulty call's result. */
  inject: (ctx: Ctx) => Promise<CompileResult>;
  /** Checks the faulty call's result. */
  check: (r: CompileResult, ctx: Ctx) => void;
  /** A debug log line the fault must produce (ovcache:cache), if any. */
  logs?: RegExp;
  /** Skip with this reason when the environment cannot inject it. */
  skip?: () => string | undefined;
}

interface Ctx {
  cache: ModelCache;
  dir: string;
  model: string;
  image: string;
  stubLog: string;
  tmp: string;
}

function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return fn().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

const compile = (ctx: Ctx, shapes?: number[]): Promise<CompileResult> =>
  shapes ? ctx.cache.compile(ctx.image, { device: 'CPU', shapes: { image: shapes } }) : ctx.cache.compile(ctx.model, { device: 'CPU' });

/** Fills the entry first, then runs the call under the fault. */
async function warmThen(ctx: Ctx, vars: Record<string, string>): Promise<CompileResult> {
  (await compile(ctx)).compiled.dispose();
  return withEnv(vars, () => compile(ctx));
}

function canMount(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux to mount a read-only tmpfs';
  const probe = makeTempDir('ovcache-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'cannot mount a tmpfs here (no CAP_SYS_ADMIN)';
  } finally {
    removeDir(probe);
  }
}

const FAULTS: Fault[] = [
  {
    name: 'full disk, blob write fails (OpenVINO >= 2026.2)',
    how: 'OV_STUB_FAIL=write-enospc',
    expected:
      "compile succeeds without the cache: cached false, uncachedReason 'cache-write-failed', no entry left; the next call fills it",
    inject: (ctx) => withEnv({ OV_STUB_FAIL: 'write-enospc' }, () => compile(ctx)),
    check: (r) => {
      assert.equal(r.cached, false);
      assert.equal(r.uncachedReason, 'cache-write-failed');
      assert.equal(r.entryDir, null);
    },
    logs: /cannot keep the entry[\s\S]*compiled without the cache/,
  },
  {
    name: 'full disk, compile fails (OpenVINO < 2026.2)',
    how: 'OV_STUB_FAIL=write-enospc-fatal',
    expected: "retried without the cache: cached false, uncachedReason 'cache-write-failed'",
    inject: (ctx) => withEnv({ OV_STUB_FAIL: 'write-enospc-fatal' }, () => compile(ctx)),
    check: (r) => {
      assert.equal(r.cached, false);
      assert.equal(r.uncachedReason, 'cache-write-failed');
    },
    logs: /could not write into[\s\S]*compiling without the cache/,
  },
  {
    name: 'short blob write (no error)',
    how: 'OV_STUB_FAIL=write-short, then a load',
    expected: 'the half blob is rejected on the next load and recompiled (hit false); then hits',
    inject: async (ctx) => {
      (await withEnv({ OV_STUB_FAIL: 'write-short' }, () => compile(ctx))).compiled.dispose();
      return compile(ctx);
    },
    check: (r) => assert.equal(r.hit, false),
  },
  {
    name: 'corrupt blob (one byte flipped)',
    how: 'OV_STUB_FAIL=write-corrupt, then a load',
    expected: 'rejected by its checksum and recompiled (hit false); then hits',
    inject: async (ctx) => {
      (await withEnv({ OV_STUB_FAIL: 'write-corrupt' }, () => compile(ctx))).compiled.dispose();
      return compile(ctx);
    },
    check: (r) => assert.equal(r.hit, false),
  },
  {
    name: 'blob overwritten with garbage on disk',
    how: 'the entry blob replaced by random bytes of the same size',
    expected: 'rejected and recompiled (hit false); then hits',
    inject: async (ctx) => {
      const first = await compile(ctx);
      first.compiled.dispose();
      const blob = fs.readdirSync(first.entryDir as string).find((f) => f.endsWith('.blob')) as string;
      const file = path.join(first.entryDir as string, blob);
      const size = fs.statSync(file).size;
      fs.chmodSync(file, 0o644);
      fs.writeFileSync(file, Buffer.alloc(size, 0x5a));
      return compile(ctx);
    },
    check: (r) => assert.equal(r.hit, false),
  },
  {
    name: 'failed blob read (EIO)',
    how: 'OV_STUB_FAIL=read-eio on a complete entry',
    expected: 'OpenVINO removes it and recompiles (hit false); ovcache records the new blob; then hits',
    inject: (ctx) => warmThen(ctx, { OV_STUB_FAIL: 'read-eio' }),
    check: (r) => assert.equal(r.hit, false),
  },
  {
    name: 'blob header from another OpenVINO build',
    how: 'OV_STUB_VERSION changed under a complete entry',
    expected: 'the blob is rejected (version), recompiled and rewritten (hit false)',
    inject: (ctx) => warmThen(ctx, { OV_STUB_VERSION: '2025.4.0-99999-other' }),
    check: (r) => assert.equal(r.hit, false),
  },
  {
    name: 'cache folder on a read-only file system, entry present',
    how: 'mount -o remount,ro on a tmpfs holding the cache',
    expected: 'loads the entry (hit true) without writing anything',
    skip: canMount,
    inject: async (ctx) => {
      (await compile(ctx)).compiled.dispose();
      await ctx.cache.flush();
      execFileSync('mount', ['-o', 'remount,ro', ctx.dir]);
      return compile(ctx);
    },
    check: (r) => assert.equal(r.hit, true),
  },
  {
    name: 'cache folder on a read-only file system, new entry',
    how: 'mount -o remount,ro, then a shape not in the cache',
    expected: 'compiled without the cache at once (no lock can be made), no error',
    skip: canMount,
    logs: /cannot make lock .*EROFS/,
    inject: async (ctx) => {
      (await compile(ctx)).compiled.dispose();
      await ctx.cache.flush();
      execFileSync('mount', ['-o', 'remount,ro', ctx.dir]);
      return compile(ctx, [1, 3, 20, 20]);
    },
    check: (r) => {
      assert.equal(r.cached, false);
      assert.ok(r.timings.lockWaitMs < 1000, 'no waiting for a lock that cannot be made');
    },
  },
  {
    name: 'cache folder deleted between calls',
    how: 'rm -rf of the whole folder while the cache is in use',
    expected: 'laid out again and refilled (hit false); then hits',
    inject: async (ctx) => {
      (await compile(ctx)).compiled.dispose();
      fs.rmSync(ctx.dir, { recursive: true, force: true });
      return compile(ctx);
    },
    check: (r) => {
      assert.equal(r.hit, false);
      assert.equal(r.cached, true);
    },
  },
  {
    name: 'cache folder deleted during the blob write',
    how: 'rm -rf half-way through a slowed blob write (OV_STUB_SLOW_WRITE_MS=400)',
    expected: 'the compile returns its model; the lost entry is refilled on the next call',
    inject: async (ctx) => {
      const pending = withEnv({ OV_STUB_SLOW_WRITE_MS: '400' }, () => compile(ctx));
      await sleep(250);
      fs.rmSync(ctx.dir, { recursive: true, force: true });
      return pending;
    },
    check: (r) => assert.equal(r.hit, false),
  },
  {
    name: 'OpenVINO compile failure',
    how: 'OV_STUB_FAIL=compile',
    expected: "the caller gets OpenVINO's error (OV_GENERAL_ERROR) and an 'error' event; the cache keeps no complete entry for it",
    inject: (ctx) => withEnv({ OV_STUB_FAIL: 'compile' }, () => compile(ctx)),
    check: () => assert.fail('expected an error'),
  },
];

describe('reliability: faults injected through the stand-in', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let tmp: string;
  const rows: string[] = [];
  let passed = 0;
  let skipped = 0;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  after(() => {
    writeFigures('faults', {
      title: 'Faults',
      lines: [
        `${passed} of ${FAULTS.length} faults recovered as expected${skipped ? `, ${skipped} skipped` : ''}; none crashed the process.`,
        '',
        '| fault | injected by | expected | outcome | events | next call |',
        '| --- | --- | --- | --- | --- | --- |',
        ...rows,
      ],
      data: { faults: FAULTS.length, passed, skipped },
    });
  });

  for (const fault of FAULTS) {
    it(fault.name, async function () {
      const reason = fault.skip?.();
      if (reason) {
        skipped++;
        rows.push(`| ${fault.name} | ${fault.how} | ${fault.expected} | skipped: ${reason} | | |`);
        this.skip();
      }
      tmp = makeTempDir('ovcache-fault-');
      const dir = path.join(tmp, 'cache');
      const mounted = fault.skip !== undefined;
      if (mounted) {
        fs.mkdirSync(dir, { mode: 0o700 });
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', dir]);
      }
      const models = path.join(tmp, 'models');
      fs.mkdirSync(models);
      const model = writeWeightsModel(models, 64 * 1024, 'weights').xml;
      const image = writeImageModel(models).xml;
      for (const f of fs.readdirSync(models)) age(path.join(models, f));
      const stubLog = path.join(tmp, 'stub.log');
      const cache = new ModelCache({ runtime: ov, dir, touchIntervalMs: 0 });
      const events: string[] = [];
      for (const name of ['hit', 'miss', 'compile', 'error'] as const) cache.on(name, () => events.push(name));
      const logLines: string[] = [];
      const previousNamespaces = createDebug.disable();
      const previousLog = createDebug.log;
      createDebug.log = (...args: unknown[]) => logLines.push(util.format(...args));
      createDebug.enable('ovcache:cache');
      const ctx: Ctx = { cache, dir, model, image, stubLog, tmp };
      let outcome = '';
      let next = '';
      try {
        await withEnv({ OV_STUB_LOG: stubLog }, async () => {
          let result: CompileResult | undefined;
          try {
            result = await fault.inject(ctx);
          } catch (error) {
            if (fault.name !== 'OpenVINO compile failure') throw error;
            assert.equal((error as { code?: string }).code, 'OV_GENERAL_ERROR');
            assert.ok(events.includes('error'));
            outcome = `error ${(error as { code?: string }).code}`;
            const states = await entryStates(dir);
            assert.ok(![...states.values()].includes('complete'), 'no complete entry after a failed compile');
          }
          if (result) {
            result.compiled.dispose();
            fault.check(result, ctx);
            outcome = `hit ${result.hit}, cached ${result.cached}${result.uncachedReason ? ` (${result.uncachedReason})` : ''}`;
          }
          await cache.flush();
          if (mounted) execFileSync('mount', ['-o', 'remount,rw', dir]);
          // Without the fault: the call after next must load from the cache.
          const again = await compile(ctx);
          again.compiled.dispose();
          await cache.flush();
          const third = await compile(ctx);
          third.compiled.dispose();
          assert.equal(third.hit, true, 'the cache serves again once the fault is gone');
          next = third.hit ? 'hit' : 'miss';
        });
        if (fault.logs) assert.match(logLines.join('\n'), fault.logs);
        assert.ok(logLines.length > 0, 'the debug log reports the compile');
        const rejects = readStubLog(stubLog).filter((e) => e.event === 'blob_reject' || e.event === 'blob_remove').length;
        passed++;
        rows.push(
          `| ${fault.name} | ${fault.how} | ${fault.expected} | ${outcome}${rejects ? `; ${rejects} blob(s) rejected/removed by OpenVINO` : ''} | ${[...new Set(events)].join(', ')} | ${next} |`,
        );
      } catch (error) {
        rows.push(
          `| ${fault.name} | ${fault.how} | ${fault.expected} | FAILED: ${(error as Error).message.split('\n')[0]} | ${events.join(', ')} | |`,
        );
        throw error;
      } finally {
        createDebug.disable();
        createDebug.log = previousLog;
        if (previousNamespaces) createDebug.enable(previousNamespaces);
        await cache.dispose();
        if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
        removeDir(tmp);
      }
    });
  }
});
