import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { cacheLayout, lockPathOf } from '../../lib/cache/entry/layout';
import { tryAcquireLock } from '../../lib/cache/entry/lock';
import { isEntryLocked, removeEntry } from '../../lib/cache/entry/remove';
import { cleanTrash } from '../../lib/cache/entry/trash';
import { scanCache } from '../../lib/cache/scan';
import { isOvcacheError } from '../../lib/errors';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { STAND_IN, fixture, makeTempDir, removeDir } from '../helpers/paths';

async function fill(dir: string): Promise<void> {
  const ov = await loadOpenVINO({ libraryPath: STAND_IN });
  const cache = new ModelCache({ runtime: ov, dir });
  await cache.compile(fixture('mlp.xml'), { device: 'CPU' });
  await cache.compile(fixture('image.xml'), { device: 'CPU', shapes: { image: [1, 3, 64, 64] } });
  await cache.dispose();
}

describe('removeEntry', () => {
  let base: string;
  let dir: string;
  let outside: string;
  beforeEach(async () => {
    base = makeTempDir();
    dir = path.join(base, 'cache');
    outside = path.join(base, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'precious.txt'), 'keep me');
    await fill(dir);
  });
  afterEach(() => removeDir(base));

  const entryDirs = (): string[] => fs.readdirSync(path.join(dir, 'entries')).map((n) => path.join(dir, 'entries', n));

  it('moves the entry out of place and deletes it, reporting the bytes', async () => {
    const [first] = (await scanCache(dir)).entries;
    const r = await removeEntry(dir, first!.dir);
    assert.deepEqual(r, { status: 'removed', name: first!.name, bytes: first!.bytes });
    assert.equal(fs.existsSync(first!.dir), false);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'trash')), []);
    assert.equal(entryDirs().length, 1);
  });

  it('keeps a blob readable by a process that has it open', async () => {
    const entry = entryDirs()[0]!;
    const blob = fs.readdirSync(entry).find((n) => n.endsWith('.blob'))!;
    const before = fs.readFileSync(path.join(entry, blob));
    const fd = fs.openSync(path.join(entry, blob), 'r');
    try {
      assert.equal((await removeEntry(dir, entry)).status, 'removed');
      const after = Buffer.alloc(before.length);
      fs.readSync(fd, after, 0, after.length, 0);
      assert.deepEqual(after, before);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('unlinks a symlink planted inside an entry without touching its target', async () => {
    const entry = entryDirs()[0]!;
    fs.symlinkSync(path.join(outside, 'precious.txt'), path.join(entry, 'link.blob'));
    fs.symlinkSync(outside, path.join(entry, 'linkdir'));
    assert.equal((await removeEntry(dir, entry)).status, 'removed');
    assert.equal(fs.readFileSync(path.join(outside, 'precious.txt'), 'utf8'), 'keep me');
    assert.deepEqual(fs.readdirSync(outside), ['precious.txt']);
  });

  it('refuses anything that is not a folder directly under entries/', async () => {
    const entry = entryDirs()[0]!;
    fs.mkdirSync(path.join(entry, 'sub'));
    const link = path.join(dir, 'entries', 'evil-1x1-CPU-0123456789ab');
    fs.symlinkSync(outside, link);
    for (const target of [
      path.join(dir, 'fingerprints'),
      outside,
      path.join(entry, 'sub'),
      link,
      path.join(dir, 'entries', '..', 'locks'),
      dir,
    ]) {
      await assert.rejects(removeEntry(dir, target), (e: unknown) => isOvcacheError(e, 'OVCACHE_UNSAFE_PATH'), target);
    }
    assert.ok(fs.existsSync(path.join(outside, 'precious.txt')));
    assert.ok(fs.existsSync(path.join(dir, 'fingerprints')));
    assert.equal((await removeEntry(dir, path.join(dir, 'entries', 'gone'))).status, 'missing');
  });

  it('refuses everything when entries/ itself is a symlink', async () => {
    const real = path.join(base, 'real-entries');
    fs.renameSync(path.join(dir, 'entries'), real);
    fs.symlinkSync(real, path.join(dir, 'entries'));
    const name = fs.readdirSync(real)[0]!;
    await assert.rejects(removeEntry(dir, path.join(dir, 'entries', name)), (e: unknown) => isOvcacheError(e, 'OVCACHE_UNSAFE_PATH'));
    assert.ok(fs.existsSync(path.join(real, name)));
  });

  it('skips an entry whose lock a live process holds, and removes it once released', async () => {
    const [entry] = (await scanCache(dir)).entries;
    const lock = await tryAcquireLock(lockPathOf(cacheLayout(dir), entry!.key!), 10_000);
    assert.ok(lock);
    assert.equal(await isEntryLocked(dir, entry!.key!), true);
    const r = await removeEntry(dir, entry!.dir);
    assert.equal(r.status, 'locked');
    assert.ok(fs.existsSync(entry!.dir));
    await lock.release();
    assert.equal(await isEntryLocked(dir, entry!.key!), false);
    assert.equal((await removeEntry(dir, entry!.dir)).status, 'removed');
  });

  it('leaves a young folder with no manifest alone (a compile may be starting) unless forced', async () => {
    const young = path.join(dir, 'entries', 'new-1x16-CPU-0123456789ab');
    fs.mkdirSync(young);
    assert.equal((await removeEntry(dir, young)).status, 'locked');
    assert.equal((await removeEntry(dir, young, { force: true })).status, 'removed');
  });

  it('cleans trash left by a removal whose process died, not a live one', async () => {
    const trash = path.join(dir, 'trash');
    fs.mkdirSync(trash);
    const dead = path.join(trash, 'mlp-1x16-CPU-0123456789ab.999999999.0badf00d');
    const live = path.join(trash, `mlp-1x16-CPU-0123456789ab.${process.pid}.0badf00d`);
    for (const d of [dead, live]) {
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'x.blob'), Buffer.alloc(100));
    }
    fs.symlinkSync(path.join(outside, 'precious.txt'), path.join(dead, 'link'));
    const r = await cleanTrash(dir);
    assert.deepEqual(r.removed, [path.basename(dead)]);
    assert.ok(r.bytes >= 100);
    assert.ok(fs.existsSync(live));
    assert.ok(fs.existsSync(path.join(outside, 'precious.txt')));
  });
});
