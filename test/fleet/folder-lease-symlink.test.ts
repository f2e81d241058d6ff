// The folder tier's leases/ folder is never followed when it is a symlink: a lease is refused
// (OVCACHE_CACHE_DIR_INSECURE) and no lock file is written where the link points.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FolderTier } from '../../lib/fleet/folder-tier';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir } from '../helpers/paths';

describe('folder tier: leases/ as a symlink', function () {
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir('ovcache-lease-link-')));
  afterEach(() => removeDir(tmp));

  it('refuses the lease and writes nothing outside the tier', async () => {
    const shared = path.join(tmp, 'shared');
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(shared, { mode: 0o755 });
    fs.chmodSync(shared, 0o755);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(shared, 'leases'));
    const tier = new FolderTier({ path: shared });
    const leases = tier.leases();
    assert.ok(leases);
    try {
      await expectCode(leases.tryAcquire('b'.repeat(64), 5000), 'OVCACHE_CACHE_DIR_INSECURE', /leases is a symlink/);
      assert.deepEqual(fs.readdirSync(outside), [], 'no lock file where the link points');
    } finally {
      await tier.close();
    }
  });

  it('a real leases/ folder still gives leases', async () => {
    const shared = path.join(tmp, 'shared');
    fs.mkdirSync(shared, { mode: 0o755 });
    fs.chmodSync(shared, 0o755);
    const tier = new FolderTier({ path: shared });
    try {
      const lease = await tier.leases()?.tryAcquire('c'.repeat(64), 5000);
      assert.ok(lease, 'taken');
      await lease.release();
    } finally {
      await tier.close();
    }
  });
});
