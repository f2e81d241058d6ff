// installEntry (a tier copy-down, an unpack) never replaces the complete entry of another key
// that sits in the folder it installs into (a 48-bit folder-name collision, or a name an attacker
// chose): refused with OVCACHE_ENTRY_CONFLICT unless replace (unpack --force) is asked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest, type EntryManifest } from '../../lib/cache/entry/manifest';
import { installEntry, makeStaging } from '../../lib/fleet/install-entry';
import { loadOpenVINO, ModelCache, type OpenVINO } from '../../lib/index';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { expectCode } from '../cache/helpers';
import { STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

describe('trust: installing an entry over another key', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let tmp: string;
  let cacheDir: string;
  let mine: { name: string; manifest: EntryManifest };
  let other: { dir: string; manifest: EntryManifest };

  async function compileOne(dir: string, model: string): Promise<{ name: string; dir: string; manifest: EntryManifest }> {
    const cache = new ModelCache({ runtime: ov, dir });
    try {
      (await cache.compile(model, { device: 'CPU' })).compiled.dispose();
    } finally {
      await cache.dispose();
    }
    const name = fs.readdirSync(path.join(dir, 'entries'))[0] as string;
    const read = await readManifest(path.join(dir, 'entries', name));
    assert.equal(read.status, 'ok');
    return { name, dir: path.join(dir, 'entries', name), manifest: (read as { manifest: EntryManifest }).manifest };
  }

  /** The other key's files staged for install under `mine`'s folder name. */
  function stageOther(): string {
    const staging = makeStaging(cacheDir);
    for (const f of other.manifest.files) fs.copyFileSync(path.join(other.dir, f.name), path.join(staging, f.name));
    return staging;
  }

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(async () => {
    tmp = makeTempDir('ovcache-install-conflict-');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    cacheDir = path.join(tmp, 'cache');
    mine = await compileOne(cacheDir, writeMlp(models).xml);
    other = await compileOne(path.join(tmp, 'elsewhere'), writeImageModel(models).xml);
    assert.notEqual(mine.manifest.key, other.manifest.key);
  });
  afterEach(() => removeDir(tmp));

  it("refuses (OVCACHE_ENTRY_CONFLICT) to replace another key's complete entry and keeps it whole; staging is removed", async () => {
    const staging = stageOther();
    await expectCode(installEntry(cacheDir, mine.name, staging, other.manifest), 'OVCACHE_ENTRY_CONFLICT', /another key.*--force/);
    const kept = await readManifest(path.join(cacheDir, 'entries', mine.name));
    assert.equal(kept.status, 'ok');
    assert.equal((kept as { manifest: EntryManifest }).manifest.key, mine.manifest.key, 'the local entry is untouched');
    for (const f of mine.manifest.files) assert.ok(fs.existsSync(path.join(cacheDir, 'entries', mine.name, f.name)), f.name);
    assert.ok(!fs.existsSync(staging), 'nothing staged is left');
  });

  it('replaces it only when replace (unpack --force) is asked', async () => {
    assert.equal(await installEntry(cacheDir, mine.name, stageOther(), other.manifest, { replace: true }), 'installed');
    const now = await readManifest(path.join(cacheDir, 'entries', mine.name));
    assert.equal((now as { manifest: EntryManifest }).manifest.key, other.manifest.key);
  });
});
