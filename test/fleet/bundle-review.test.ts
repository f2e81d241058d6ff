// What a hostile review found in bundles, the folder tier and the CLI (review A: D3, D4, D5):
// the real CLI in a child process on the stand-in runtime. Some cases need root (chown to
// another user, as the review's scripts do with `nobody`): they skip with the reason otherwise.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeMlp } from '../../scripts/make-fixtures';
import { ensureCacheDir } from '../../lib/cache/cache-dir';
import { FolderTier } from '../../lib/fleet/folder-tier';
import { prepareResultsDir } from '../../lib/results/results-dir';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const NOBODY = 65534;
const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;

describe('bundles and the CLI against a hostile review', function () {
  this.timeout(60_000);
  let tmp: string;
  let cache: string;

  function run(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  beforeEach(() => {
    tmp = makeTempDir('ovcache-bundle-review-');
    const models = path.join(tmp, 'deploy', 'models');
    fs.mkdirSync(models, { recursive: true });
    writeMlp(models);
    fs.writeFileSync(path.join(tmp, 'deploy', 'warm.yaml'), ['dir: ../cache', 'models:', '  - model: models/mlp.xml', ''].join('\n'));
    cache = path.join(tmp, 'cache');
    const warmed = run(['warm', path.join(tmp, 'deploy', 'warm.yaml')]);
    assert.equal(warmed.status, 0, warmed.stderr);
  });
  afterEach(() => removeDir(tmp));

  const entryDir = (dir: string): string => {
    const name = fs.readdirSync(path.join(dir, 'entries'))[0];
    assert.ok(name, `an entry in ${dir}`);
    return path.join(dir, 'entries', name);
  };

  it('pack, verify and warm refuse a world-writable cache folder (OVCACHE_CACHE_DIR_INSECURE, exit 1) and write no bundle', () => {
    fs.chmodSync(cache, 0o777);
    const bundle = path.join(tmp, 'b.tar.gz');
    const packed = run(['pack', bundle, '--dir', cache]);
    assert.equal(packed.status, 1, packed.stdout);
    assert.match(packed.stderr, /\[OVCACHE_CACHE_DIR_INSECURE\] Cache folder .* is writable by every user/);
    assert.equal(fs.existsSync(bundle), false);
    const verified = run(['verify', '--dir', cache]);
    assert.equal(verified.status, 1);
    assert.match(verified.stderr, /\[OVCACHE_CACHE_DIR_INSECURE\]/);
    assert.doesNotMatch(verified.stdout, /no problems found/);
    const warmed = run(['warm', path.join(tmp, 'deploy', 'warm.yaml')]);
    assert.equal(warmed.status, 1);
    assert.match(warmed.stderr, /\[OVCACHE_CACHE_DIR_INSECURE\]/);
  });

  it('pack and verify refuse a cache whose entries/ or an entry folder is world-writable', () => {
    fs.chmodSync(entryDir(cache), 0o777);
    const packed = run(['pack', path.join(tmp, 'b.tar.gz'), '--dir', cache]);
    assert.equal(packed.status, 1);
    assert.match(packed.stderr, /\[OVCACHE_CACHE_DIR_INSECURE\] Cache folder .*entries\/mlp-.* is writable by every user/);
    fs.chmodSync(entryDir(cache), 0o700);
    fs.chmodSync(path.join(cache, 'entries'), 0o777);
    assert.match(run(['verify', '--dir', cache]).stderr, /\[OVCACHE_CACHE_DIR_INSECURE\]/);
    fs.chmodSync(path.join(cache, 'entries'), 0o700);
    assert.equal(run(['pack', path.join(tmp, 'b.tar.gz'), '--dir', cache]).status, 0);
  });

  it('unpack as root never keeps the archive members owner (uid 65534) nor their 0777 modes, whatever the umask', function () {
    if (!isRoot) this.skip(); // only root's tar chowns to the archive's owners
    const bundle = path.join(tmp, 'b.tar.gz');
    assert.equal(run(['pack', bundle, '--dir', cache]).status, 0);
    const open = path.join(tmp, 'open');
    fs.mkdirSync(open);
    assert.equal(spawnSync('tar', ['-xzf', bundle, '-C', open]).status, 0);
    const evil = path.join(tmp, 'evil.tar.gz');
    const made = spawnSync('tar', ['--owner=65534', '--group=65534', '--numeric-owner', '--mode=a+rwX', '-czf', evil, '.'], { cwd: open });
    assert.equal(made.status, 0, String(made.stderr));
    const target = path.join(tmp, 'image-cache');
    const unpacked = spawnSync('sh', ['-c', `umask 000; exec "${process.execPath}" "${CLI}" unpack "${evil}" --dir "${target}"`], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN },
      encoding: 'utf8',
    });
    assert.equal(unpacked.status, 0, unpacked.stderr);
    const entry = entryDir(target);
    for (const full of [entry, ...fs.readdirSync(entry).map((n) => path.join(entry, n))]) {
      const st = fs.statSync(full);
      assert.equal(st.uid, 0, `${full} owned by root`);
      assert.equal(st.gid, 0, `${full} group root`);
      assert.equal(st.mode & 0o7777, st.isDirectory() ? 0o700 : 0o600, `${full} mode ${(st.mode & 0o7777).toString(8)}`);
    }
  });

  describe("a folder path that is another user's symlink", () => {
    let victim: string;
    let link: string;
    beforeEach(function () {
      if (!isRoot) this.skip(); // making a symlink owned by another user takes root
      victim = path.join(tmp, 'victim');
      fs.mkdirSync(victim, { mode: 0o755 });
      fs.chmodSync(victim, 0o755);
      link = path.join(tmp, 'link');
      fs.symlinkSync(victim, link);
      fs.lchownSync(link, NOBODY, NOBODY);
    });

    it('a shared tier root is refused (OVCACHE_CACHE_DIR_INSECURE) and nothing is written where it points', async () => {
      const tier = new FolderTier({ path: link });
      const refused = { code: 'OVCACHE_CACHE_DIR_INSECURE', message: /Shared tier folder .*link is a symlink owned by another user \(uid 65534\)/ };
      await assert.rejects(tier.list(), refused);
      await assert.rejects(tier.health(), refused);
      const file = path.join(tmp, 'blob');
      fs.writeFileSync(file, 'bytes');
      await assert.rejects(tier.upload('c'.repeat(64), 'u1', 'model.blob', file), refused);
      assert.deepEqual(fs.readdirSync(victim), []);
      // The link's owner is what counts: this user's own link (or root's) is followed.
      fs.lchownSync(link, 0, 0);
      await tier.list();
    });

    it('a results folder and a cache folder are refused the same way', () => {
      assert.throws(() => prepareResultsDir(link, 'owner'), {
        code: 'OVCACHE_CACHE_DIR_INSECURE',
        message: /Results folder .*link is a symlink owned by another user/,
      });
      assert.throws(() => ensureCacheDir(link), { code: 'OVCACHE_CACHE_DIR_INSECURE', message: /Cache folder .*link is a symlink owned by another user/ });
      assert.deepEqual(fs.readdirSync(victim), []);
    });
  });
});
