import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { scanCache, type ScannedEntry } from '../../lib/cache/scan';
import { volumeStats, tryVolumeStats } from '../../lib/cache/volume';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { STAND_IN, fixture, makeTempDir, removeDir } from '../helpers/paths';

/** Sum of lstat sizes of regular files under dir: what the scan must report. */
function duBytes(dir: string): number {
  let n = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) n += duBytes(full);
    else if (item.isFile()) n += fs.lstatSync(full).size;
  }
  return n;
}

function editManifest(entryDir: string, edit: (m: Record<string, unknown>) => void): void {
  const file = path.join(entryDir, 'ovcache-entry.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(m);
  fs.writeFileSync(file, JSON.stringify(m));
}

describe('scanCache', () => {
  let base: string;
  let dir: string;
  let models: string;
  let build: string;
  const byModel = (entries: ScannedEntry[], name: string): ScannedEntry => entries.find((e) => e.model === name)!;

  beforeEach(async () => {
    base = makeTempDir();
    dir = path.join(base, 'cache');
    models = path.join(base, 'models');
    fs.mkdirSync(models);
    for (const f of ['mlp.xml', 'mlp.bin', 'image.xml', 'image.bin']) fs.copyFileSync(fixture(f), path.join(models, f));
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    build = ov.version.buildNumber;
    const cache = new ModelCache({ runtime: ov, dir });
    await cache.compile(path.join(models, 'mlp.xml'), { device: 'CPU' });
    await cache.compile(path.join(models, 'mlp.xml'), { device: 'CPU' });
    await cache.compile(path.join(models, 'image.xml'), { device: 'CPU', shapes: { image: [1, 3, 64, 64] } });
    await cache.compile(path.join(models, 'image.xml'), { device: 'CPU', shapes: { image: [1, 3, 32, 32] } });
    await cache.dispose();
  });
  afterEach(() => removeDir(base));

  it('reports every entry with model, shapes, device, bytes on disk, hits and state', async () => {
    const scan = await scanCache(dir, { currentBuildNumber: build });
    assert.equal(scan.exists, true);
    assert.equal(scan.entries.length, 3);
    const mlp = byModel(scan.entries, 'mlp');
    assert.equal(mlp.shapes, 'input=[1,16]');
    assert.equal(mlp.device, 'CPU');
    assert.equal(mlp.hits, 1);
    assert.equal(mlp.state, 'ok');
    assert.deepEqual(mlp.stale, []);
    assert.equal(mlp.bytes, duBytes(mlp.dir));
    assert.equal(mlp.modelId, path.join(models, 'mlp.xml'));
    assert.deepEqual(
      scan.entries
        .filter((e) => e.model === 'image')
        .map((e) => e.shapes)
        .sort(),
      ['image=[1,3,32,32]', 'image=[1,3,64,64]'],
    );
    assert.equal(scan.totals.bytes, duBytes(path.join(dir, 'entries')));
    assert.equal(scan.totals.folderBytes, duBytes(dir));
    assert.deepEqual(scan.byModel.map((g) => [g.model, g.entries]).sort(), [
      ['image', 2],
      ['mlp', 1],
    ]);
    assert.deepEqual(
      scan.byDevice.map((g) => [g.device, g.entries, g.bytes]),
      [['CPU', 3, scan.totals.bytes]],
    );
    assert.deepEqual(scan.strays, []);
    assert.equal(scan.totals.ok, 3);
  });

  it('gives the same answer with the concurrent pool as with slices', async () => {
    const a = await scanCache(dir, { now: 1, currentBuildNumber: build });
    const b = await scanCache(dir, { now: 1, currentBuildNumber: build, io: 'pool', concurrency: 2 });
    assert.deepEqual({ ...b, durationMs: 0 }, { ...a, durationMs: 0 });
  });

  it('marks entries of another runtime build stale', async () => {
    const scan = await scanCache(dir, { currentBuildNumber: '2026.0.0-20500' });
    assert.ok(scan.entries.every((e) => e.state === 'stale' && e.stale.includes('runtime-version')));
  });

  it('marks entries whose model changed or vanished stale', async () => {
    fs.appendFileSync(path.join(models, 'mlp.xml'), '\n');
    fs.rmSync(path.join(models, 'image.xml'));
    const scan = await scanCache(dir, { currentBuildNumber: build });
    assert.deepEqual(byModel(scan.entries, 'mlp').stale, ['model-changed']);
    assert.ok(scan.entries.filter((e) => e.model === 'image').every((e) => e.stale.join() === 'model-missing'));
  });

  it('reports incomplete entries, missing blobs, invalid and missing manifests as broken', async () => {
    const [a, b, c] = (await scanCache(dir)).entries;
    editManifest(a!.dir, (m) => (m.complete = false));
    for (const f of fs.readdirSync(b!.dir).filter((n) => n.endsWith('.blob'))) fs.rmSync(path.join(b!.dir, f));
    fs.writeFileSync(path.join(c!.dir, 'ovcache-entry.json'), '{"format": 1, "key": "nope"');
    fs.mkdirSync(path.join(dir, 'entries', 'empty-1x1-CPU-0123456789ab'));
    const scan = await scanCache(dir);
    const get = (name: string): ScannedEntry => scan.entries.find((e) => e.name === name)!;
    assert.deepEqual(get(a!.name).stale, ['incomplete']);
    assert.deepEqual(get(b!.name).stale, ['blob-missing']);
    assert.equal(get(c!.name).manifest, 'invalid');
    assert.match(get(c!.name).manifestProblem!, /not JSON/);
    assert.equal(get('empty-1x1-CPU-0123456789ab').manifest, 'missing');
    assert.equal(scan.totals.broken, 4);
  });

  it('counts strays, trash and temp files as unaccounted; never follows symlinks', async () => {
    const outside = path.join(base, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'big.bin'), Buffer.alloc(100_000));
    const [entry] = (await scanCache(dir)).entries;
    fs.symlinkSync(path.join(outside, 'big.bin'), path.join(entry!.dir, 'x.blob'));
    fs.symlinkSync(outside, path.join(dir, 'entries', 'link-1x1-CPU-0123456789ab'));
    fs.writeFileSync(path.join(dir, 'junk.dat'), Buffer.alloc(1000));
    fs.writeFileSync(path.join(dir, 'entries', 'stray.txt'), Buffer.alloc(10));
    fs.mkdirSync(path.join(dir, 'trash', 'old.1.0badf00d'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'trash', 'old.1.0badf00d', 'a.blob'), Buffer.alloc(500));
    const scan = await scanCache(dir);
    const e = scan.entries.find((x) => x.name === entry!.name)!;
    assert.deepEqual(e.symlinks, ['x.blob']);
    assert.equal(e.state, 'broken');
    assert.ok(e.bytes < 100_000, 'the symlink target is not counted');
    assert.equal(scan.entries.length, 3, 'a symlinked entry folder is not an entry');
    const strays = Object.fromEntries(scan.strays.map((s) => [s.path, s]));
    assert.equal(strays['junk.dat']?.bytes, 1000);
    assert.equal(strays['entries/stray.txt']?.kind, 'file');
    assert.equal(strays['entries/link-1x1-CPU-0123456789ab']?.kind, 'symlink');
    assert.equal(strays['trash/old.1.0badf00d']?.bytes, 500);
    assert.ok(scan.totals.unaccountedBytes >= 1510 && scan.totals.unaccountedBytes < 100_000);
  });

  it('survives a hostile manifest: paths outside and ".." names are never read', async () => {
    const [entry] = (await scanCache(dir)).entries;
    editManifest(entry!.dir, (m) => {
      m.modelPaths = ['../../../../etc/passwd', '/etc/shadow'];
      m.sources = [{ kind: 'path', xml: '../../../../etc/passwd', mtimeNs: '1', size: 1 }];
      m.files = [{ name: '../../../../etc/passwd', bytes: 1 }];
    });
    const scan = await scanCache(dir);
    const e = scan.entries.find((x) => x.name === entry!.name)!;
    // A file name that is not a plain name makes the manifest invalid (issue 21): never read, reported.
    assert.equal(e.manifest, 'invalid');
    assert.match(e.manifestProblem ?? '', /not a plain file name/);
    assert.equal(e.bytes, duBytes(entry!.dir));
    editManifest(entry!.dir, (m) => {
      m.files = [{ name: 'model.blob', bytes: 1 }];
    });
    const paths = (await scanCache(dir)).entries.find((x) => x.name === entry!.name)!;
    assert.equal(paths.manifest, 'ok', 'model paths outside are only stat-ed, never read');
    assert.deepEqual(paths.stale, ['model-missing', 'blob-missing']);
  });

  it('does not follow a symlinked entries/ folder', async () => {
    fs.renameSync(path.join(dir, 'entries'), path.join(base, 'elsewhere'));
    fs.symlinkSync(path.join(base, 'elsewhere'), path.join(dir, 'entries'));
    const scan = await scanCache(dir);
    assert.equal(scan.entries.length, 0);
    assert.match(scan.warnings[0]!, /symlink/);
  });

  it('reports a folder that does not exist as empty', async () => {
    const scan = await scanCache(path.join(base, 'nope'));
    assert.equal(scan.exists, false);
    assert.equal(scan.totals.folderBytes, 0);
  });
});

describe('volumeStats', () => {
  it('gives positive figures for the volume, also for a folder not created yet', async () => {
    const tmp = makeTempDir();
    const v = await volumeStats(path.join(tmp, 'not', 'yet')).finally(() => removeDir(tmp));
    assert.ok(v.totalBytes > 0 && v.freeBytes > 0 && v.availableBytes <= v.freeBytes && v.freeBytes <= v.totalBytes);
  });

  it('tryVolumeStats returns null when the injected statfs fails', async () => {
    assert.equal(await tryVolumeStats('/x', () => Promise.reject(new Error('ENOSYS'))), null);
    assert.deepEqual(await tryVolumeStats('/x', () => Promise.resolve({ freeBytes: 1, totalBytes: 2, availableBytes: 1 })), {
      freeBytes: 1,
      totalBytes: 2,
      availableBytes: 1,
    });
  });
});
