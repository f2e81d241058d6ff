// ovcache/metrics for the fleet: a machine that compiles and publishes to a shared-folder tier,
// then a fresh machine that copies the entry down; the scraped tier series, value by value.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { Fleet, loadOpenVINO, ModelCache, type Core } from '../../lib/index';
import { createMetrics } from '../../lib/metrics/index';
import { tierKind } from '../../lib/metrics/follow-fleet';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { parseExposition } from './scrape';

/** Bytes of the .blob files below dir. */
function blobBytesUnder(dir: string): number {
  let n = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (item.isFile() && item.name.endsWith('.blob')) n += fs.statSync(path.join(item.parentPath, item.name)).size;
  }
  return n;
}

describe('ovcache/metrics: fleet tiers', function () {
  this.timeout(60_000);
  let tmp: string;
  let core: Core;
  before(async () => {
    core = (await loadOpenVINO({ libraryPath: STAND_IN })).createCore();
  });
  after(() => core.dispose());
  beforeEach(() => {
    tmp = makeTempDir('ovcache-fleet-metrics-');
  });
  afterEach(() => removeDir(tmp));

  it('counts tier gets, publishes and leases by kind and outcome, and the bytes moved each way', async () => {
    const register = new Registry();
    const metrics = createMetrics({ register });
    const xml = writeMlp(path.join(tmp, 'model')).xml;
    const tier = path.join(tmp, 'tier');
    const machine = (name: string) => new ModelCache({ core, dir: path.join(tmp, name), tiers: [{ path: tier }], publish: 'sync' });
    const first = machine('a');
    metrics.observe(first);
    // A miss everywhere: the tier is asked (miss), the lease taken, the entry compiled and published.
    const compiled = await first.compile(xml, { device: 'CPU' });
    compiled.compiled.dispose();
    await first.flush();
    const second = machine('b');
    metrics.observe(second);
    // A fresh machine: the entry comes down from the tier, nothing is compiled.
    const fetched = await second.compile(xml, { device: 'CPU' });
    assert.equal(fetched.tier, `folder:${tier}`);
    fetched.compiled.dispose();

    const s = parseExposition(await register.metrics());
    const ops = (labels: string) => s.get(`ovcache_tier_operations_total{${labels}}`);
    assert.equal(ops('kind="folder",op="get",outcome="miss"'), 1);
    assert.equal(ops('kind="folder",op="get",outcome="hit"'), 1);
    assert.equal(ops('kind="folder",op="publish",outcome="published"'), 1);
    assert.equal(ops('kind="folder-lock",op="lease",outcome="acquired"'), 1);
    assert.equal(s.get('ovcache_tier_operation_duration_seconds_count{kind="folder",op="get"}'), 2);
    // What went up and came down is the entry's blob (manifests are not counted).
    const blobBytes = blobBytesUnder(path.join(tmp, 'b', 'entries'));
    assert.ok(blobBytes > 0);
    assert.equal(s.get('ovcache_tier_bytes_total{kind="folder",direction="up"}'), blobBytes);
    assert.equal(s.get('ovcache_tier_bytes_total{kind="folder",direction="down"}'), blobBytes);
    await first.dispose();
    await second.dispose();
  });

  it('counts tier refusals by reason: an unsigned entry and one signed by an untrusted key, with trust', async () => {
    const register = new Registry();
    const metrics = createMetrics({ register });
    const tier = path.join(tmp, 'tier');
    const signer = crypto.generateKeyPairSync('ed25519');
    const stranger = crypto.generateKeyPairSync('ed25519');
    const mlp = writeMlp(path.join(tmp, 'model')).xml;
    const image = writeImageModel(path.join(tmp, 'model')).xml;
    const publisher = new ModelCache({
      core,
      dir: path.join(tmp, 'a'),
      tiers: [{ path: tier }],
      publish: 'sync',
      trust: { signingKey: stranger.privateKey, trustedKeys: [stranger.publicKey] },
    });
    (await publisher.compile(mlp, { device: 'CPU' })).compiled.dispose();
    await publisher.dispose();
    const plain = new ModelCache({ core, dir: path.join(tmp, 'c'), tiers: [{ path: tier }], publish: 'sync' });
    (await plain.compile(image, { device: 'CPU' })).compiled.dispose();
    await plain.dispose();
    const verifier = new ModelCache({
      core,
      dir: path.join(tmp, 'b'),
      tiers: [{ path: tier, readOnly: true }],
      trust: { trustedKeys: [signer.publicKey] },
    });
    metrics.observe(verifier);
    for (const xml of [mlp, image]) {
      const r = await verifier.compile(xml, { device: 'CPU' });
      assert.equal(r.tier, undefined, 'refused, compiled locally');
      r.compiled.dispose();
    }
    const s = parseExposition(await register.metrics());
    assert.equal(s.get('ovcache_tier_refusals_total{kind="folder",reason="untrusted-key"}'), 1);
    assert.equal(s.get('ovcache_tier_refusals_total{kind="folder",reason="unsigned"}'), 1);
    assert.equal(s.get('ovcache_tier_operations_total{kind="folder",op="get",outcome="refused"}'), 2);
    await verifier.dispose();
  });

  it('follows a shared Fleet once however many caches use it, until the last observer stops', async () => {
    const register = new Registry();
    const metrics = createMetrics({ register });
    const fleet = new Fleet({ tiers: [{ path: path.join(tmp, 'tier') }] });
    const a = new ModelCache({ core, dir: path.join(tmp, 'a'), fleet });
    const b = new ModelCache({ core, dir: path.join(tmp, 'b'), fleet });
    const stopA = metrics.observe(a);
    const stopB = metrics.observe(b);
    const xml = writeMlp(path.join(tmp, 'model')).xml;
    (await a.compile(xml, { device: 'CPU' })).compiled.dispose();
    let s = parseExposition(await register.metrics());
    assert.equal(s.get('ovcache_tier_operations_total{kind="folder",op="get",outcome="miss"}'), 1, 'one event, counted once');
    stopA();
    (await b.compile(writeMlp(path.join(tmp, 'model'), 'second').xml, { device: 'CPU' })).compiled.dispose();
    s = parseExposition(await register.metrics());
    assert.equal(s.get('ovcache_tier_operations_total{kind="folder",op="get",outcome="miss"}'), 2, 'still followed through b');
    stopB();
    (await b.compile(writeMlp(path.join(tmp, 'model'), 'third').xml, { device: 'CPU' })).compiled.dispose();
    s = parseExposition(await register.metrics());
    assert.equal(s.get('ovcache_tier_operations_total{kind="folder",op="get",outcome="miss"}'), 2, 'no longer followed');
    await a.dispose();
    await b.dispose();
    await fleet.close();
  });

  it('labels tiers by kind, never by path or bucket', () => {
    assert.equal(tierKind('folder:/mnt/cache'), 'folder');
    assert.equal(tierKind('s3://bucket/prefix/'), 's3');
    assert.equal(tierKind('redis:redis://10.0.0.1:6379'), 'redis');
    assert.equal(tierKind('folder-lock:/mnt/cache/leases'), 'folder-lock');
    assert.equal(tierKind('custom'), 'other');
  });
});
