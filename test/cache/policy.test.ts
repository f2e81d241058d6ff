// The measured caching policy against the stand-in: imports made slower than compiles with its
// knobs stop the caching of that entry (not-worth-it), a restart keeps the decision, a later
// process with fast imports resumes after a probe; 'always' never stops; minCompileMs; the
// decisions file survives corruption; the manifest's timings.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest } from '../../lib/cache/entry/manifest';
import { POLICY_FILE } from '../../lib/cache/policy/store';
import { MIN_WARM_SAMPLES } from '../../lib/cache/policy/policy';
import { WARM_SAMPLES } from '../../lib/cache/policy/timings';
import { loadOpenVINO, ModelCache, type CompileResult, type Core, type OpenVINO, type PolicyEvent } from '../../lib/index';
import { writeMlp, writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { expectCode, readStubLog } from './helpers';
import { outcomes, runPolicyChild } from './policy-child-run';

/** Imports of the 1 MiB model's 3.5 MiB blob take about 140 ms; its compile about 18 ms. */
// Imports of the 1 MiB model's 3.5 MiB blob cost ~350 ms against a ~18 ms compile: a 15x margin, so
// the decision holds on a loaded machine (at 40 ms/MB the margin was 6x and the judgement raced the load).
const SLOW_IMPORTS = { OV_STUB_IMPORT_MS_PER_MB: '100' };
// Compiles of ~320 ms against ~5 ms imports once imports are fast again: the probe wins by far more than the load can take.
const SLOW_COMPILES = { OV_STUB_COMPILE_MS: '300' };

describe('caching policy', function () {
  this.timeout(120_000);
  let tmp: string;
  let dir: string;
  let model: string;
  let stubLog: string;
  const policyFile = () => path.join(dir, 'fingerprints', POLICY_FILE);
  const decisions = () =>
    (JSON.parse(fs.readFileSync(policyFile(), 'utf8')) as { decisions: Record<string, { decision: string }> }).decisions;
  /** The stand-in's compiles and imports in one process. */
  const work = (pid: number) => {
    const events = readStubLog(stubLog).filter((e) => e.pid === pid);
    return { compiles: events.filter((e) => e.event === 'compile').length, imports: events.filter((e) => e.event === 'import').length };
  };

  beforeEach(() => {
    tmp = makeTempDir();
    dir = path.join(tmp, 'cache');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    model = writeWeightsModel(models, 1 << 20, 'w1m').xml;
    stubLog = path.join(tmp, 'stub.log');
  });
  afterEach(() => removeDir(tmp));

  describe('in separate processes', () => {
    it("'auto' stops caching an entry whose imports are slower than its compile, keeps that across a restart, and resumes after a probe once imports are fast", async () => {
      const job = { dir, model, options: { probeEvery: 1000 } };
      const slow = await runPolicyChild({ ...job, calls: 8 }, { ...SLOW_IMPORTS, OV_STUB_LOG: stubLog });
      const loads = Array(MIN_WARM_SAMPLES).fill('hit');
      assert.deepEqual(outcomes(slow), ['miss', ...loads, 'not-worth-it', 'not-worth-it']);
      assert.deepEqual(work(slow.pid), { compiles: 3, imports: MIN_WARM_SAMPLES }, 'the fill, 5 imports, 2 compiles without the cache');
      assert.equal(slow.events.length, 1);
      const stop = slow.events[0]!;
      assert.deepEqual([stop.decision, stop.reason, stop.device, stop.model], ['uncached', 'not-worth-it', 'CPU', model]);
      assert.ok(stop.warmMs! > stop.compileMs, `warm ${stop.warmMs} ms > compile ${stop.compileMs} ms`);
      const key = slow.calls[0]!.key;
      assert.equal(decisions()[key]?.decision, 'not-worth-it');

      // A restart, imports still slow: the decision holds from the first call, nothing is imported.
      const again = await runPolicyChild({ ...job, calls: 2 }, { ...SLOW_IMPORTS, OV_STUB_LOG: stubLog });
      assert.deepEqual(outcomes(again), ['not-worth-it', 'not-worth-it']);
      assert.deepEqual(work(again.pid), { compiles: 2, imports: 0 });
      assert.deepEqual(again.events, []);

      // Imports fast again (the stand-in's default import cost), compiles slow: the third call probes, and caching resumes.
      const fast = await runPolicyChild({ ...job, calls: 5, options: { probeEvery: 3 } }, { ...SLOW_COMPILES, OV_STUB_LOG: stubLog });
      assert.deepEqual(outcomes(fast), ['not-worth-it', 'not-worth-it', 'hit', 'hit', 'hit']);
      assert.deepEqual(work(fast.pid), { compiles: 2, imports: 3 });
      assert.deepEqual(
        fast.events.map((e) => [e.decision, e.reason]),
        [['cached', 'worth-it']],
      );
      assert.ok(fast.events[0]!.warmMs! < fast.events[0]!.compileMs);
      assert.equal(decisions()[key], undefined, 'the decision is gone from the file');
      const manifest = await readManifest(slow.calls[0]!.entryDir!);
      assert.equal(manifest.status, 'ok');
      if (manifest.status === 'ok')
        assert.equal(manifest.manifest.timings?.warmLoadMs.length, 3, 'judged afresh: the probe and the two loads after it');
    });

    it("'always' keeps caching an entry whose imports are slower than its compile", async () => {
      const run = await runPolicyChild({ dir, model, calls: 8, options: { policy: 'always' } }, { ...SLOW_IMPORTS, OV_STUB_LOG: stubLog });
      assert.deepEqual(outcomes(run), ['miss', ...Array(7).fill('hit')]);
      assert.deepEqual(work(run.pid), { compiles: 1, imports: 7 });
      assert.deepEqual(run.events, []);
      assert.equal(fs.existsSync(policyFile()), false, 'no decision was written');
    });
  });

  describe('in this process', () => {
    let ov: OpenVINO;
    let core: Core;
    const caches: ModelCache[] = [];
    const saved: Record<string, string | undefined> = {};
    const setEnv = (name: string, value: string | undefined) => {
      if (!(name in saved)) saved[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    };
    const newCache = (options: Partial<ConstructorParameters<typeof ModelCache>[0]> = {}) => {
      const cache = new ModelCache({ core, dir, touchIntervalMs: 0, ...options });
      caches.push(cache);
      return cache;
    };
    const compile = async (cache: ModelCache, xml = model): Promise<CompileResult> => {
      const r = await cache.compile(xml, { device: 'CPU' });
      r.compiled.dispose();
      await cache.flush();
      return r;
    };
    const count = (event: string) => readStubLog(stubLog).filter((e) => e.event === event).length;

    before(async () => {
      ov = await loadOpenVINO({ libraryPath: STAND_IN });
    });
    beforeEach(() => {
      core = ov.createCore();
      setEnv('OV_STUB_LOG', stubLog);
    });
    afterEach(async () => {
      for (const cache of caches.splice(0)) await cache.dispose();
      core.dispose();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
        delete saved[name];
      }
    });

    it('minCompileMs: a faster compile is not cached (compile-too-fast), leaves no entry, and the decision survives a restart', async () => {
      const cache = newCache({ minCompileMs: 60_000 });
      const events: PolicyEvent[] = [];
      cache.on('policy', (e) => events.push(e));
      const first = await compile(cache);
      assert.deepEqual([first.cached, first.hit, first.entryDir, first.uncachedReason], [false, false, null, 'compile-too-fast']);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'entries')), [], 'no entry folder is left');
      assert.deepEqual(
        events.map((e) => [e.decision, e.reason, e.warmMs]),
        [['uncached', 'compile-too-fast', null]],
      );
      assert.ok(events[0]!.compileMs < 60_000);
      const writes = count('blob_write');
      const second = await compile(cache);
      assert.equal(second.uncachedReason, 'compile-too-fast');
      assert.equal(count('blob_write'), writes, 'OpenVINO is not given the cache folder again');

      const restarted = newCache({ minCompileMs: 60_000 });
      assert.equal((await compile(restarted)).uncachedReason, 'compile-too-fast');
      assert.equal(count('blob_write'), writes);
      assert.equal(count('import'), 0);

      // The stand-in's compile sleeps at least 3 ms: over a lower minCompileMs, it is cached again.
      const lower = newCache({ minCompileMs: 1 });
      const cached = await compile(lower);
      assert.deepEqual([cached.cached, cached.hit], [true, false]);
      assert.equal((await compile(lower)).hit, true);
    });

    it('a garbled decisions file is ignored and rewritten, and never fails a compile', async () => {
      fs.mkdirSync(path.join(dir, 'fingerprints'), { recursive: true });
      fs.writeFileSync(policyFile(), '{"format": 1, "decisions": [garbage');
      const cache = newCache();
      const miss = await compile(cache);
      assert.deepEqual([miss.cached, miss.hit], [true, false]);
      assert.equal((await compile(cache)).hit, true);
      assert.deepEqual(JSON.parse(fs.readFileSync(policyFile(), 'utf8')), { format: 1, decisions: {} });

      fs.writeFileSync(policyFile(), 'not json at all');
      const strict = newCache({ minCompileMs: 60_000 });
      const other = writeMlp(path.join(tmp, 'models')).xml;
      assert.equal((await compile(strict, other)).uncachedReason, 'compile-too-fast');
      const kept = Object.values(decisions());
      assert.deepEqual(
        kept.map((d) => d.decision),
        ['compile-too-fast'],
      );
    });

    it('the manifest records the cold compile, the blob write and the last warm loads; loads far cheaper than the compile stay cached', async () => {
      setEnv('OV_STUB_SLOW_WRITE_MS', '300');
      // A ~320 ms compile against ~5 ms loads: with the default 18 ms compile, loads on a loaded
      // machine crossed 0.8x the compile and the policy (rightly) stopped caching.
      setEnv('OV_STUB_COMPILE_MS', SLOW_COMPILES.OV_STUB_COMPILE_MS);
      const cache = newCache();
      const events: PolicyEvent[] = [];
      cache.on('policy', (e) => events.push(e));
      const miss = await compile(cache);
      setEnv('OV_STUB_SLOW_WRITE_MS', undefined);
      setEnv('OV_STUB_COMPILE_MS', undefined);
      const read = await readManifest(miss.entryDir!);
      assert.equal(read.status, 'ok');
      const t = read.status === 'ok' ? read.manifest.timings : undefined;
      assert.ok(t, 'timings recorded');
      // The stand-in sleeps 300 ms with half of the blob written: from its birth to its last write.
      assert.ok(t.blobWriteMs !== null && t.blobWriteMs >= 250, `blob write ${t.blobWriteMs} ms`);
      assert.ok(t.coldCompileMs >= t.blobWriteMs);
      assert.deepEqual(t.warmLoadMs, []);
      for (let i = 0; i < WARM_SAMPLES + 3; i++) assert.equal((await compile(cache)).hit, true);
      const after = await readManifest(miss.entryDir!);
      const warm = after.status === 'ok' ? after.manifest.timings?.warmLoadMs : undefined;
      assert.equal(warm?.length, WARM_SAMPLES, 'the list is bounded');
      assert.deepEqual(events, []);
    });

    it('loads that overlap other compiles are no evidence; a manifest without timings still loads', async () => {
      setEnv('OV_STUB_IMPORT_MS_PER_MB', '40'); // slow enough that the six loads overlap; nothing here is judged by time
      const cache = newCache();
      const together = await Promise.all(Array.from({ length: 6 }, () => cache.compile(model, { device: 'CPU' })));
      for (const r of together) r.compiled.dispose();
      await cache.flush();
      assert.equal(together.filter((r) => r.hit).length, 5);
      const entryDir = together[0]!.entryDir!;
      const read = await readManifest(entryDir);
      assert.deepEqual(read.status === 'ok' ? read.manifest.timings?.warmLoadMs : null, [], 'five concurrent loads, no sample');
      assert.equal(fs.existsSync(policyFile()), false);

      // An entry written before timings existed: loads as before, and gains no timings.
      if (read.status !== 'ok') return;
      const { timings: _t, ...old } = read.manifest;
      fs.writeFileSync(path.join(entryDir, 'ovcache-entry.json'), JSON.stringify(old));
      for (let i = 0; i < MIN_WARM_SAMPLES + 1; i++) assert.equal((await compile(cache)).hit, true);
      const after = await readManifest(entryDir);
      assert.equal(after.status === 'ok' ? after.manifest.timings : null, undefined);
    });

    it('checks its options', async () => {
      await expectCode(() => newCache({ policy: 'sometimes' as 'auto' }), 'OVCACHE_INVALID_ARGUMENT', /options\.policy/);
      await expectCode(() => newCache({ minCompileMs: -1 }), 'OVCACHE_INVALID_ARGUMENT', /options\.minCompileMs/);
      await expectCode(() => newCache({ probeEvery: 0 }), 'OVCACHE_INVALID_ARGUMENT', /options\.probeEvery/);
      await expectCode(
        () => newCache({ policy: 'always', minCompileMs: 100 }),
        'OVCACHE_INVALID_ARGUMENT',
        'options.minCompileMs needs policy "auto": policy "always" caches every compile',
      );
      await expectCode(
        () => newCache({ minCompileMS: 5 } as unknown as { minCompileMs: number }),
        'OVCACHE_UNKNOWN_OPTION',
        /did you mean "minCompileMs"/,
      );
    });
  });
});
