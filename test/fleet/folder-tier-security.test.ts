// A shared-folder tier that other users can write into (issue 21, item 13): the cache folder's
// rule, refused with OVCACHE_CACHE_DIR_INSECURE unless the group is explicitly allowed
// (shared: 'group'); a fleet with such a tier compiles here and says why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FolderTier } from '../../lib/fleet/folder-tier';
import { resolveFleetOptions } from '../../lib/fleet/fleet-options';
import { writeMlp } from '../../scripts/make-fixtures';
import { snapshot } from '../cache/helpers';
import { makeTempDir, removeDir, ROOT } from '../helpers/paths';
import { runMachine } from './machines';
import { makeRootTraversable } from '../helpers/traversable';

const KEY = 'b'.repeat(64);

describe('fleet: a shared folder tier others can write into', function () {
  // Children run as uid 65534 must reach the compiled tests, wherever the checkout is.
  let restoreModes: (() => void) | undefined;
  before(() => {
    if (process.getuid?.() === 0) restoreModes = makeRootTraversable();
  });
  after(() => restoreModes?.());
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-tier-sec-');
  });
  afterEach(() => removeDir(tmp));

  const folder = (name: string, mode: number): string => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, mode);
    return dir;
  };

  it('a world-writable tier folder is refused (OVCACHE_CACHE_DIR_INSECURE) for every read and write, with or without shared: group', async () => {
    const world = folder('world', 0o777);
    const file = path.join(tmp, 'blob');
    fs.writeFileSync(file, 'bytes');
    for (const tier of [new FolderTier({ path: world }), new FolderTier({ path: world, shared: 'group' })]) {
      const refused = { code: 'OVCACHE_CACHE_DIR_INSECURE', message: /Shared tier folder .*world is writable by every user/ };
      await assert.rejects(tier.getManifest(KEY), refused);
      await assert.rejects(tier.list(), refused);
      await assert.rejects(tier.health(), refused);
      await assert.rejects(tier.upload(KEY, 'u1', 'model.blob', file), refused);
      await tier.close();
    }
    assert.deepEqual(fs.readdirSync(world), [], 'nothing was written into it');
  });

  it("a group-writable tier is refused unless shared: 'group' (and this process is in the group); entries/ or a key's folder writable by others is refused too", async () => {
    const group = folder('group', 0o2770);
    await assert.rejects(new FolderTier({ path: group }).health(), {
      code: 'OVCACHE_CACHE_DIR_INSECURE',
      message: /writable by its group/,
    });
    await new FolderTier({ path: group, shared: 'group' }).health();
    assert.equal(resolveFleetOptions({ tiers: [{ path: group, shared: 'group' }] }).tiers.length, 1, 'the option is accepted in tiers');
    assert.throws(() => resolveFleetOptions({ tiers: [{ path: group, shared: 'yes' as never }] }), { code: 'OVCACHE_INVALID_ARGUMENT' });

    const good = folder('good', 0o755);
    const tier = new FolderTier({ path: good });
    fs.mkdirSync(path.join(good, 'entries', KEY), { recursive: true, mode: 0o755 });
    assert.equal(await tier.getManifest(KEY), undefined, 'a safe tier with no manifest: a plain miss');
    fs.chmodSync(path.join(good, 'entries', KEY), 0o777);
    await assert.rejects(tier.getManifest(KEY), {
      code: 'OVCACHE_CACHE_DIR_INSECURE',
      message: new RegExp(`${KEY} is writable by every user`),
    });
    fs.chmodSync(path.join(good, 'entries'), 0o777);
    await assert.rejects(tier.list(), { code: 'OVCACHE_CACHE_DIR_INSECURE', message: /entries is writable by every user/ });
  });

  it('folders a tier makes pass its own check whatever the umask', async () => {
    const previous = process.umask(0o002);
    try {
      const root = path.join(tmp, 'fresh');
      const tier = new FolderTier({ path: root });
      const file = path.join(tmp, 'blob');
      fs.writeFileSync(file, 'bytes');
      await tier.upload(KEY, 'u1', 'model.blob', file);
      for (const dir of [root, path.join(root, 'entries'), path.join(root, 'entries', KEY)])
        assert.equal(fs.statSync(dir).mode & 0o777, 0o755, dir);
      await tier.health();
      const groupRoot = path.join(tmp, 'fresh-group');
      const groupTier = new FolderTier({ path: groupRoot, shared: 'group' });
      await groupTier.upload(KEY, 'u1', 'model.blob', file);
      for (const dir of [groupRoot, path.join(groupRoot, 'entries'), path.join(groupRoot, 'entries', KEY)])
        assert.equal(fs.statSync(dir).mode & 0o7777, 0o2775, dir);
      await groupTier.health();
    } finally {
      process.umask(previous);
    }
  });

  it('a fleet whose only tier is world-writable compiles here, writes nothing there, and its tier event names the reason', async () => {
    const world = folder('shared', 0o777);
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const m = await runMachine({
      dir: path.join(tmp, 'machine'),
      compiles: [{ model: writeMlp(models).xml }],
      tiers: [{ path: world }],
      publish: 'sync',
    });
    assert.deepEqual([m.results[0]?.hit, m.results[0]?.cached, m.results[0]?.tier], [false, true, null], 'compiled and cached locally');
    const down = m.events.find((e) => e.outcome === 'down');
    assert.match(down?.reason ?? '', /Shared tier folder .* is writable by every user, so someone else could plant an entry in it/);
    assert.deepEqual(snapshot(world), {}, 'nothing published into it');
  });

  it("a tier folder owned by root and writable by nobody else is accepted by another user (an image's read-only tier)", function () {
    if (process.getuid?.() !== 0) return this.skip(); // needs root to run a process as another user
    fs.chmodSync(tmp, 0o755);
    const script = (dir: string): string =>
      `new (require(${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'fleet', 'folder-tier.js'))}).FolderTier)` +
      `({ path: ${JSON.stringify(dir)}, readOnly: true }).health().then(() => console.log('OK'), (e) => console.log(e.code))`;
    const probe = (dir: string): string =>
      spawnSync(process.execPath, ['-e', script(dir)], { encoding: 'utf8', uid: 65534, gid: 65534 }).stdout.trim();
    assert.equal(probe(folder('baked', 0o755)), 'OK');
    const other = folder('other-users', 0o755);
    fs.chownSync(other, 1234, 1234);
    assert.equal(probe(other), 'OVCACHE_CACHE_DIR_INSECURE', 'owned by a user that is neither this one nor root');
  });
});
