// Durations past 2^31-1 ms (issue 21 item 4). Node's timers replace a longer delay by 1 ms, so a
// 30-day keep-alive unloaded at once and a 30-day monitor interval scanned about 1000 times a
// second. Every option that sets a timer now waits in steps (lib/timers/long-timer.ts); the
// ones where a long wait makes no sense refuse it with a code. Each is tried with 24.8 days,
// 30 days and Infinity; fake timers stand in for waiting, real timers only show that nothing
// fires within a few ms where the old code fired after 1 ms.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BudgetMonitor } from '../../lib/cache/budget/monitor';
import { resolveBudget } from '../../lib/cache/budget/options';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { resolveOptions } from '../../lib/cache/options';
import { parseDuration } from '../../lib/format/units';
import { attachHistory } from '../../lib/history/attach';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { ModelRegistry } from '../../lib/registry/index';
import { IdleTimer, parseKeepAlive } from '../../lib/registry/keep-alive';
import { parseRegistryOptions } from '../../lib/registry/options';
import { resolveResultOptions } from '../../lib/results/options';
import { MAX_TIMER_MS, setLongInterval, setLongTimeout } from '../../lib/timers/long-timer';
import { writeMlp } from '../../scripts/make-fixtures';
import { expectCode } from '../cache/helpers';
import { fakeLoader, writeModelFiles } from '../registry/helpers';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';
import { FakeTimers } from './fake-timers';

const DAY = 86_400_000;
const D24_8 = Math.round(24.8 * DAY); // just under 2^31-1 ms
const D30 = 30 * DAY;

describe('long timers (lib/timers/long-timer.ts)', () => {
  it('setLongTimeout: 24.8 d and 30 d fire once, at their time, never asking Node for more than 2^31-1 ms', () => {
    for (const ms of [D24_8, MAX_TIMER_MS, MAX_TIMER_MS + 1, D30, 400 * DAY]) {
      const t = new FakeTimers();
      let fired = 0;
      setLongTimeout(() => fired++, ms, { timers: t });
      t.advance(1);
      assert.equal(fired, 0, `${ms}: fired after 1 ms`);
      t.advance(ms - 2);
      assert.equal(fired, 0, `${ms}: fired early`);
      t.advance(1);
      assert.equal(fired, 1, `${ms}: did not fire at its time`);
      t.advance(100 * DAY);
      assert.equal(fired, 1, `${ms}: fired again`);
      assert.ok(
        t.requested.every((d) => d <= MAX_TIMER_MS),
        JSON.stringify(t.requested),
      );
    }
  });

  it('setLongTimeout: Infinity never fires and sets no timer; clear() stops a long wait', () => {
    const t = new FakeTimers();
    let fired = 0;
    setLongTimeout(() => fired++, Infinity, { timers: t });
    assert.deepEqual(t.waiting(), []);
    const long = setLongTimeout(() => fired++, D30, { timers: t });
    t.advance(DAY * 25);
    long.clear();
    t.advance(DAY * 400);
    assert.equal(fired, 0);
    assert.deepEqual(t.waiting(), []);
  });

  it("setLongInterval: a 30 d interval fires once per 30 days, and its timers are unref'd", () => {
    const t = new FakeTimers();
    let fired = 0;
    const timer = setLongInterval(() => fired++, D30, { timers: t });
    assert.ok(t.waiting().every((w) => w.unrefd));
    t.advance(1000);
    assert.equal(fired, 0);
    t.advance(D30 - 1000);
    assert.equal(fired, 1);
    t.advance(D30 * 2);
    assert.equal(fired, 3);
    timer.clear();
    t.advance(D30 * 2);
    assert.equal(fired, 3);
  });

  it('refuses a negative or NaN delay', () => {
    assert.throws(() => setLongTimeout(() => undefined, -1), RangeError);
    assert.throws(() => setLongInterval(() => undefined, NaN), RangeError);
  });
});

