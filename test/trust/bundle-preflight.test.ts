// unpack with trusted keys reads and verifies a bundle's index and manifests before it writes a
// byte, and holds the extraction to the byte total the signed index lists; a full volume is
// reported as such (OVCACHE_DISK_FULL), never as an unreadable bundle (review f, D4).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { scanCache } from '../../lib/cache/scan';
import { packBundle } from '../../lib/fleet/bundle-pack';
import type { BundleIndex } from '../../lib/fleet/bundle-format';
import { unpackBundle } from '../../lib/fleet/bundle-unpack';
import { loadOpenVINO, ModelCache, type OpenVINO } from '../../lib/index';
import { resolveTrustOptions } from '../../lib/trust/trust-options';
import type { ResolvedTrust } from '../../lib/trust/trust-options';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';

/** An incompressible-enough file so the bundle stays under the decompression ratio. */
const PADDING_BYTES = 8 * 1024 * 1024;

function mountSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux to mount a tmpfs';
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  return undefined;
}

describe('unpack: the index is verified before extraction, which it bounds', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let tmp: string;
  let trust: ResolvedTrust;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir('ovcache-preflight-');
    const k = crypto.generateKeyPairSync('ed25519');
    trust = resolveTrustOptions({ signingKey: k.privateKey, trustedKeys: [k.publicKey] });
  });
  afterEach(() => removeDir(tmp));

  /** A bundle of the MLP (signed with the test key when `signed`), with a PADDING_BYTES file added to its entry's folder. */
  async function paddedBundle(signed: boolean): Promise<string> {
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const cacheDir = path.join(tmp, 'cache');
    const cache = new ModelCache({ runtime: ov, dir: cacheDir });
    (await cache.compile(writeMlp(models).xml, { device: 'CPU' })).compiled.dispose();
    await cache.dispose();
    const scan = await scanCache(cacheDir);
    const bundle = path.join(tmp, 'padded.tar.gz');
    await packBundle(cacheDir, scan.entries, bundle, signed ? { signer: trust.signer, trusted: trust.trusted } : {});
    const open = path.join(tmp, 'open');
    fs.mkdirSync(open);
    await tar.x({ file: bundle, cwd: open });
    const index = JSON.parse(fs.readFileSync(path.join(open, 'ovcache-bundle.json'), 'utf8')) as BundleIndex;
    fs.writeFileSync(path.join(open, 'entries', index.entries[0]?.name as string, 'padding.bin'), crypto.randomBytes(PADDING_BYTES));
    await tar.c({ gzip: true, file: bundle, cwd: open }, ['ovcache-bundle.json', 'entries']);
    return bundle;
  }

  it('a signed bundle holding more bytes than its signed index lists is refused whole, extraction stopped at the listed total', async () => {
    const bundle = await paddedBundle(true);
    const target = path.join(tmp, 'target');
    await assert.rejects(unpackBundle(target, bundle, null, { trust }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'OVCACHE_BUNDLE_UNTRUSTED');
      assert.match(e.message, /holds more than the \d+ bytes its signed index lists \(mismatch: extraction stopped there\)/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(path.join(target, 'entries')), []);
    assert.ok(!fs.existsSync(path.join(target, 'incoming')), 'nothing staged is left');
  });

  describe('on a small volume (a tmpfs)', function () {
    let mnt: string;
    before(function () {
      const skip = mountSkipReason();
      if (skip) {
        if (process.env.CI === 'true') throw new Error(`CI=true, yet ${skip}`);
        console.log(`      skipped: ${skip}`);
        this.skip();
      }
    });
    beforeEach(() => {
      mnt = path.join(tmp, 'small');
      fs.mkdirSync(mnt);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mnt]);
    });
    afterEach(() => {
      execFileSync('umount', [mnt]);
    });

    it('an unsigned bundle larger than the volume is refused by unpack --trust before a byte is written (not a full disk)', async () => {
      const bundle = await paddedBundle(false);
      const target = path.join(mnt, 'cache');
      await assert.rejects(unpackBundle(target, bundle, null, { trust }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'OVCACHE_BUNDLE_UNTRUSTED', e.message);
        assert.match(e.message, /is refused whole, nothing installed: .*\(unsigned: /);
        return true;
      });
      assert.ok(!fs.existsSync(path.join(target, 'incoming')), 'nothing was staged');
    });

    it('without trust, a bundle larger than the volume fails with OVCACHE_DISK_FULL (not an invalid bundle) and leaves nothing', async () => {
      const bundle = await paddedBundle(false);
      const target = path.join(mnt, 'cache');
      await assert.rejects(unpackBundle(target, bundle, null, {}), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'OVCACHE_DISK_FULL', e.message);
        assert.match(e.message, /is full \((ENOSPC|EDQUOT)\) while unpacking .*: nothing was installed/);
        return true;
      });
      assert.ok(!fs.existsSync(path.join(target, 'incoming')), 'the staging folder was removed');
      assert.deepEqual(fs.readdirSync(path.join(target, 'entries')), []);
    });
  });
});
