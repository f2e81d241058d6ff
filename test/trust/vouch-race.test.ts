// publish and pack check that they may vouch for an entry (compiled here, or verified on
// arrival) and then read its files: an entry replaced in between (an install renaming a copied,
// unverified entry into the same folder) must never be signed. Each test makes the swap happen
// exactly in that window and expects nothing signed.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest, writeManifest, type EntryManifest } from '../../lib/cache/entry/manifest';
import type { ScannedEntry } from '../../lib/cache/scan';
import { packBundle } from '../../lib/fleet/bundle-pack';
import { FolderTier } from '../../lib/fleet/folder-tier';
import { publishEntry } from '../../lib/fleet/transfer';
import { loadOpenVINO, ModelCache, type OpenVINO } from '../../lib/index';
import { loadSigningKey } from '../../lib/trust/keys';
import type { ResolvedTrust } from '../../lib/trust/trust-options';
import { writeMlp } from '../../scripts/make-fixtures';
import { STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

describe('trust: an entry replaced between the vouch check and the read', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let tmp: string;
  let cacheDir: string;
  let entryDir: string;
  const signer = loadSigningKey(crypto.generateKeyPairSync('ed25519').privateKey, 's');
  const trust: ResolvedTrust = { signer, trusted: new Map([[signer.keyId, { key: signer.key, keyId: signer.keyId }]]) };

  /** Replaces the genuine entry with a copied, unverified one (other blob bytes, an origin), as an install does: a new folder renamed in. */
  async function swapInCopiedEntry(): Promise<void> {
    const read = await readManifest(entryDir);
    assert.equal(read.status, 'ok');
    const m = (read as { manifest: EntryManifest }).manifest;
    const evil = path.join(cacheDir, 'evil-staging');
    fs.mkdirSync(evil);
    for (const f of m.files) {
      const bytes = fs.readFileSync(path.join(entryDir, f.name));
      if (f.name.endsWith('.blob')) bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
      fs.writeFileSync(path.join(evil, f.name), bytes);
    }
    await writeManifest(evil, { ...m, origin: { from: 'bundle:evil.tar.gz', signedBy: null } });
    fs.rmSync(entryDir, { recursive: true });
    fs.renameSync(evil, entryDir);
  }

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(async () => {
    tmp = makeTempDir('ovcache-vouch-race-');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    cacheDir = path.join(tmp, 'cache');
    const cache = new ModelCache({ runtime: ov, dir: cacheDir });
    try {
      (await cache.compile(writeMlp(models).xml, { device: 'CPU' })).compiled.dispose();
    } finally {
      await cache.dispose();
    }
    const entries = path.join(cacheDir, 'entries');
    entryDir = path.join(entries, fs.readdirSync(entries)[0] as string);
  });
  afterEach(() => removeDir(tmp));

  it('publish: an entry swapped after the check is never signed nor published (not-signed)', async () => {
    const shared = path.join(tmp, 'shared');
    class SwappingTier extends FolderTier {
      swaps = 1;
      override async getManifest(key: string): Promise<string | undefined> {
        if (this.swaps-- > 0) await swapInCopiedEntry(); // between mayVouchFor and the digests
        return super.getManifest(key);
      }
    }
    const tier = new SwappingTier({ path: shared });
    const result = await publishEntry(tier, entryDir, 5000, trust);
    assert.equal(result.status, 'not-signed', JSON.stringify(result));
    assert.match(result.reason ?? '', /replaced while it was being read/);
    assert.deepEqual(await tier.list(), [], 'nothing published');
    await tier.close();
  });

  it('publish without a swap signs and publishes the entry compiled here', async () => {
    const tier = new FolderTier({ path: path.join(tmp, 'shared') });
    const result = await publishEntry(tier, entryDir, 5000, trust);
    assert.equal(result.status, 'published');
    await tier.close();
  });

  it('pack --sign: an entry swapped after the check is skipped, never signed into the bundle', async () => {
    const entry = { name: path.basename(entryDir), dir: entryDir } as unknown as ScannedEntry;
    const mkdir = fs.promises.mkdir;
    let swaps = 1;
    // packBundle makes the entry's bundle folder right after the vouch check, before linking its files.
    fs.promises.mkdir = (async (...args: Parameters<typeof mkdir>) => {
      if (String(args[0]).includes(path.join('entries', entry.name)) && swaps-- > 0) await swapInCopiedEntry();
      return mkdir(...args);
    }) as typeof mkdir;
    try {
      await assert.rejects(packBundle(cacheDir, [entry], path.join(tmp, 'out.tar.gz'), { signer }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'OVCACHE_ENTRY_NOT_FOUND');
        assert.match(error.message, /replaced while it was being read/);
        return true;
      });
    } finally {
      fs.promises.mkdir = mkdir;
    }
    assert.equal(swaps, 0, 'the swap happened in the window');
    assert.ok(!fs.existsSync(path.join(tmp, 'out.tar.gz')), 'no bundle written');
  });
});
