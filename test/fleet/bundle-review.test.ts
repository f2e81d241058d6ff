// What a hostile review found in bundles, the folder tier and the CLI (review A: D3, D4, D5):
// the real CLI in a child process on the stand-in runtime. Some cases need root (chown to
// another user, as the review's scripts do with `nobody`): they skip with the reason otherwise.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
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
      const refused = {
        code: 'OVCACHE_CACHE_DIR_INSECURE',
        message: /Shared tier folder .*link is a symlink owned by another user \(uid 65534\)/,
      };
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
      assert.throws(() => ensureCacheDir(link), {
        code: 'OVCACHE_CACHE_DIR_INSECURE',
        message: /Cache folder .*link is a symlink owned by another user/,
      });
      assert.deepEqual(fs.readdirSync(victim), []);
    });
  });
  /** The bundle packed from the warmed cache, rewritten with its index changed by `edit`. */
  async function editedBundle(
    name: string,
    edit: (index: { entries: Array<Record<string, unknown>> }) => void,
    from = cache,
    env: Record<string, string> = {},
  ): Promise<string> {
    const bundle = path.join(tmp, `${name}-src.tar.gz`);
    const packed = run(['pack', bundle, '--dir', from], env);
    assert.equal(packed.status, 0, packed.stderr);
    const open = path.join(tmp, `${name}-open`);
    fs.mkdirSync(open);
    await tar.x({ file: bundle, cwd: open });
    const indexFile = path.join(open, 'ovcache-bundle.json');
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { entries: Array<Record<string, unknown>> };
    edit(index);
    fs.writeFileSync(indexFile, JSON.stringify(index));
    const out = path.join(tmp, `${name}.tar.gz`);
    await tar.c({ gzip: true, file: out, cwd: open, portable: true }, ['ovcache-bundle.json', 'entries']);
    return out;
  }

  it('unpack refuses a malformed index with OVCACHE_BUNDLE_INVALID naming the field, never a TypeError, and installs nothing', async () => {
    const cases: Array<[string, (i: { entries: Array<Record<string, unknown>> }) => void, RegExp]> = [
      ['noname', (i) => void (i.entries[0]!.device = {}), /entries\[0\]\.device\.name is not a string/],
      ['nullfile', (i) => void (i.entries[0]!.files as unknown[]).push(null), /entries\[0\]\.files\[\d+\] is not an object/],
      [
        'bytesstr',
        (i) => {
          const f = (i.entries[0]!.files as Array<Record<string, unknown>>)[0]!;
          f.bytes = String(f.bytes);
        },
        /entries\[0\]\.files\[0\]\.bytes is not a whole number/,
      ],
      ['dup', (i) => void i.entries.push(i.entries[0]!), /entries lists "mlp-.*" twice/],
      ['nobuild', (i) => void delete i.entries[0]!.buildNumber, /entries\[0\]\.buildNumber is not a string/],
    ];
    for (const [name, edit, field] of cases) {
      const bundle = await editedBundle(name, edit);
      const target = path.join(tmp, `${name}-target`);
      const r = run(['unpack', bundle, '--dir', target]);
      assert.equal(r.status, 1, `${name}: ${r.stdout}`);
      assert.match(r.stderr, /\[OVCACHE_BUNDLE_INVALID\] .* is not an ovcache bundle: /, name);
      assert.match(r.stderr, field, name);
      assert.doesNotMatch(r.stderr, /TypeError|Cannot read properties/, name);
      assert.deepEqual(fs.readdirSync(path.join(target, 'entries')), [], `${name}: nothing installed`);
    }
  });

  it("unpack refuses an entry whose index claims this machine's build but whose manifest is another build's (no --force needed to refuse)", async () => {
    const other = path.join(tmp, 'other-cache');
    const manifest = path.join(tmp, 'deploy', 'other.yaml');
    fs.writeFileSync(manifest, ['dir: ../other-cache', 'models:', '  - model: models/mlp.xml', ''].join('\n'));
    const otherBuild = { OV_STUB_VERSION: '2025.3.0-19000-other' };
    assert.equal(run(['warm', manifest], otherBuild).status, 0);
    const local = (
      JSON.parse(fs.readFileSync(path.join(entryDir(cache), 'ovcache-entry.json'), 'utf8')) as {
        parts: { runtime: { buildNumber: string } };
      }
    ).parts.runtime.buildNumber;
    const lying = await editedBundle('lying', (i) => i.entries.forEach((e) => (e.buildNumber = local)), other, otherBuild);
    const target = path.join(tmp, 'lie-target');
    const r = run(['unpack', lying, '--dir', target, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const row = (JSON.parse(r.stdout) as { entries: Array<{ status: string; reason: string }> }).entries[0];
    assert.equal(row?.status, 'invalid');
    assert.match(row?.reason ?? '', /the index says OpenVINO .*, its manifest 2025\.3\.0-19000-other/);
    assert.deepEqual(fs.readdirSync(path.join(target, 'entries')), []);
    // The index's device must match the manifest's too.
    const device = await editedBundle('device', (i) => void ((i.entries[0]!.device as { fullName: string }).fullName = 'Another CPU'));
    const d = run(['unpack', device, '--dir', path.join(tmp, 'device-target'), '--force', '--json']);
    const drow = (JSON.parse(d.stdout) as { entries: Array<{ status: string; reason: string }> }).entries[0];
    assert.equal(drow?.status, 'invalid', 'even with --force');
    assert.match(drow?.reason ?? '', /the index says device CPU "Another CPU", its manifest CPU/);
  });

  it('CLI paths that are not what they should be give coded errors naming the path, not raw errno codes', () => {
    const bundle = path.join(tmp, 'b.tar.gz');
    const noFolder = run(['pack', path.join(tmp, 'nonexistent-dir', 'x.tar.gz'), '--dir', cache]);
    assert.equal(noFolder.status, 1);
    assert.match(noFolder.stderr, /\[OVCACHE_INVALID_ARGUMENT\] Cannot write the bundle to .*x\.tar\.gz: .*nonexistent-dir does not exist/);
    const toFolder = run(['pack', tmp, '--dir', cache]);
    assert.equal(toFolder.status, 1);
    assert.match(toFolder.stderr, /\[OVCACHE_INVALID_ARGUMENT\] Cannot write the bundle to .*: it is a folder/);
    assert.equal(run(['pack', bundle, '--dir', cache]).status, 0);
    const intoFile = run(['unpack', bundle, '--dir', bundle]);
    assert.equal(intoFile.status, 1);
    assert.match(intoFile.stderr, /\[OVCACHE_CACHE_DIR_INVALID\] Cache folder .*b\.tar\.gz exists but is not a folder/);
    const selftest = run(['selftest'], { TMPDIR: path.join(tmp, 'nonexistent') });
    assert.equal(selftest.status, 1);
    assert.match(
      selftest.stderr,
      /\[OVCACHE_INVALID_ARGUMENT\] Cannot make the selftest's scratch folder in .*nonexistent \(ENOENT\): set TMPDIR/,
    );
    for (const out of [noFolder, toFolder, intoFile, selftest]) assert.doesNotMatch(out.stderr, /\[E[A-Z]+\]/);
  });

  // The cap is 30 s, not 5: a CLI that hangs never returns, and one that merely starts slowly on a
  // loaded machine (2 cores, load 20) must not fail the test.
  it('unpack refuses a FIFO with no writer within 30 s (it used to hang), a folder as the bundle, and extra arguments', () => {
    const fifo = path.join(tmp, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const started = Date.now();
    const r = spawnSync(process.execPath, [CLI, 'unpack', fifo, '--dir', path.join(tmp, 'c')], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.ok(Date.now() - started < 30_000 && r.signal === null, 'returned on its own');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\[OVCACHE_BUNDLE_INVALID\] .*fifo is not a regular file/);
    assert.match(run(['unpack', tmp, '--dir', path.join(tmp, 'c')]).stderr, /\[OVCACHE_BUNDLE_INVALID\] .* is a folder/);
    const extra = run(['unpack', path.join(tmp, 'x.tar.gz'), 'extra-arg', '--dir', path.join(tmp, 'c')]);
    assert.equal(extra.status, 2);
    assert.match(extra.stderr, /too many arguments/);
  });
});
