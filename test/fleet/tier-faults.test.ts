// Tiers that are read-only, killed, down, slow or tampered with (issue 14). Each "machine" is
// a process with its own local folder; compiles are counted from the stand-in's log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import Redis from 'ioredis';
import { S3Tier } from '../../lib/fleet/s3-tier';
import { FolderTier } from '../../lib/fleet/folder-tier';
import { countEvents, snapshot } from '../cache/helpers';
import { makeTempDir, removeDir } from '../helpers/paths';
import { runMachine, startHangingPublisher } from './machines';
import { requireRedis, startRedis, startS3, storedObjects, type S3Server } from './servers';

describe('fleet: tiers that are read-only, killed, down or tampered with', function () {
  this.timeout(120_000);
  let tmp: string;
  let stubLog: string;
  let mlp: { model: string };
  let image: { model: string; shapes: Record<string, number[]> };
  let s3: S3Server | undefined;
  const env = (): Record<string, string> => ({ OV_STUB_LOG: stubLog });
  const machine = (m: string) => path.join(tmp, `machine-${m}`);
  const abort = new AbortController().signal;

  beforeEach(() => {
    tmp = makeTempDir('ovcache-fleet-');
    stubLog = path.join(tmp, 'stub.log');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    mlp = { model: writeMlp(models).xml };
    image = { model: writeImageModel(models).xml, shapes: { image: [1, 3, 32, 32] } };
  });
  afterEach(async () => {
    await s3?.stop();
    s3 = undefined;
    removeDir(tmp);
  });

  it('a read-only tier serves hits and is never written; the writable local layer (and a writable tier) still fill', async () => {
    const shared = path.join(tmp, 'shared');
    await runMachine({ dir: machine('a'), compiles: [mlp], tiers: [{ path: shared }], publish: 'sync' }, env());
    const before = snapshot(shared);
    assert.ok(
      Object.keys(before).some((p) => p.endsWith('fleet-entry.json')),
      'machine a published into the shared folder',
    );
    s3 = await startS3(path.join(tmp, 's3'));

    // sccache #2773: a read-only remote must not break the writable local layer.
    const b = await runMachine({ dir: machine('b'), compiles: [mlp, image], tiers: [{ path: shared, readOnly: true }] }, env());
    assert.deepEqual(
      b.results.map((r) => [r.hit, r.cached, r.tier]),
      [
        [true, true, `folder:${shared}`],
        [false, true, null],
      ],
    );
    const c = await runMachine(
      { dir: machine('c'), compiles: [mlp, image], tiers: [{ path: shared, readOnly: true }, s3.tier()], publish: 'sync' },
      env(),
    );
    assert.equal(c.results[0]?.tier, `folder:${shared}`);
    assert.equal(c.results[1]?.hit, false);
    assert.deepEqual(snapshot(shared), before, 'the read-only tier was never written (no entry, no lease, no temp file)');
    assert.ok(!c.events.some((e) => e.tier === `folder:${shared}` && e.op !== 'get'), 'no publish or lease on the read-only tier');
    const s3Keys = await new S3Tier(s3.tier()).list(abort);
    assert.deepEqual(s3Keys, [c.results[1]?.key], 'the local fill went to the writable tier');
    // mlp once (a), image once on b and once on c: b had no writable tier to share it through.
    assert.equal(countEvents(stubLog, 'compile'), 3);
  });

  for (const kind of ['folder', 's3+redis'] as const) {
    it(`SIGKILL between a publish's files and its manifest leaves no entry anyone loads; the dead holder's lease is taken over (${kind})`, async function () {
      if (kind === 's3+redis') requireRedis(this);
      const redis = kind === 's3+redis' ? await startRedis() : undefined;
      try {
        const shared = path.join(tmp, 'shared');
        if (kind === 's3+redis') s3 = await startS3(path.join(tmp, 's3'));
        const tiers = s3 ? [s3.tier()] : [{ path: shared }];
        // The dead holder's lease must still be live when machine b asks for it (so b waits): the
        // TTL is far longer than the kill and b's start take on a loaded machine. Once b says it
        // waits, the test moves the lease's clock on by its TTL (the folder lock's mtime back by
        // TTL + 1 s; on Redis, after checking the key's PTTL is at most the TTL, PEXPIRE 1), and b
        // must take it over at once, not after a lease that outlives its TTL.
        const leaseTtlMs = 60_000;
        const fleet = { tiers, leaseTtlMs, pollMs: 50, ...(redis ? { coordinator: { redis: redis.url } } : {}) };
        const publisher = await startHangingPublisher({ dir: machine('a'), compiles: [mlp], ...fleet }, env());
        publisher.kill('SIGKILL');
        await new Promise((resolve) => publisher.once('close', resolve));
        const tier = s3 ? new S3Tier(s3.tier()) : new FolderTier({ path: shared });
        assert.deepEqual(await tier.list(abort), [], 'no manifest: not an entry');
        const uploaded = s3 ? storedObjects(s3.directory, '.blob') : Object.keys(snapshot(shared)).filter((p) => p.endsWith('.blob'));
        assert.equal(uploaded.length, 1, "the killed publisher's blob was uploaded before the kill");

        let aged: Promise<number> | undefined;
        const b = await runMachine({ dir: machine('b'), compiles: [mlp], ...fleet, publish: 'sync' }, env(), {
          leaseWaiting: () => {
            aged = redis ? expireRedisLeases(redis.url, leaseTtlMs) : Promise.resolve(ageFolderLeases(shared, leaseTtlMs + 1000));
          },
        });
        assert.equal(await aged, 1, "the dead holder's one lease was there to age");
        assert.equal(b.results[0]?.tier, null, 'nothing was taken from the half-published entry');
        assert.equal(countEvents(stubLog, 'compile'), 2, 'the new machine compiled');
        const leaseEvents = b.events.filter((e) => e.op === 'lease').map((e) => e.outcome);
        assert.deepEqual(leaseEvents, ['waiting', 'acquired'], "it waited for the dead holder's lease, then took it over");
        const [waited, acquired] = b.events.filter((e) => e.op === 'lease').map((e) => e.ms);
        assert.ok(
          (acquired as number) - (waited as number) < leaseTtlMs / 3,
          `took over ${(acquired as number) - (waited as number)} ms after waiting`,
        );
        assert.deepEqual(await tier.list(abort), [b.results[0]?.key], 'and published the entry');
        await tier.close();
      } finally {
        await redis?.stop();
      }
    });
  }

  /** Moves every lease lock under a folder tier `byMs` into the past; returns how many. */
  function ageFolderLeases(root: string, byMs: number): number {
    const locks = Object.keys(snapshot(root)).filter((p) => /(^|\/)leases\/[^/]+\.lock$/.test(p));
    const past = new Date(Date.now() - byMs);
    for (const lock of locks) fs.utimesSync(path.join(root, lock), past, past);
    return locks.length;
  }

  /** Lets every lease key on the coordinator expire now (PEXPIRE 1), each checked to expire within `ttlMs`; returns how many. */
  async function expireRedisLeases(url: string, ttlMs: number): Promise<number> {
    const client = new Redis(url);
    try {
      const keys = await client.keys('ovcache:lease:*');
      for (const key of keys) {
        const pttl = await client.pttl(key);
        assert.ok(pttl > 0 && pttl <= ttlMs, `${key} expires in ${pttl} ms, not within its TTL of ${ttlMs} ms`);
        await client.pexpire(key, 1);
      }
      return keys.length;
    } finally {
      client.disconnect();
    }
  }

  it('a tampered remote entry (bytes changed, size kept) is refused by its digest; staging leftovers are cleaned', async () => {
    s3 = await startS3(path.join(tmp, 's3'));
    const fleet = { tiers: [s3.tier()], publish: 'sync' };
    await runMachine({ dir: machine('a'), compiles: [mlp], ...fleet }, env());
    const [blob] = storedObjects(s3.directory, '.blob');
    assert.ok(blob, 'the blob is in the store');
    const bytes = fs.readFileSync(blob);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    fs.writeFileSync(blob, bytes);

    // A copy-down that died half-way (its process is gone) left a staging folder behind.
    const orphan = path.join(machine('b'), 'incoming', '4194999-abcdef');
    fs.mkdirSync(orphan, { recursive: true });
    fs.writeFileSync(path.join(orphan, '1.blob'), 'partial');
    const b = await runMachine({ dir: machine('b'), compiles: [mlp], ...fleet }, env());
    const refused = b.events.find((e) => e.outcome === 'refused');
    assert.match(refused?.reason ?? '', /sha256 [0-9a-f]{64} does not match/);
    assert.deepEqual([b.results[0]?.tier, b.results[0]?.hit, b.results[0]?.cached], [null, false, true], 'compiled locally instead');
    assert.equal(countEvents(stubLog, 'compile'), 2);
    assert.ok(!fs.existsSync(path.join(machine('b'), 'incoming')), "nothing staged is left: not the refused copy, not the dead process's");
  });
});
