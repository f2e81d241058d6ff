// An S3 blob whose object was replaced by a much larger one (manifest and signature untouched)
// is refused from its ContentLength before a byte is written locally, and a body that runs
// past the manifest's size is stopped there: the local volume never receives more than the
// signed size (review f, D1).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as S3 from '@aws-sdk/client-s3';
import type { TierEvent } from '../../lib/fleet/fleet';
import { S3Tier } from '../../lib/fleet/s3-tier';
import { writeCapped } from '../../lib/fs/write-capped';
import { loadOpenVINO, ModelCache, type OpenVINO } from '../../lib/index';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { BUCKET, S3_CREDENTIALS, startS3, type S3Server } from './servers';

const BIG = 32 * 1024 * 1024;

describe('S3 tier: a blob of another size than its manifest says', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let tmp: string;
  let s3: S3Server;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(async () => {
    tmp = makeTempDir('ovcache-s3-size-');
    s3 = await startS3(path.join(tmp, 's3'));
  });
  afterEach(async () => {
    await s3.stop();
    removeDir(tmp);
  });

  /** Publishes the MLP signed, then replaces its blob object with a BIG one; returns the model and the object's key. */
  async function publishThenSwell(trust: { signingKey: crypto.KeyObject; trustedKeys: crypto.KeyObject[] }) {
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const xml = writeMlp(models).xml;
    const pub = new ModelCache({ runtime: ov, dir: path.join(tmp, 'pub'), tiers: [s3.tier()], publish: 'sync', trust });
    (await pub.compile(xml, { device: 'CPU' })).compiled.dispose();
    await pub.fleet?.close();
    await pub.dispose();
    const client = new S3.S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { ...S3_CREDENTIALS },
    });
    try {
      const list = await client.send(new S3.ListObjectsV2Command({ Bucket: BUCKET }));
      const blob = (list.Contents ?? []).find((o) => (o.Key ?? '').split('/').length === 4);
      assert.ok(blob?.Key && blob.Size, 'the published blob');
      await client.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: blob.Key, Body: Buffer.alloc(BIG, 7), ContentLength: BIG }));
      return { xml, blobKey: blob.Key, signedBytes: blob.Size };
    } finally {
      client.destroy();
    }
  }

  it('S3Tier.download refuses an object whose ContentLength is not the manifest size, writing nothing', async () => {
    const k = crypto.generateKeyPairSync('ed25519');
    const { blobKey, signedBytes } = await publishThenSwell({ signingKey: k.privateKey, trustedKeys: [k.publicKey] });
    const [, key, uploadId, file] = blobKey.split('/') as [string, string, string, string];
    const tier = new S3Tier({ s3: s3.tier().s3 });
    const to = path.join(tmp, 'down.bin');
    try {
      await assert.rejects(
        tier.download(key, uploadId, file, to, new AbortController().signal, signedBytes),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'OVCACHE_UNSAFE_PATH');
          assert.match(e.message, new RegExp(`is ${BIG} bytes, its manifest says ${signedBytes}: refused, never copied`));
          return true;
        },
      );
      assert.ok((fs.statSync(to, { throwIfNoEntry: false })?.size ?? 0) <= signedBytes, 'nothing past the signed size on disk');
    } finally {
      await tier.close();
    }
  });

  it('a trusting reader refuses the swollen blob as mismatch (counted, not "tier down"), compiles locally, and its cache stays small', async () => {
    const k = crypto.generateKeyPairSync('ed25519');
    const { xml } = await publishThenSwell({ signingKey: k.privateKey, trustedKeys: [k.publicKey] });
    const dir = path.join(tmp, 'reader');
    const reader = new ModelCache({ runtime: ov, dir, tiers: [s3.tier()], trust: { trustedKeys: [k.publicKey] } });
    const events: TierEvent[] = [];
    reader.fleet?.on('tier', (e) => events.push(e));
    try {
      const r = await reader.compile(xml, { device: 'CPU' });
      assert.equal(r.hit, false, 'compiled locally');
      r.compiled.dispose();
      const refused = events.find((e) => e.op === 'get' && e.outcome === 'refused');
      assert.equal(refused?.refusal, 'mismatch', JSON.stringify(events));
      assert.match(refused?.reason ?? '', /^mismatch: .* refused, never copied$/);
      assert.equal(events.filter((e) => e.outcome === 'down').length, 0, JSON.stringify(events));
      assert.ok((reader.fleet?.stats().refused ?? 0) >= 1, 'counted as a refusal');
    } finally {
      await reader.fleet?.close();
      await reader.dispose();
    }
  });

  it('writeCapped stops a body that runs past the size when no length was announced: at most that many bytes are written', async () => {
    const to = path.join(tmp, 'capped.bin');
    const chunks = function* () {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, 1); // 4 MiB in all
    };
    await assert.rejects(
      writeCapped(Readable.from(chunks()), to, { bytes: 100_000, where: 'test body' }),
      /its manifest says 100000: refused, never copied/,
    );
    // The refusal may come before the write stream opened the file: no file is 0 bytes written.
    const written = fs.statSync(to, { throwIfNoEntry: false })?.size ?? 0;
    assert.ok(written <= 100_000, `${written} bytes written`);
  });
});
