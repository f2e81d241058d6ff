// Compile once across machines (issue 14): 2 machines x 3 processes on an empty remote compile
// a model exactly once in total; a new machine then loads everything from the remote with no
// compile. Counts come from the stand-in's own log (OV_STUB_LOG), never from ovcache.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { countEvents } from '../cache/helpers';
import { makeTempDir, removeDir } from '../helpers/paths';
import { runMachine, type MachineResult } from './machines';
import { BUCKET, requireRedis, startRedis, startS3, type RedisServer, type S3Server } from './servers';

describe('fleet: compile once across machines', function () {
  this.timeout(120_000);
  let tmp: string;
  let stubLog: string;
  let compiles: Array<{ model: string; shapes?: Record<string, number[]> }>;
  const env = (): Record<string, string> => ({ OV_STUB_LOG: stubLog, OV_STUB_COMPILE_MS: '400' });

  beforeEach(() => {
    tmp = makeTempDir('ovcache-fleet-');
    stubLog = path.join(tmp, 'stub.log');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    compiles = [{ model: writeMlp(models).xml }, { model: writeImageModel(models).xml, shapes: { image: [1, 3, 32, 32] } }];
  });
  afterEach(() => removeDir(tmp));

  /** Machine m's process p: its own folder per machine, processes of a machine share it. */
  const machineDir = (m: string) => path.join(tmp, `machine-${m}`);

  async function twoByThree(fleet: Record<string, unknown>): Promise<MachineResult[]> {
    const startAt = Date.now() + 1500;
    const runs = ['a', 'b'].flatMap((m) => [0, 1, 2].map(() => runMachine({ dir: machineDir(m), compiles, startAt, ...fleet }, env())));
    return Promise.all(runs);
  }

  function assertAllLoaded(results: MachineResult[]): void {
    for (const r of results) for (const c of r.results) assert.ok(c.cached, 'every compile went through the cache');
    const keys = new Set(results.flatMap((r) => r.results.map((c) => c.key)));
    assert.equal(keys.size, compiles.length, 'every process computed the same keys');
  }

  describe('an S3 tier with a Redis coordinator', () => {
    let s3: S3Server;
    let redis: RedisServer;
    beforeEach(async function () {
      requireRedis(this);
      s3 = await startS3(path.join(tmp, 's3'));
      redis = await startRedis();
    });
    afterEach(async () => {
      await s3?.stop();
      await redis?.stop();
    });

    it('2 machines x 3 processes compile each model once in total; a new machine compiles nothing', async () => {
      const fleet = { tiers: [s3.tier()], coordinator: { redis: redis.url }, pollMs: 50 };
      const results = await twoByThree(fleet);
      assertAllLoaded(results);
      assert.equal(countEvents(stubLog, 'compile'), compiles.length, 'one compile per model across 6 processes on 2 machines');
      const fromTier = results.flatMap((r) => r.results).filter((c) => c.tier !== null).length;
      assert.ok(fromTier >= 1, 'the other machine copied entries down from the tier');
      const waits = results.reduce((n, r) => n + r.stats.leaseWaits, 0);
      assert.ok(waits >= 1, 'someone waited on the Redis lease instead of compiling');

      const fresh = await runMachine({ dir: machineDir('c'), compiles, ...fleet }, env());
      assert.equal(countEvents(stubLog, 'compile'), compiles.length, 'the new machine compiled nothing');
      assert.deepEqual(
        fresh.results.map((c) => [c.hit, c.tier]),
        compiles.map(() => [true, `s3://${BUCKET}/`]),
      );
    });
  });

  describe('a shared folder tier with its own lock', () => {
    it('2 machines x 3 processes compile each model once in total; a new machine compiles nothing', async () => {
      const fleet = { tiers: [{ path: path.join(tmp, 'shared') }], pollMs: 50 };
      const results = await twoByThree(fleet);
      assertAllLoaded(results);
      assert.equal(countEvents(stubLog, 'compile'), compiles.length);
      const fresh = await runMachine({ dir: machineDir('c'), compiles, ...fleet }, env());
      assert.equal(countEvents(stubLog, 'compile'), compiles.length);
      assert.ok(fresh.results.every((c) => c.hit && c.tier === `folder:${path.join(tmp, 'shared')}`));
    });
  });
});
