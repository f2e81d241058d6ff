import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ensureCacheDir } from '../../lib/cache/cache-dir';
import { CACHEDIR_TAG } from '../../lib/cache/entry/layout';
import { defaultCacheDir } from '../../lib/cache/default-dir';
import { makeTempDir, removeDir } from '../helpers/paths';
import { expectCode } from './helpers';

describe('default cache folder', () => {
  const home = '/home/u';
  it('prefers OVCACHE_DIR', () => {
    assert.deepEqual(defaultCacheDir({ env: { OVCACHE_DIR: '/data/ov' }, platform: 'linux', home }), {
      dir: '/data/ov',
      source: 'OVCACHE_DIR',
    });
  });
  it('uses XDG_CACHE_HOME when absolute, else ~/.cache', () => {
    assert.equal(defaultCacheDir({ env: { XDG_CACHE_HOME: '/xdg' }, platform: 'linux', home }).dir, '/xdg/ovcache');
    assert.equal(defaultCacheDir({ env: { XDG_CACHE_HOME: 'relative' }, platform: 'linux', home }).dir, '/home/u/.cache/ovcache');
    assert.equal(defaultCacheDir({ env: {}, platform: 'linux', home }).dir, '/home/u/.cache/ovcache');
  });
  it('uses ~/Library/Caches on macOS', () => {
    assert.equal(defaultCacheDir({ env: {}, platform: 'darwin', home: '/Users/u' }).dir, '/Users/u/Library/Caches/ovcache');
  });
  it('uses %LOCALAPPDATA% on Windows', () => {
    assert.equal(
      defaultCacheDir({ env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', home: 'C:\\Users\\u' }).dir,
      'C:\\Users\\u\\AppData\\Local\\ovcache',
    );
    assert.equal(defaultCacheDir({ env: {}, platform: 'win32', home: 'C:\\Users\\u' }).dir, 'C:\\Users\\u\\AppData\\Local\\ovcache');
  });
});

describe('cache folder creation', () => {
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => removeDir(tmp));

  it('creates owner-only folders and a standard CACHEDIR.TAG', () => {
    const root = path.join(tmp, 'a', 'b', 'cache');
    const layout = ensureCacheDir(root);
    for (const dir of [path.join(tmp, 'a'), root, layout.entries, layout.fingerprints, layout.locks]) {
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700, dir);
    }
    const tag = fs.readFileSync(path.join(root, CACHEDIR_TAG), 'utf8');
    assert.ok(tag.startsWith('Signature: 8a477f597d28d172789f06886806bc55'));
    ensureCacheDir(root); // idempotent
  });

  it('refuses a file in place of the folder', async () => {
    const file = path.join(tmp, 'file');
    fs.writeFileSync(file, 'x');
    await expectCode(() => ensureCacheDir(file), 'OVCACHE_CACHE_DIR_INVALID');
  });

  it('refuses a world-writable folder', async () => {
    const dir = path.join(tmp, 'open');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    await expectCode(() => ensureCacheDir(dir), 'OVCACHE_CACHE_DIR_INSECURE', /chmod o-w/);
  });
});