describe('durations past 2^31-1 ms, option by option', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir('ovcache-durations-')));
  afterEach(() => removeDir(tmp));

  describe('parseDuration', () => {
    it('reads 24.8d and 30d, refuses Infinity, and refuses above a stated maximum with OVCACHE_BAD_DURATION', async () => {
      assert.equal(parseDuration('24.8d'), D24_8);
      assert.equal(parseDuration('30d'), D30);
      await expectCode(() => parseDuration(Infinity, 'x'), 'OVCACHE_BAD_DURATION', /for x but received Infinity/);
      await expectCode(() => parseDuration('30d', 'x', { max: 60_000 }), 'OVCACHE_BAD_DURATION', /a duration of at most 1min .* for x/);
      await expectCode(() => parseDuration('100ms', 'y', { min: 200 }), 'OVCACHE_BAD_DURATION', /a duration of at least 200 ms .* for y/);
    });
  });

  describe('ModelRegistry keepAlive', () => {
    it('24.8 d and 30 d keep the model loaded (30 d used to unload after 1 ms); Infinity is refused (-1 means never)', async () => {
      assert.equal(parseKeepAlive('24.8d', 'k'), D24_8);
      assert.equal(parseKeepAlive('30d', 'k'), D30);
      await expectCode(() => parseKeepAlive(Infinity, 'options.keepAlive'), 'OVCACHE_BAD_DURATION', /-1 \(never unload\)/);
      const files = writeModelFiles(tmp);
      for (const keepAlive of ['24.8d', '30d']) {
        const registry = new ModelRegistry({ loader: fakeLoader(1).loader, keepAlive });
        const unloads: string[] = [];
        registry.on('unload', (e) => unloads.push(e.reason));
        await registry.get(files[0]!, { device: 'CPU' });
        await sleep(30);
        assert.deepEqual(unloads, [], `keepAlive ${keepAlive} unloaded`);
        assert.equal(registry.size, 1);
        await registry.dispose();
      }
    });

    it('the idle timer fires after 30 d, not before (fake timers)', () => {
      const t = new FakeTimers();
      const idle = new IdleTimer(t);
      let unloaded = 0;
      idle.start(D30, () => unloaded++);
      t.advance(D30 - 1);
      assert.equal(unloaded, 0);
      t.advance(1);
      assert.equal(unloaded, 1);
      idle.start(Infinity, () => unloaded++);
      t.advance(400 * DAY);
      assert.equal(unloaded, 1);
    });
  });

  describe('the budget monitor interval', () => {
    it('a 30 d interval scans once per 30 days (fake timers), and not at all within 30 ms (real timers)', async () => {
      const t = new FakeTimers();
      let checks = 0;
      const monitor = new BudgetMonitor(t);
      monitor.start(D30, () => Promise.resolve(void checks++));
      t.advance(DAY);
      assert.equal(checks, 0);
      t.advance(D30 - DAY);
      assert.equal(checks, 1);
      monitor.stop();

      let real = 0;
      const live = new BudgetMonitor();
      live.start(D30, () => Promise.resolve(void real++));
      await sleep(30);
      live.stop();
      assert.equal(real, 0, 'the monitor scanned within 30 ms');
    });

    it('monitorIntervalMs takes 24.8 d and 30 d; Infinity is refused with a code', async () => {
      assert.equal(resolveBudget({ monitorIntervalMs: D24_8 }).monitorIntervalMs, D24_8);
      assert.equal(resolveBudget({ monitorIntervalMs: D30 }).monitorIntervalMs, D30);
      await expectCode(() => resolveBudget({ monitorIntervalMs: Infinity }), 'OVCACHE_INVALID_ARGUMENT', /options\.monitorIntervalMs/);
    });
  });

  describe('attachHistory intervalMs', () => {
    it('30 d writes no interval record within 50 ms (it used to every 1 ms); Infinity is refused', async () => {
      const ov = await loadOpenVINO({ libraryPath: STAND_IN });
      const model = writeMlp(tmp).xml;
      for (const intervalMs of [D24_8, D30]) {
        const dir = path.join(tmp, `cache-${intervalMs}`);
        const cache = new ModelCache({ runtime: ov, dir });
        const history = attachHistory(cache, { intervalMs, usageIntervalMs: D30 });
        (await cache.compile(model, { device: 'CPU' })).compiled.dispose();
        await sleep(50);
        assert.equal(fs.existsSync(path.join(dir, 'history')), false, `intervalMs ${intervalMs} wrote history already`);
        await history.close(); // close() writes the partial interval
        assert.equal(fs.existsSync(path.join(dir, 'history')), true);
        await expectCode(() => attachHistory(cache, { intervalMs: Infinity }), 'OVCACHE_INVALID_ARGUMENT', /options\.intervalMs/);
        await cache.dispose();
      }
    });
  });

  describe('ResultCache', () => {
    it('redisTimeout: 24.8 d, 30 d and Infinity are refused above 1 min with OVCACHE_BAD_DURATION', async () => {
      assert.equal(resolveResultOptions({ dir: tmp, redisTimeout: '1min' }).redisTimeoutMs, 60_000);
      for (const redisTimeout of ['24.8d', '30d', Infinity]) {
        await expectCode(() => resolveResultOptions({ dir: tmp, redisTimeout }), 'OVCACHE_BAD_DURATION', /options\.redisTimeout/);
      }
      await expectCode(() => resolveResultOptions({ dir: tmp, redisTimeout: '30d' }), 'OVCACHE_BAD_DURATION', /at most 1min/);
    });

    it('ttl: 24.8 d and 30 d are kept as given (expiry is a timestamp, no timer); Infinity is refused', async () => {
      assert.equal(resolveResultOptions({ dir: tmp, ttl: '24.8d' }).ttlMs, D24_8);
      assert.equal(resolveResultOptions({ dir: tmp, ttl: '30d' }).ttlMs, D30);
      await expectCode(() => resolveResultOptions({ dir: tmp, ttl: Infinity }), 'OVCACHE_BAD_DURATION', /options\.ttl/);
    });
  });

  describe('other duration options', () => {
    it('checkFilesInterval (compared with timestamps, no timer): 24.8 d and 30 d kept; Infinity refused', async () => {
      const loader = fakeLoader().loader;
      assert.equal(parseRegistryOptions({ loader, checkFilesInterval: '24.8d' }).checkFilesIntervalMs, D24_8);
      assert.equal(parseRegistryOptions({ loader, checkFilesInterval: '30d' }).checkFilesIntervalMs, D30);
      await expectCode(() => parseRegistryOptions({ loader, checkFilesInterval: Infinity }), 'OVCACHE_BAD_DURATION');
    });

    it('staleLockMs (its lock is refreshed every half of it by a timer): 24.8 d kept; 30 d and Infinity refused', async () => {
      const runtime = await loadOpenVINO({ libraryPath: STAND_IN });
      assert.equal(resolveOptions({ runtime, dir: tmp, staleLockMs: D24_8 }).staleLockMs, D24_8);
      for (const staleLockMs of [D30, Infinity])
        await expectCode(() => resolveOptions({ runtime, dir: tmp, staleLockMs }), 'OVCACHE_INVALID_ARGUMENT', /options\.staleLockMs/);
    });

    it('ovcache dashboard --refresh (a browser timer): 24.8d, 30d and Infinity are usage errors (exit 2), at most 1 day', () => {
      const cli = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
      for (const refresh of ['24.8d', '30d', 'Infinity']) {
        const r = spawnSync(process.execPath, [cli, 'dashboard', '--dir', tmp, '--refresh', refresh], {
          encoding: 'utf8',
          timeout: 30_000,
        });
        assert.equal(r.status, 2, `${refresh}: ${r.stderr}`);
        assert.match(r.stderr, /--refresh/);
      }
    });
  });
});
