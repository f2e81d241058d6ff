// A Redis coordinator (or an S3 tier holding the lease) that stops answering (SIGSTOP: its
// sockets stay open, nothing comes back) must cost a caller at most the fleet's timeoutMs per
// call: compile() with publish: 'sync' returns, the lease it held is given up, and dispose()
// and Fleet.close() return (issue 21).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeMlp } from '../../scripts/make-fixtures';
import { ModelCache } from '../../lib/model-cache';
import { Fleet, type TierEvent } from '../../lib/fleet/fleet';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { requireRedis, startRedis, startS3, type RedisServer } from './servers';

const TIMEOUT_MS = 300;
/**
 * Far above what the bounded calls take (a few times TIMEOUT_MS plus a compile); the old code never
 * returned. 20 s, not 5: the 5 s bound flaked in parallel runs on a loaded machine.
 */
const HANG_MS = 20_000;

/** Resolves with `work`, or rejects once hangMs have passed: the hang this suite tests for. */
async function within<T>(what: string, work: Promise<T>, hangMs = HANG_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not return within ${hangMs} ms`)), hangMs);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe('fleet: a frozen Redis coordinator', function () {
  this.timeout(60_000);
  let tmp: string;
  let model: string;
  let redis: RedisServer;

  beforeEach(async function () {
    requireRedis(this);
    tmp = makeTempDir('ovcache-frozen-coordinator-');
    fs.mkdirSync(path.join(tmp, 'models'));
    model = writeMlp(path.join(tmp, 'models')).xml;
    redis = await startRedis();
  });
  afterEach(async () => {
    redis?.resume();
    await redis?.stop();
    if (tmp) removeDir(tmp);
  });

  async function compileWith(
    onEvent: (e: TierEvent) => void,
    options: Partial<ConstructorParameters<typeof Fleet>[0]> = {},
  ): Promise<{ cached: boolean; events: TierEvent[]; closeMs: number }> {
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    const fleet = new Fleet({
      tiers: [{ path: path.join(tmp, 'shared') }],
      coordinator: { redis: redis.url },
      publish: 'sync',
      timeoutMs: TIMEOUT_MS,
      ...options,
    });
    // The bound on a hang scales with the timeout a case chose (a loaded machine needs more).
    const hangMs = Math.max(HANG_MS, 10 * (options.timeoutMs ?? TIMEOUT_MS));
    const events: TierEvent[] = [];
    fleet.on('tier', (e) => {
      events.push(e);
      onEvent(e);
    });
    const cache = new ModelCache({ runtime: ov, dir: path.join(tmp, 'local'), fleet });
    const r = await within('compile()', cache.compile(model, { device: 'CPU' }), hangMs);
    r.compiled.dispose();
    const started = Date.now();
    await within(
      'dispose() and Fleet.close()',
      cache.dispose().then(() => fleet.close()),
      hangMs,
    );
    return { cached: r.cached, events, closeMs: Date.now() - started };
  }

  it('frozen after "lease acquired": compile() with publish sync returns, then dispose() and Fleet.close() return', async () => {
    const out = await compileWith((e) => {
      if (e.op === 'lease' && e.outcome === 'acquired') redis.pause();
    });
    assert.equal(out.cached, true, 'the entry was compiled into the local cache');
    assert.ok(
      out.events.some((e) => e.op === 'publish' && e.outcome === 'published'),
      'the shared folder tier still got the entry',
    );
    assert.ok(out.closeMs < HANG_MS, `closed in ${out.closeMs} ms`);
  });

  it('frozen before the first compile: the lease call is "down" after timeoutMs and the process compiles by itself', async () => {
    redis.pause();
    const out = await compileWith(() => undefined);
    assert.equal(out.cached, true);
    const down = out.events.find((e) => e.op === 'lease' && e.outcome === 'down');
    assert.match(down?.reason ?? '', new RegExp(`did not answer within ${TIMEOUT_MS} ms`));
    assert.ok(out.events.some((e) => e.op === 'publish' && e.outcome === 'published'));
  });

  it('an S3 tier frozen after its lease was acquired: compile() with publish sync returns, then dispose() and Fleet.close() return', async () => {
    const s3 = await startS3(path.join(tmp, 's3'));
    try {
      const out = await compileWith(
        (e) => {
          if (e.op === 'lease' && e.outcome === 'acquired') s3.pause();
        },
        // s3rver's first answers can take longer than 300 ms on a loaded machine: the lease must
        // be taken before the freeze for this case to test anything.
        { tiers: [s3.tier()], coordinator: undefined, timeoutMs: 2000 },
      );
      assert.equal(out.cached, true);
      assert.ok(out.events.some((e) => e.op === 'lease' && e.outcome === 'acquired' && e.tier.startsWith('s3://')));
      assert.ok(
        out.events.some((e) => e.outcome === 'down'),
        'the frozen tier was found down and skipped',
      );
    } finally {
      s3.resume();
      await s3.stop();
    }
  });
});
