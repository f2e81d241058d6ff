// A decompression bomb handed to unpackBundle: a small .tar.gz that expands past the ratio limit.
// The coded error must reach the caller and the staging folder must be gone afterwards, however
// many writes tar still had queued when it stopped.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { isOvcacheError } from '../../lib/errors';
import { unpackBundle } from '../../lib/fleet/bundle-unpack';
import { INCOMING_DIR } from '../../lib/fleet/install-entry';
import { makeTempDir, removeDir } from '../helpers/paths';

/** A bundle-shaped .tar.gz whose files are `files` x `mb` MB of zeros (sparse on disk before packing). */
async function writeBomb(dir: string, files: number, mb: number): Promise<string> {
  const src = path.join(dir, 'bomb-src');
  fs.mkdirSync(path.join(src, 'entries', 'e'), { recursive: true });
  fs.writeFileSync(path.join(src, 'ovcache-bundle.json'), JSON.stringify({ format: 1, createdAt: '', entries: [] }));
  for (let i = 0; i < files; i++) {
    const zeros = path.join(src, 'entries', 'e', `z${i}.blob`);
    fs.writeFileSync(zeros, '');
    fs.truncateSync(zeros, mb * 1024 * 1024);
  }
  const file = path.join(dir, 'bomb.tar.gz');
  await tar.c({ gzip: { level: 9 }, file, cwd: src, portable: true }, ['ovcache-bundle.json', 'entries']);
  fs.rmSync(src, { recursive: true });
  return file;
}

describe('bundles: a decompression bomb', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-bomb-');
  });
  afterEach(() => removeDir(tmp));

  it('is refused with OVCACHE_BUNDLE_INVALID and leaves nothing in incoming/ (the ratio limit stops tar with writes pending)', async () => {
    const bomb = await writeBomb(tmp, 8, 8);
    assert.ok(fs.statSync(bomb).size < 1024 * 1024, 'a small archive');
    const cacheDir = path.join(tmp, 'cache');
    for (let round = 0; round < 3; round++) {
      await assert.rejects(
        unpackBundle(cacheDir, bomb, null, { maxDecompressionRatio: 50 }),
        (error: unknown) => isOvcacheError(error, 'OVCACHE_BUNDLE_INVALID') && /decompression ratio/.test(error.message),
      );
      const incoming = path.join(cacheDir, INCOMING_DIR);
      const left = fs.existsSync(incoming) ? fs.readdirSync(incoming) : [];
      assert.deepEqual(left, [], `round ${round}: the staging folder is removed`);
    }
  });
});
