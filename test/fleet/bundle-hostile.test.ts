// Hostile archives handed to unpackBundle. A decompression bomb (a small .tar.gz that expands
// past the ratio limit): the coded error must reach the caller and the staging folder must be
// gone afterwards, however many writes tar still had queued when it stopped. Members that are
// links, absolute or climb out with "..": never extracted. (Hostile names inside a well-formed
// bundle: test/fleet/cli.test.ts.)
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

describe('bundles: hostile archives', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-bomb-');
  });
  afterEach(() => removeDir(tmp));

  it('a decompression bomb is refused with OVCACHE_BUNDLE_INVALID and leaves nothing in incoming/ (the ratio limit stops tar with writes pending)', async () => {
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

  it('members that are symlinks, hardlinks, absolute paths or climb out with ".." are never extracted', async () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'entries', 'e'), { recursive: true });
    fs.writeFileSync(path.join(src, 'ovcache-bundle.json'), JSON.stringify({ format: 1, createdAt: '', entries: [] }));
    fs.writeFileSync(path.join(src, 'entries', 'e', 'real.blob'), 'blob');
    fs.symlinkSync('/etc/passwd', path.join(src, 'entries', 'e', 'link.blob'));
    fs.linkSync(path.join(src, 'entries', 'e', 'real.blob'), path.join(src, 'entries', 'e', 'hard.blob'));
    const absolute = path.join(tmp, 'absolute-target.txt');
    fs.writeFileSync(absolute, 'absolute');
    fs.writeFileSync(path.join(tmp, 'climb-target.txt'), 'climb');
    const bundle = path.join(tmp, 'hostile.tar.gz');
    await tar.c({ gzip: true, file: bundle, cwd: src, preservePaths: true }, [
      'ovcache-bundle.json',
      'entries',
      absolute,
      '../climb-target.txt',
    ]);
    fs.rmSync(absolute);
    fs.rmSync(path.join(tmp, 'climb-target.txt'));
    const members: string[] = [];
    await tar.t({ file: bundle, onReadEntry: (e) => members.push(`${e.type} ${e.path}`) });
    assert.ok(members.some((m) => m.startsWith('SymbolicLink')) && members.some((m) => m.startsWith('Link')), members.join(', '));
    assert.ok(members.some((m) => m.includes('../climb-target.txt')) && members.some((m) => m.includes(absolute)), members.join(', '));

    const cacheDir = path.join(tmp, 'cache');
    await unpackBundle(cacheDir, bundle, null).then(
      (report) => assert.deepEqual(report.entries, []),
      (error: unknown) => assert.ok(isOvcacheError(error, 'OVCACHE_BUNDLE_INVALID'), String(error)),
    );
    assert.ok(!fs.existsSync(absolute), 'the absolute member was not written');
    for (const dir of [tmp, cacheDir, path.join(cacheDir, '..')])
      assert.ok(!fs.existsSync(path.join(dir, 'climb-target.txt')), `the ".." member was not written in ${dir}`);
    const links = fs.existsSync(cacheDir)
      ? fs.readdirSync(cacheDir, { recursive: true }).filter((f) => fs.lstatSync(path.join(cacheDir, String(f))).isSymbolicLink())
      : [];
    assert.deepEqual(links, [], 'no link in the cache folder');
    assert.ok(!fs.existsSync(path.join(cacheDir, INCOMING_DIR)) || fs.readdirSync(path.join(cacheDir, INCOMING_DIR)).length === 0);
  });
});
