// A tier's manifest is capped (MAX_REMOTE_MANIFEST_BYTES, 1 MiB): a larger one is refused with
// OVCACHE_UNSAFE_PATH before it is read whole (folder: fstat on the O_NOFOLLOW fd; S3: the
// ContentLength, then a read that stops past the cap), and a pull turns it into a `refused` event.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as S3 from '@aws-sdk/client-s3';
import { FolderTier } from '../../lib/fleet/folder-tier';
import { MAX_REMOTE_MANIFEST_BYTES } from '../../lib/fleet/remote-manifest';
import { S3Tier } from '../../lib/fleet/s3-tier';
import { pullEntry } from '../../lib/fleet/transfer';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir } from '../helpers/paths';
import { BUCKET, S3_CREDENTIALS, startS3, type S3Server } from './servers';

const KEY = 'a'.repeat(64);
const oversized = (): string => `{"pad":"${'x'.repeat(MAX_REMOTE_MANIFEST_BYTES)}"}`;

describe('tier manifest size cap', function () {
  this.timeout(120_000);
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir('ovcache-manifest-cap-')));
  afterEach(() => removeDir(tmp));

  it('folder tier: a manifest over 1 MiB is refused (OVCACHE_UNSAFE_PATH) and a pull reports it refused; one at the cap is read', async () => {
    const shared = path.join(tmp, 'shared');
    const dir = path.join(shared, 'entries', KEY);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.chmodSync(shared, 0o755);
    fs.chmodSync(path.join(shared, 'entries'), 0o755);
    fs.chmodSync(dir, 0o755);
    const tier = new FolderTier({ path: shared, readOnly: true });
    const manifest = path.join(dir, 'fleet-entry.json');
    fs.writeFileSync(manifest, oversized());
    await expectCode(tier.getManifest(KEY), 'OVCACHE_UNSAFE_PATH', /over the 1048576-byte limit: refused, never read/);
    const pulled = await pullEntry(tier, { key: KEY, cacheDir: path.join(tmp, 'cache') }, 5000);
    assert.equal(pulled.status, 'refused');
    assert.match((pulled as { reason: string }).reason, /over the 1048576-byte limit/);
    fs.writeFileSync(manifest, 'y'.repeat(MAX_REMOTE_MANIFEST_BYTES));
    assert.equal((await tier.getManifest(KEY))?.length, MAX_REMOTE_MANIFEST_BYTES, 'exactly the cap is read');
  });

  describe('S3 tier', () => {
    let s3: S3Server | undefined;
    before(async function () {
      try {
        s3 = await startS3(path.join(makeTempDir('ovcache-manifest-cap-s3-'), 's3'));
      } catch (error) {
        if (process.env.CI === 'true') throw error;
        this.skip(); // s3rver did not start here: nothing to test against
      }
    });
    after(async () => {
      await s3?.stop();
      if (s3) removeDir(path.dirname(s3.directory));
    });

    it('a manifest over 1 MiB is refused from its ContentLength (OVCACHE_UNSAFE_PATH); a pull reports it refused', async () => {
      const server = s3 as S3Server;
      const client = new S3.S3Client({
        endpoint: server.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { ...S3_CREDENTIALS },
      });
      await client.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: `entries/${KEY}/fleet-entry.json`, Body: oversized() }));
      client.destroy();
      const tier = new S3Tier(server.tier());
      await expectCode(tier.getManifest(KEY, new AbortController().signal), 'OVCACHE_UNSAFE_PATH', /over the 1048576-byte limit/);
      const pulled = await pullEntry(tier, { key: KEY, cacheDir: path.join(tmp, 'cache') }, 5000);
      assert.equal(pulled.status, 'refused');
      await tier.close();
    });
  });
});
