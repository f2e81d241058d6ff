// A fill adopts no file it cannot account for: an entry folder holding another key's manifest
// (a 48-bit folder-name collision an attacker searched for), or no valid manifest, is emptied
// before OpenVINO compiles into it. Before, OpenVINO loaded the blob found there and the entry
// was written as compiled here, with no origin, so a signer vouched for it (hostile review).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { readManifest, writeManifest, type EntryManifest } from '../../lib/cache/entry/manifest';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';

describe('a fill and the files it finds in its folder', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir('ovcache-adopt-')));
  afterEach(() => removeDir(tmp));

  it("never adopts files under another key's manifest: they are removed, the model compiled, and no file of theirs is listed", async () => {
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    fs.mkdirSync(path.join(tmp, 'm'));
    const xml = writeMlp(path.join(tmp, 'm')).xml;
    const dir = path.join(tmp, 'cache');
    const first = new ModelCache({ runtime: ov, dir });
    const r = await first.compile(xml, { device: 'CPU' });
    r.compiled.dispose();
    await first.dispose();
    const entryDir = r.entryDir as string;
    const read = await readManifest(entryDir);
    assert.equal(read.status, 'ok');
    const genuine = (read as { manifest: EntryManifest }).manifest;
    // The folder as a colliding bundle entry would leave it: another key, a copied origin, the blob kept, one file more.
    const other: EntryManifest = { ...genuine, key: 'f'.repeat(64), origin: { from: 'bundle:evil.tar.gz', signedBy: null } };
    await writeManifest(entryDir, other);
    fs.writeFileSync(path.join(entryDir, 'planted.blob'), 'not from this compile');
    const second = new ModelCache({ runtime: ov, dir });
    const again = await second.compile(xml, { device: 'CPU' });
    again.compiled.dispose();
    await second.dispose();
    assert.equal(again.hit, false, 'compiled, not loaded from what was there');
    assert.equal(fs.existsSync(path.join(entryDir, 'planted.blob')), false, 'the unaccounted file is gone');
    const after = (await readManifest(entryDir)) as { status: string; manifest: EntryManifest };
    assert.equal(after.status, 'ok');
    assert.equal(after.manifest.key, genuine.key);
    assert.ok(!after.manifest.files.some((f) => f.name === 'planted.blob'));
    assert.equal(after.manifest.origin, undefined, 'this process compiled every file it lists');
  });
});
