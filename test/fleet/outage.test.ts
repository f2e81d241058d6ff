// A remote tier outage costs no failed call (issue 14): the S3 server stopped mid-run degrades
// 8 processes to their local caches; a server that accepts connections and never answers is
// skipped after the call deadline. Compiles are counted from the stand-in's log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeImageModel } from '../../scripts/make-fixtures';
import { countEvents } from '../cache/helpers';
import { makeTempDir, removeDir } from '../helpers/paths';
import { runMachine } from './machines';
import { startS3, type S3Server } from './servers';

const MACHINES = 4;
const PROCESSES_PER_MACHINE = 2;

describe('fleet: a remote tier outage', function () {
  this.timeout(180_000);
  let tmp: string;
  let stubLog: string;
  let s3: S3Server;
  let jobs: Array<{ model: string; shapes: Record<string, number[]> }>;
  const env = (): Record<string, string> => ({ OV_STUB_LOG: stubLog });
  const machine = (m: number) => path.join(tmp, `machine-${m}`);

  beforeEach(async () => {
    tmp = makeTempDir('ovcache-fleet-');
    stubLog = path.join(tmp, 'stub.log');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const image = writeImageModel(models).xml;
    jobs = Array.from({ length: 6 }, (_, i) => ({ model: image, shapes: { image: [1, 3, 16 + 8 * i, 16 + 8 * i] } }));
    s3 = await startS3(path.join(tmp, 's3'));
  });
  afterEach(async () => {
    s3.resume();
    await s3.stop();
    removeDir(tmp);
  });

  it(`the S3 server stopped after one machine filled it: ${MACHINES * PROCESSES_PER_MACHINE} processes lose no call and fall back to local caches`, async () => {
    const fleet = { tiers: [s3.tier()], publish: 'sync', timeoutMs: 2000 };
    // Before the outage: machine 0 fills the remote with half of the models.
    await runMachine({ dir: machine(0), compiles: jobs.slice(0, 3), ...fleet }, env());
    assert.equal(countEvents(stubLog, 'compile'), 3);
    await s3.stop();

    const runs = Array.from({ length: MACHINES * PROCESSES_PER_MACHINE }, (_, i) =>
      runMachine({ dir: machine(i % MACHINES), compiles: jobs, ...fleet }, env()),
    );
    const results = await Promise.all(runs); // a failed call would reject (the child exits 1)
    for (const r of results) {
      assert.equal(r.results.length, jobs.length);
      assert.ok(
        r.results.every((c) => c.cached && c.tier === null),
        'every compile went through the local cache',
      );
      assert.ok(
        r.events.every((e) => e.outcome === 'down' || e.outcome === 'skipped'),
        'the tier only ever failed or was skipped',
      );
      assert.ok(r.stats.down <= 1, `a down tier is asked again only after retryAfterMs (${r.stats.down} calls failed)`);
    }
    assert.ok(results.filter((r) => r.stats.down === 1).length >= MACHINES - 1, 'the outage was reported on every machine that asked');
    // Local only: machine 0 already had 3 entries; machines 1..3 compile all 6, once per machine.
    assert.equal(countEvents(stubLog, 'compile'), 3 + 3 + (MACHINES - 1) * jobs.length);
  });

  it(`the S3 server killed while ${MACHINES * PROCESSES_PER_MACHINE} processes use it: no call fails`, async () => {
    const fleet = { tiers: [s3.tier()], publish: 'sync', timeoutMs: 2000 };
    const runs = Array.from({ length: MACHINES * PROCESSES_PER_MACHINE }, (_, i) =>
      runMachine({ dir: machine(i % MACHINES), compiles: jobs, ...fleet }, env()),
    );
    const deadline = Date.now() + 60_000;
    while (countEvents(stubLog, 'compile') < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await s3.stop();
    const results = await Promise.all(runs);
    for (const r of results) assert.ok(r.results.every((c) => c.cached));
    assert.ok(countEvents(stubLog, 'compile') <= MACHINES * jobs.length, 'at most one compile per entry per machine');
  });

  it('a tier that accepts connections and never answers is skipped after the call deadline', async () => {
    s3.pause();
    const r = await runMachine({ dir: machine(0), compiles: jobs.slice(0, 1), tiers: [s3.tier()], timeoutMs: 300 }, env());
    assert.deepEqual([r.results[0]?.cached, r.results[0]?.tier], [true, null]);
    const down = r.events.find((e) => e.outcome === 'down');
    assert.match(down?.reason ?? '', /did not answer within 300 ms/);
    assert.equal(countEvents(stubLog, 'compile'), 1);
  });
});
