// Cleaning a tier (`ovcache tier-gc`, collectTierGarbage): uploads no manifest names are removed
// once old enough (a killed publisher's files, a key's earlier publish); the entry every
// manifest names stays, and a fresh machine still loads it. On a shared folder and on s3rver.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, ModelCache, type Core } from '../../lib/index';
import { createTier } from '../../lib/fleet/fleet';
import type { TierOptions } from '../../lib/fleet/fleet-options';
import { tierFromArgument } from '../../lib/cli/commands/tier-gc';
import { collectTierGarbage, type TierGcReport } from '../../lib/fleet/tier-gc';
import { REMOTE_MANIFEST, type Tier } from '../../lib/fleet/tier';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';
import { startS3, type S3Server } from './servers';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const HOUR = 3600_000;
const ORPHAN_KEY = 'a'.repeat(64);

/** Files a publisher killed before its manifest leaves, and an earlier publish of `key`. */
async function leaveGarbage(tier: Tier, key: string, tmp: string): Promise<void> {
  const file = path.join(tmp, 'leftover.bin');
  fs.writeFileSync(file, Buffer.alloc(5000, 7));
  const signal = new AbortController().signal;
  await tier.upload(ORPHAN_KEY, 'killed-upload', 'model.blob', file, signal);
  await tier.upload(key, 'earlier-upload', 'model.blob', file, signal);
}

