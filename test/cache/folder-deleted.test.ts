// The cache folder deleted by someone else while a compile starts its entry: the manifest's
// rename finds no folder (ENOENT). The compile returns its model without the cache, and the next
// call fills the entry again. (A CI run hit this in the faults test, whose rm -rf meant to land
// during the blob write came earlier on a loaded machine, and the compile failed.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, ModelCache, type OpenVINO } from '../../lib/index';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

describe('the cache folder deleted as an entry starts', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let tmp: string;
  const rename = fs.promises.rename;
  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => (tmp = makeTempDir('ovcache-folder-deleted-')));
  afterEach(() => {
    fs.promises.rename = rename;
    removeDir(tmp);
  });

  it('the compile returns its model uncached (cache-write-failed); the next call fills the entry', async () => {
    const dir = path.join(tmp, 'cache');
    let deleted = 0;
    // The first manifest rename finds its folder gone: as if `rm -rf` ran just before it.
    fs.promises.rename = async (from, to) => {
      if (deleted === 0 && String(to).endsWith('ovcache-entry.json')) {
        deleted++;
        fs.rmSync(dir, { recursive: true, force: true });
      }
      return rename(from, to);
    };
    const cache = new ModelCache({ runtime: ov, dir });
    try {
      const first = await cache.compile(path.join(ROOT, 'out', 'fixtures', 'mlp.xml'), { device: 'CPU' });
      first.compiled.dispose();
      assert.equal(deleted, 1, 'the folder was deleted under the fill');
      assert.equal(first.cached, false);
      assert.equal(first.uncachedReason, 'cache-write-failed');
      fs.promises.rename = rename;
      const second = await cache.compile(path.join(ROOT, 'out', 'fixtures', 'mlp.xml'), { device: 'CPU' });
      second.compiled.dispose();
      assert.equal(second.cached, true, 'refilled');
      const third = await cache.compile(path.join(ROOT, 'out', 'fixtures', 'mlp.xml'), { device: 'CPU' });
      third.compiled.dispose();
      assert.equal(third.hit, true);
    } finally {
      await cache.dispose();
    }
  });
});
