// fleet.md: "Should a reader still be copying a removed upload, ... it compiles locally: never a
// wrong entry". tier-gc removes the upload a reader's manifest names between the reader's
// manifest read and its copy (each tier's getManifest is wrapped to do it): the reader's pull
// is a miss (`upload-gone`), it compiles locally, and the tier is not marked down: its next
// entry still comes from the tier. On a shared folder and on s3rver.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TierEvent } from '../../lib/fleet/fleet';
import type { TierOptions } from '../../lib/fleet/fleet-options';
import { FolderTier } from '../../lib/fleet/folder-tier';
import { S3Tier } from '../../lib/fleet/s3-tier';
import { UploadGoneError, type Tier } from '../../lib/fleet/tier';
import { loadOpenVINO, ModelCache, type OpenVINO } from '../../lib/index';
import { writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { startS3, type S3Server } from './servers';

type TierClass = typeof FolderTier | typeof S3Tier;

/** Until restored, every manifest read of `victim` is followed by the removal of the upload it names. */
function removeUploadAfterManifestRead(cls: TierClass, victim: string): () => void {
  const proto = cls.prototype as Tier;
  const original = Object.getOwnPropertyDescriptor(proto, 'getManifest')!;
  const read = original.value as Tier['getManifest'];
  proto.getManifest = async function (this: Tier, key: string, signal: AbortSignal) {
    const text = await read.call(this, key, signal);
    if (text !== undefined && key === victim) await this.removeUpload(key, (JSON.parse(text) as { uploadId: string }).uploadId, signal);
    return text;
  };
  return () => Object.defineProperty(proto, 'getManifest', original);
}

describe('fleet: a reader whose upload tier-gc removed', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let tmp: string;
  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir('ovcache-gc-reader-');
  });
  afterEach(() => removeDir(tmp));

  async function publish(tier: TierOptions, xml: string): Promise<string> {
    const pub = new ModelCache({ runtime: ov, dir: path.join(tmp, 'publisher'), tiers: [tier], publish: 'sync', history: false });
    const r = await pub.compile(xml, { device: 'CPU' });
    r.compiled.dispose();
    await pub.fleet?.close();
    await pub.dispose();
    return r.key as string;
  }

  async function check(tier: TierOptions, cls: TierClass): Promise<void> {
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const first = writeWeightsModel(models, 4096, 'first').xml;
    const second = writeWeightsModel(models, 8192, 'second').xml;
    const key = await publish(tier, first);

    const reader = new ModelCache({ runtime: ov, dir: path.join(tmp, 'reader'), tiers: [tier], history: false });
    const events: TierEvent[] = [];
    reader.fleet?.on('tier', (e) => events.push(e));
    const restore = removeUploadAfterManifestRead(cls, key);
    try {
      const r = await reader.compile(first, { device: 'CPU' });
      assert.equal(r.hit, false, 'compiled locally');
      assert.equal(r.key, key);
      r.compiled.dispose();
    } finally {
      restore();
    }
    const gets = events.filter((e) => e.op === 'get');
    assert.equal(gets[0]?.outcome, 'miss', JSON.stringify(events));
    assert.match(gets[0]?.reason ?? '', /^upload-gone: .* is gone \(tier-gc removed the upload after its manifest was read\)$/);
    assert.deepEqual(
      events.filter((e) => e.outcome === 'down' || e.outcome === 'refused'),
      [],
    );

    // The local entry is the reader's own compile, and the tier still serves the next key.
    const again = await reader.compile(first, { device: 'CPU' });
    assert.ok(again.hit && !again.tier, 'the local entry loads');
    again.compiled.dispose();
    await publish(tier, second);
    const next = await reader.compile(second, { device: 'CPU' });
    assert.ok(next.hit && next.tier, `the next key came from the tier: ${JSON.stringify(events.slice(-2))}`);
    next.compiled.dispose();
    await reader.fleet?.close();
    await reader.dispose();
  }

  it('a shared folder: a miss (upload-gone), compiled locally, the tier not marked down', async () => {
    await check({ path: path.join(tmp, 'tier') }, FolderTier);
  });

  it('S3: a miss (upload-gone), compiled locally, the tier not marked down', async () => {
    const s3: S3Server = await startS3(path.join(tmp, 's3'));
    try {
      await check(s3.tier(), S3Tier);
    } finally {
      await s3.stop();
    }
  });
  it('a folder tier whose whole folder went after the manifest read (an unmount) is down, not upload-gone, and nothing is published into it', async () => {
    const root = path.join(tmp, 'tier');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const xml = writeWeightsModel(models, 4096, 'first').xml;
    await publish({ path: root }, xml);
    const proto = FolderTier.prototype as Tier;
    const original = Object.getOwnPropertyDescriptor(proto, 'getManifest')!;
    const read = original.value as Tier['getManifest'];
    proto.getManifest = async function (this: Tier, key: string, signal: AbortSignal) {
      const text = await read.call(this, key, signal);
      fs.rmSync(path.join(root, 'entries'), { recursive: true, force: true }); // the mount went: nothing under it
      return text;
    };
    const reader = new ModelCache({ runtime: ov, dir: path.join(tmp, 'reader'), tiers: [{ path: root }], history: false });
    const events: TierEvent[] = [];
    reader.fleet?.on('tier', (e) => events.push(e));
    try {
      const r = await reader.compile(xml, { device: 'CPU' });
      assert.equal(r.hit, false, 'compiled locally');
      r.compiled.dispose();
    } finally {
      Object.defineProperty(proto, 'getManifest', original);
      await reader.fleet?.close();
      await reader.dispose();
    }
    assert.equal(events.find((e) => e.op === 'get')?.outcome, 'down', JSON.stringify(events));
    assert.deepEqual(
      events.filter((e) => (e.reason ?? '').startsWith('upload-gone') || e.outcome === 'published'),
      [],
    );
  });

  it('S3: a missing object is upload-gone; a missing bucket is not (the tier is down)', async () => {
    const s3 = await startS3(path.join(tmp, 's3'));
    const signal = new AbortController().signal;
    const here = new S3Tier(s3.tier());
    const noBucket = new S3Tier({ s3: { ...s3.tier().s3, bucket: 'no-such-bucket' } });
    const to = path.join(tmp, 'down.bin');
    try {
      await assert.rejects(here.download('a'.repeat(64), 'upload', 'model.blob', to, signal), UploadGoneError);
      await assert.rejects(noBucket.download('a'.repeat(64), 'upload', 'model.blob', to, signal), (e: Error) => {
        assert.ok(!(e instanceof UploadGoneError), e.message);
        return true;
      });
    } finally {
      await here.close();
      await noBucket.close();
      await s3.stop();
    }
  });
});