describe('fleet: cleaning a tier', function () {
  this.timeout(60_000);
  let tmp: string;
  let xml: string;
  let core: Core;
  before(async () => {
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  });
  after(() => core.dispose());
  beforeEach(() => {
    tmp = makeTempDir('ovcache-tier-gc-');
    xml = writeMlp(path.join(tmp, 'model')).xml;
  });
  afterEach(() => removeDir(tmp));

  /** Publishes one entry through a cache; returns its key. */
  async function publish(tierOptions: TierOptions): Promise<string> {
    const cache = new ModelCache({ core, dir: path.join(tmp, 'publisher'), tiers: [tierOptions], publish: 'sync' });
    const r = await cache.compile(xml, { device: 'CPU' });
    r.compiled.dispose();
    await cache.dispose();
    return r.key as string;
  }

  /** A fresh machine loads the entry from the tier, compiling nothing. */
  async function freshMachineHits(tierOptions: TierOptions): Promise<void> {
    const cache = new ModelCache({ core, dir: path.join(tmp, `fresh-${Date.now()}`), tiers: [tierOptions] });
    const r = await cache.compile(xml, { device: 'CPU' });
    assert.ok(r.hit && r.tier, 'loaded from the tier');
    r.compiled.dispose();
    await cache.dispose();
  }

  function removedSorted(report: TierGcReport) {
    return report.removed.map((g) => `${g.why}:${g.uploadId}`).sort();
  }

  it('a shared folder: old unreferenced uploads go, young ones and the entry stay', async () => {
    const root = path.join(tmp, 'tier');
    const options = { path: root };
    const key = await publish(options);
    const tier = createTier(options);
    await leaveGarbage(tier, key, tmp);

    // Everything is fresh: nothing is old enough to be removed.
    const early = await collectTierGarbage(tier);
    assert.equal(early.removed.length, 0);
    assert.deepEqual(early.young.map((g) => g.why).sort(), ['orphan', 'superseded']);

    // Two hours later, as the files' times say.
    const old = (Date.now() - 2 * HOUR) / 1000;
    for (const f of fs.readdirSync(path.join(root, 'entries'), { recursive: true, withFileTypes: true }))
      fs.utimesSync(path.join(f.parentPath, f.name), old, old);
    const dry = await collectTierGarbage(tier, { dryRun: true });
    assert.deepEqual(removedSorted(dry), ['orphan:killed-upload', 'superseded:earlier-upload']);
    assert.ok(fs.existsSync(path.join(root, 'entries', ORPHAN_KEY, 'killed-upload')), 'a dry run removes nothing');

    const real = await collectTierGarbage(tier);
    assert.deepEqual(removedSorted(real), ['orphan:killed-upload', 'superseded:earlier-upload']);
    assert.equal(real.bytesFreed, 10_000);
    assert.equal(real.entries, 1);
    assert.ok(!fs.existsSync(path.join(root, 'entries', ORPHAN_KEY, 'killed-upload')));
    assert.ok(!fs.existsSync(path.join(root, 'entries', key, 'earlier-upload')));
    assert.ok(fs.existsSync(path.join(root, 'entries', key, REMOTE_MANIFEST)));
    await tier.close();
    await freshMachineHits(options);
  });

  it('a key republished between the inventory and the manifest read keeps its old upload until the new manifest is old enough', async () => {
    const root = path.join(tmp, 'tier');
    const options = { path: root };
    const key = await publish(options);
    const tier = createTier(options);
    const kdir = path.join(root, 'entries', key);
    const manifestFile = path.join(kdir, REMOTE_MANIFEST);
    const u1 = (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { uploadId: string }).uploadId;
    const old = (Date.now() - 3 * HOUR) / 1000;
    for (const f of fs.readdirSync(kdir, { recursive: true, withFileTypes: true }))
      fs.utimesSync(path.join(f.parentPath, f.name), old, old);
    // Another machine republishes the key (its files, then its manifest) after gc took the inventory.
    const u2 = `${u1.startsWith('a') ? 'b' : 'a'}${u1.slice(1)}`;
    const republishing: Tier = Object.create(tier) as Tier;
    let republished = false;
    republishing.getManifest = async (k, signal) => {
      if (!republished) {
        republished = true;
        fs.cpSync(path.join(kdir, u1), path.join(kdir, u2), { recursive: true });
        fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').split(u1).join(u2));
      }
      return tier.getManifest(k, signal);
    };
    const report = await collectTierGarbage(republishing, { olderThanMs: HOUR });
    assert.deepEqual(report.removed, []);
    assert.deepEqual(
      report.young.map((g) => `${g.why}:${g.uploadId}`),
      [`superseded:${u1}`],
    );
    assert.ok(fs.existsSync(path.join(kdir, u1)), 'a reader of the old manifest can still copy it');
    // Republished between the manifest read and the removal: decided again on the manifest then.
    fs.rmSync(path.join(kdir, u2), { recursive: true });
    fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').split(u2).join(u1));
    for (const f of fs.readdirSync(kdir, { recursive: true, withFileTypes: true }))
      fs.utimesSync(path.join(f.parentPath, f.name), old, old);
    const u0 = `${u1.startsWith('c') ? 'd' : 'c'}${u1.slice(1)}`;
    await tier.upload(key, u0, 'model.blob', manifestFile, new AbortController().signal);
    fs.utimesSync(path.join(kdir, u0, 'model.blob'), old, old);
    let reads = 0;
    const late: Tier = Object.create(tier) as Tier;
    late.getManifest = async (k, signal) => {
      if (++reads === 2) fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').split(u1).join(u0));
      return tier.getManifest(k, signal);
    };
    const second = await collectTierGarbage(late, { olderThanMs: HOUR });
    assert.deepEqual(second.removed, []);
    assert.ok(fs.existsSync(path.join(kdir, u0)), 'the upload the manifest names now stays');
    await tier.close();
  });

  it("ovcache tier-gc --shared group cleans a tier made with shared: 'group'; without it the refusal is OVCACHE_CACHE_DIR_INSECURE", async function () {
    const root = path.join(tmp, 'gtier');
    const tier = createTier({ path: root, shared: 'group' });
    const file = path.join(tmp, 'f');
    fs.writeFileSync(file, 'x');
    await tier.upload(ORPHAN_KEY, 'up1', 'x.blob', file, new AbortController().signal);
    await tier.close();
    assert.equal(fs.statSync(root).mode & 0o7777, 0o2775);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN };
    const plain = spawnSync(process.execPath, [CLI, 'tier-gc', root, '--older-than', '0s'], { env, encoding: 'utf8' });
    assert.equal(plain.status, 1);
    assert.match(plain.stderr, /\[OVCACHE_CACHE_DIR_INSECURE\] Shared tier folder .* is writable by its group/);
    assert.doesNotMatch(plain.stderr, /cannot be reached/);
    assert.match(plain.stderr, /For tier-gc, that is --shared group\./);
    const shared = spawnSync(process.execPath, [CLI, 'tier-gc', root, '--older-than', '0s', '--shared', 'group', '--json'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(shared.status, 0, shared.stderr);
    assert.deepEqual(
      (JSON.parse(shared.stdout) as TierGcReport).removed.map((g) => `${g.why}:${g.uploadId}`),
      ['orphan:up1'],
    );
  });

  it('ovcache tier-gc on a folder: --dry-run --json, then a real run with --older-than', async () => {
    const root = path.join(tmp, 'tier');
    const key = await publish({ path: root });
    const tier = createTier({ path: root });
    await leaveGarbage(tier, key, tmp);
    await tier.close();
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'tier-gc', root, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      });
    const dry = run('--dry-run', '--json', '--older-than', '0s');
    assert.equal(dry.status, 0, dry.stderr);
    const report = JSON.parse(dry.stdout) as TierGcReport;
    assert.equal(report.dryRun, true);
    assert.deepEqual(removedSorted(report), ['orphan:killed-upload', 'superseded:earlier-upload']);
    assert.ok(fs.existsSync(path.join(root, 'entries', key, 'earlier-upload')));
    const young = run();
    assert.equal(young.status, 0, young.stderr);
    assert.match(young.stdout, /Removed 0 unreferenced uploads, .*; 1 entry \(/);
    assert.match(young.stdout, /Left 2 younger than 1h /);
    const real = run('--older-than', '0s');
    assert.equal(real.status, 0, real.stderr);
    assert.match(real.stdout, /Removed 2 unreferenced uploads, 9\.8 KiB/);
    assert.ok(!fs.existsSync(path.join(root, 'entries', key, 'earlier-upload')));
    const bad = run('--endpoint', 'http://127.0.0.1:1');
    assert.equal(bad.status, 2, 'a usage error');
    assert.match(bad.stderr, /OVCACHE_INVALID_ARGUMENT.*--endpoint is for s3:\/\/ tiers only/);
    const missing = spawnSync(process.execPath, [CLI, 'tier-gc', path.join(tmp, 'no-such-tier')], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /OVCACHE_TIER_UNAVAILABLE.*no-such-tier cannot be reached/);
  });

  it('ovcache tier-gc parses s3:// as a URL: no bucket, another scheme or a query is a usage error (exit 2), never a folder named "s3:"', () => {
    for (const [spec, why] of [
      ['s3://', /names no bucket/],
      ['s3:///prefix', /names no bucket/],
      ['S3://Upper_Case/x', /is not an S3 bucket name/],
      ['s3:bucket/prefix', /is not an s3:\/\/ URL/],
      ['s3://bucket/prefix?versionId=1', /user, port, query or fragment/],
      ['gs://bucket/prefix', /gs: is not a tier scheme/],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, 'tier-gc', spec, '--dry-run'], {
        cwd: tmp,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      });
      assert.equal(r.status, 2, `${spec}: ${r.stderr}`);
      assert.match(r.stderr, /\[OVCACHE_INVALID_ARGUMENT\]/, spec);
      assert.match(r.stderr, why, spec);
    }
    assert.deepEqual(
      fs.readdirSync(tmp).filter((n) => /:/.test(n)),
      [],
      'no folder named after a URL was made',
    );
    assert.deepEqual(tierFromArgument('s3://models-cache/fleet/a%20b', { region: 'eu-west-1' }), {
      s3: { bucket: 'models-cache', prefix: 'fleet/a b', region: 'eu-west-1' },
    });
    assert.deepEqual(tierFromArgument('s3://models-cache', {}), { s3: { bucket: 'models-cache' } });
    assert.deepEqual(tierFromArgument('/mnt/models-cache', {}), { path: '/mnt/models-cache' });
  });

  describe('on s3rver', () => {
    let s3: S3Server;
    beforeEach(async () => {
      s3 = await startS3(path.join(tmp, 's3'));
    });
    afterEach(() => s3.stop());

    it('removes what no manifest names once old enough; the entry stays and loads', async () => {
      const options = s3.tier({ prefix: 'gc' });
      const key = await publish(options);
      const tier = createTier(options);
      await leaveGarbage(tier, key, tmp);
      const early = await collectTierGarbage(tier);
      assert.equal(early.removed.length, 0);
      assert.equal(early.young.length, 2);
      // Object times cannot be set back on S3: look from two hours ahead instead.
      const report = await collectTierGarbage(tier, { now: Date.now() + 2 * HOUR });
      assert.deepEqual(removedSorted(report), ['orphan:killed-upload', 'superseded:earlier-upload']);
      assert.equal(report.bytesFreed, 10_000);
      const left = await tier.inventory(new AbortController().signal);
      assert.deepEqual([...new Set(left.map((o) => o.key))], [key]);
      assert.ok(left.every((o) => o.uploadId === null || o.uploadId !== 'earlier-upload'));
      await tier.close();
      await freshMachineHits(options);
    });
  });
});
