// ModelCache across separate processes sharing one folder (real child processes, real locks).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { mlpReference, writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir } from '../helpers/paths';
import { testRuntime } from '../helpers/runtimes';
import { runChild, startChild, type ChildResult } from './child';
import { countEvents, readStubLog } from './helpers';

/** The input cache-child feeds a model, so outputs can be checked against the reference. */
function childInput(size: number): Float32Array {
  return new Float32Array(size).map((_, i) => (i % 7) - 3);
}

describe(`ModelCache across processes${testRuntime().title}`, function () {
  this.timeout(120_000);
  let tmp: string;
  let dir: string;
  let mlp: string;
  let image: string;
  let stubLog: string;

  beforeEach(() => {
    tmp = makeTempDir();
    dir = path.join(tmp, 'cache');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    mlp = writeMlp(models).xml;
    image = writeImageModel(models).xml;
    stubLog = path.join(tmp, 'stub.log');
  });
  afterEach(() => removeDir(tmp));

  it('a second process compiling the same model, shapes, device and config gets a hit', async () => {
    const job = { mode: 'compile', dir, model: mlp, device: 'CPU', config: { PERFORMANCE_HINT: 'LATENCY' }, infer: true };
    const first = await runChild(job, { OV_STUB_LOG: stubLog });
    const second = await runChild(job, { OV_STUB_LOG: stubLog });
    assert.equal(first.hit, false);
    assert.equal(second.hit, true);
    assert.equal(second.key, first.key);
    assert.notEqual(second.pid, first.pid);
    const expected = Array.from(mlpReference(childInput(16)));
    for (const r of [first, second]) {
      assert.equal(r.outputs?.length, expected.length);
      r.outputs?.forEach((v, i) => assert.ok(Math.abs(v - (expected[i] as number)) < 1e-4));
    }
    assert.equal(countEvents(stubLog, 'compile'), 1);
    assert.equal(countEvents(stubLog, 'import'), 1);
  });

  it('a new input size in another process gets a new entry in its own readable folder', async () => {
    const a = await runChild({ mode: 'compile', dir, model: image, device: 'CPU', shapes: { image: [1, 3, 32, 32] } });
    const b = await runChild({ mode: 'compile', dir, model: image, device: 'CPU', shapes: { image: [1, 3, 64, 48] } });
    assert.notEqual(a.entryDir, b.entryDir);
    assert.equal(b.hit, false);
    assert.match(path.basename(b.entryDir as string), /^image-1x3x64x48-CPU-[0-9a-f]{12}$/);
    assert.deepEqual(
      fs.readdirSync(path.join(dir, 'entries')).sort(),
      [path.basename(a.entryDir as string), path.basename(b.entryDir as string)].sort(),
    );
  });

  it('the key changes with the runtime version (OV_STUB_VERSION), and only then', async () => {
    const job = { mode: 'key', dir, model: mlp, device: 'CPU' };
    const [a, a2, b] = await Promise.all([
      runChild<{ key: string }>(job, { OV_STUB_VERSION: '2025.4.0-20398' }),
      runChild<{ key: string }>(job, { OV_STUB_VERSION: '2025.4.0-20398' }),
      runChild<{ key: string }>(job, { OV_STUB_VERSION: '2026.0.0-20500' }),
    ]);
    assert.equal(a.key, a2.key);
    assert.notEqual(a.key, b.key);
    const compileJob = { mode: 'compile', dir, model: mlp, device: 'CPU' };
    await runChild(compileJob, { OV_STUB_VERSION: '2025.4.0-20398' });
    const upgraded = await runChild(compileJob, { OV_STUB_VERSION: '2026.0.0-20500' });
    assert.equal(upgraded.hit, false, 'a new runtime gets its own entry rather than a rejected blob');
    assert.equal(fs.readdirSync(path.join(dir, 'entries')).length, 2);
  });

  it('OVCACHE_DISABLE=1 creates nothing', async () => {
    const r = await runChild(
      { mode: 'compile', dir, model: mlp, device: 'CPU', infer: true },
      { OVCACHE_DISABLE: '1', OV_STUB_LOG: stubLog },
    );
    assert.equal(r.cached, false);
    assert.equal(r.uncachedReason, 'disabled');
    assert.equal(fs.existsSync(dir), false);
    assert.equal(countEvents(stubLog, 'blob_write'), 0);
    assert.ok(r.outputs && r.outputs.length > 0);
  });

  it('four processes started together on an empty folder compile once, and all four get a working model', async () => {
    const startAt = Date.now() + 1500; // all four past start-up before any compiles
    const job = { mode: 'compile', dir, model: mlp, device: 'CPU', infer: true, startAt };
    const env = { OV_STUB_LOG: stubLog, OV_STUB_COMPILE_MS: '800' };
    const results = await Promise.all([1, 2, 3, 4].map(() => runChild(job, env)));
    assert.equal(countEvents(stubLog, 'compile'), 1, JSON.stringify(readStubLog(stubLog)));
    assert.equal(results.filter((r) => !r.hit).length, 1);
    assert.equal(results.filter((r) => r.hit).length, 3);
    assert.equal(new Set(results.map((r) => r.pid)).size, 4);
    const expected = Array.from(mlpReference(childInput(16)));
    for (const r of results) {
      assert.equal(r.cached, true);
      r.outputs?.forEach((v, i) => assert.ok(Math.abs(v - (expected[i] as number)) < 1e-4));
      assert.equal(r.outputs?.length, expected.length);
    }
    const waited = results.filter((r) => (r.stats as { lockWaits: number }).lockWaits > 0);
    assert.ok(waited.length >= 1, 'the others waited for the lock');
  });

  it('recovers the lock of a process killed while holding it', async () => {
    const key = (await runChild<{ key: string }>({ mode: 'key', dir, model: mlp, device: 'CPU' })).key;
    const lockPath = path.join(dir, 'locks', `${key}.lock`);
    fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
    const { child, result } = await startChild({ mode: 'hold-lock', lockPath, staleLockMs: 2000 });
    assert.equal(result.locked, true);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    assert.ok(fs.existsSync(lockPath), 'a killed holder leaves its lock behind');
    const started = Date.now();
    const r: ChildResult = await runChild({ mode: 'compile', dir, model: mlp, device: 'CPU', staleLockMs: 2000, infer: true });
    const took = Date.now() - started;
    assert.equal(r.cached, true);
    assert.equal(r.uncachedReason, null);
    // A lock never recovered is waited on until the test's timeout; 60 s only bounds a child's start
    // (staleLockMs 2 s plus a node start; the 15 s bound flaked in parallel runs on a loaded machine).
    assert.ok(took < 60_000, `took ${took} ms`);
    assert.equal(fs.existsSync(lockPath), false);
  });
});
