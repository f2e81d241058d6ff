// Security (issue 7, item 5): owner-only folders; folders others can write refused unless
// shared: 'group'; hostile manifests and planted symlinks never lead to a read or a deletion
// outside the folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ensureCacheDir } from '../../lib/cache/cache-dir';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { OvcacheError } from '../../lib/errors';
import { loadOpenVINO, type OpenVINO } from '../../lib/openvino/openvino';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { writeFigures } from './figures';
import { listTree, startCli } from './helpers';

const rows: string[] = [];
const isRoot = process.getuid?.() === 0;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof OvcacheError) return error.code;
    throw error;
  }
  return undefined;
}

describe('reliability: security', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let tmp: string;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir('ovcache-sec-');
  });
  afterEach(() => removeDir(tmp));
  after(() => {
    writeFigures('security', {
      title: 'Security',
      lines: ['| check | result |', '| --- | --- |', ...rows],
      data: { checks: rows.length },
    });
  });

  it('creates the folder and everything under it owner-only (0700)', async () => {
    const dir = path.join(tmp, 'a', 'cache');
    const cache = new ModelCache({ runtime: ov, dir });
    const r = await cache.compile(writeMlp(tmp).xml, { device: 'CPU' });
    r.compiled.dispose();
    await cache.dispose();
    for (const d of [
      path.join(tmp, 'a'),
      dir,
      path.join(dir, 'entries'),
      path.join(dir, 'locks'),
      path.join(dir, 'fingerprints'),
      r.entryDir as string,
    ]) {
      assert.equal(fs.statSync(d).mode & 0o7777, 0o700, d);
    }
    assert.equal(fs.statSync(path.join(dir, 'CACHEDIR.TAG')).mode & 0o077, 0);
    rows.push('| folders created (parents, root, entries, locks, fingerprints, entry) | 0700 |');
  });

  it('refuses a world-writable, group-writable or foreign folder unless shared: group', function () {
    const world = path.join(tmp, 'world');
    fs.mkdirSync(world);
    fs.chmodSync(world, 0o777);
    assert.equal(
      code(() => ensureCacheDir(world)),
      'OVCACHE_CACHE_DIR_INSECURE',
    );
    assert.equal(
      code(() => ensureCacheDir(world, { shared: 'group' })),
      'OVCACHE_CACHE_DIR_INSECURE',
    );
    const group = path.join(tmp, 'group');
    fs.mkdirSync(group);
    fs.chmodSync(group, 0o2770);
    assert.equal(
      code(() => ensureCacheDir(group)),
      'OVCACHE_CACHE_DIR_INSECURE',
    );
    assert.equal(
      code(() => ensureCacheDir(group, { shared: 'group' })),
      undefined,
    );
    assert.equal(fs.statSync(path.join(group, 'entries')).mode & 0o7777, 0o2770, 'group mode makes 2770 folders');
    const sub = path.join(tmp, 'sub');
    fs.mkdirSync(path.join(sub, 'entries'), { recursive: true });
    fs.chmodSync(path.join(sub, 'entries'), 0o777);
    assert.equal(
      code(() => ensureCacheDir(sub)),
      'OVCACHE_CACHE_DIR_INSECURE',
      'a world-writable entries/ inside',
    );
    const linked = path.join(tmp, 'linked');
    fs.mkdirSync(linked);
    fs.symlinkSync(path.join(tmp, 'world'), path.join(linked, 'entries'));
    assert.equal(
      code(() => ensureCacheDir(linked)),
      'OVCACHE_CACHE_DIR_INSECURE',
      'entries/ a symlink',
    );
    rows.push('| world-writable folder (0777), also with shared: group | refused: OVCACHE_CACHE_DIR_INSECURE |');
    rows.push('| group-writable folder (2770) | refused; accepted with shared: group (folders then 2770) |');
    rows.push('| world-writable or symlinked entries/ inside | refused: OVCACHE_CACHE_DIR_INSECURE |');
    if (!isRoot) return this.skip(); // chown to another user needs root
    const foreign = path.join(tmp, 'foreign');
    fs.mkdirSync(foreign, { mode: 0o700 });
    fs.chownSync(foreign, 65534, 65534); // nobody:nogroup
    assert.equal(
      code(() => ensureCacheDir(foreign)),
      'OVCACHE_CACHE_DIR_INSECURE',
    );
    assert.equal(
      code(() => ensureCacheDir(foreign, { shared: 'group' })),
      'OVCACHE_CACHE_DIR_INSECURE',
      'not our group either',
    );
    const foreignOurGroup = path.join(tmp, 'foreign-group');
    fs.mkdirSync(foreignOurGroup);
    fs.chmodSync(foreignOurGroup, 0o2770);
    fs.chownSync(foreignOurGroup, 65534, process.getegid?.() ?? 0);
    assert.equal(
      code(() => ensureCacheDir(foreignOurGroup)),
      'OVCACHE_CACHE_DIR_INSECURE',
    );
    assert.equal(
      code(() => ensureCacheDir(foreignOurGroup, { shared: 'group' })),
      undefined,
    );
    rows.push('| folder owned by another user (chown nobody) | refused; with shared: group only if in its group |');
  });

  it("ModelCache's shared option reaches the folder checks", async () => {
    const dir = path.join(tmp, 'team');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o2770);
    const mlp = writeMlp(tmp).xml;
    await assert.rejects(new ModelCache({ runtime: ov, dir }).compile(mlp, { device: 'CPU' }), { code: 'OVCACHE_CACHE_DIR_INSECURE' });
    const cache = new ModelCache({ runtime: ov, dir, shared: 'group' });
    const r = await cache.compile(mlp, { device: 'CPU' });
    r.compiled.dispose();
    await cache.dispose();
    assert.equal(fs.statSync(r.entryDir as string).mode & 0o7777, 0o2770);
    rows.push("| `new ModelCache({ shared: 'group' })` on a 2770 folder | accepted, entries 2770; refused without it |");
  });

  it('a hostile manifest naming files outside its folder is never looked at by compile()', async () => {
    const dir = path.join(tmp, 'cache');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const { xml } = writeMlp(models);
    const victim = path.join(tmp, 'victim.blob');
    fs.writeFileSync(victim, 'outside the cache');
    const cache = new ModelCache({ runtime: ov, dir });
    const first = await cache.compile(xml, { device: 'CPU' });
    first.compiled.dispose();
    await cache.flush();
    const manifestFile = path.join(first.entryDir!, 'ovcache-entry.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { files: Array<{ name: string; bytes: number }> };
    manifest.files.push({ name: path.relative(first.entryDir!, victim), bytes: fs.statSync(victim).size });
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));

    const looked: string[] = [];
    const realStat = fs.promises.stat;
    fs.promises.stat = ((p: fs.PathLike, ...rest: unknown[]) => {
      looked.push(path.resolve(String(p)));
      return (realStat as (...a: unknown[]) => Promise<fs.Stats>)(p, ...rest);
    }) as typeof fs.promises.stat;
    try {
      const second = await cache.compile(xml, { device: 'CPU' });
      assert.equal(second.cached, true, 'the model is still served from its entry');
      second.compiled.dispose();
    } finally {
      fs.promises.stat = realStat;
      await cache.dispose();
    }
    assert.ok(!looked.includes(victim), `compile() looked at ${victim}`);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'outside the cache');
    rows.push(
      '| manifest naming a file outside its folder (`../victim.blob`) | compile() never stats it; the entry is refilled under its lock |',
    );
  });

  it('hostile manifests and planted symlinks: prune, rm, clear, verify --fix and eviction never touch anything outside', async () => {
    const dir = path.join(tmp, 'cache');
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(path.join(outside, 'folder'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'secret.blob'), 'keep me');
    fs.writeFileSync(path.join(outside, 'folder', 'inner.blob'), 'keep me too');
    const cache = new ModelCache({ runtime: ov, dir });
    const image = writeImageModel(tmp).xml;
    for (const size of [16, 24, 32, 40, 48]) {
      (await cache.compile(image, { device: 'CPU', shapes: { image: [1, 3, size, size] } })).compiled.dispose();
    }
    await cache.dispose();
    const entries = path.join(dir, 'entries');
    const names = fs.readdirSync(entries).sort();
    // Links inside entries, an entry folder that is a link, and manifests naming outside paths.
    fs.symlinkSync(path.join(outside, 'secret.blob'), path.join(entries, names[0] as string, 'link.blob'));
    fs.symlinkSync(path.join(outside, 'folder'), path.join(entries, names[1] as string, 'linkdir'));
    fs.symlinkSync(path.join(outside, 'folder'), path.join(entries, 'image-1x3x8x8-CPU-0123456789ab'));
    fs.symlinkSync(path.join(outside, 'secret.blob'), path.join(entries, 'stray.blob'));
    const hostile = (name: string, files: unknown, extra: Record<string, unknown> = {}): void => {
      const file = path.join(entries, name, 'ovcache-entry.json');
      const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(file, JSON.stringify({ ...m, files, ...extra }));
    };
    hostile(names[2] as string, [{ name: '../../../outside/secret.blob', bytes: 7 }]);
    hostile(names[3] as string, [{ name: path.join(outside, 'secret.blob'), bytes: 7 }], {
      modelPaths: [path.join(outside, 'secret.blob')],
    });
    hostile(names[4] as string, [{ name: '..', bytes: 7 }], { complete: true });
    const outsideBefore = listTree(outside);

    const steps: string[][] = [
      ['verify', '--dir', dir, '--json'],
      ['prune', '--dir', dir, '--keep-per-model', '1', '--json'],
      ['prune', '--dir', dir, '--max-size', '1B', '--json'],
      ['verify', '--fix', '--dir', dir, '--json'],
      ['rm', '--dir', dir, '--json', 'image'],
      ['clear', '--yes', '--dir', dir, '--json'],
    ];
    for (const args of steps) {
      const run = startCli(args);
      await run.exited;
      assert.deepEqual(listTree(outside), outsideBefore, `after ovcache ${args.join(' ')}`);
      assert.equal(fs.readFileSync(path.join(outside, 'secret.blob'), 'utf8'), 'keep me');
    }
    rows.push(
      '| symlinks to a file and a folder outside, planted in entries, as an entry and in entries/ | all survive verify, prune (count, size), verify --fix, rm, clear |',
    );
    rows.push(
      '| manifests naming `../../../outside/x`, an absolute path, `..` | nothing outside removed or changed (names are only looked up among the entry’s own files) |',
    );
  });
});
