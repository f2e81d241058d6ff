import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_FORMAT } from '../../lib/cache/key';
import {
  MANIFEST_FILE,
  MANIFEST_READ_NOW_BYTES,
  parseManifest,
  readManifest,
  readManifestNow,
  RecentManifests,
  writeManifest,
  type EntryManifest,
} from '../../lib/cache/entry/manifest';
import { beginLoad, LOADING_PREFIX } from '../../lib/cache/entry/load-marker';
import { ManifestWriter } from '../../lib/cache/entry/manifest-writer';
import { cacheLayout } from '../../lib/cache/entry/layout';
import { makeTempDir, removeDir } from '../helpers/paths';

export function sampleManifest(): EntryManifest {
  const now = '2026-01-02T03:04:05.000Z';
  return {
    format: 1,
    key: 'ab'.repeat(32),
    parts: {
      format: KEY_FORMAT,
      model: { name: 'mlp', files: [{ role: 'xml', sha256: 'a'.repeat(64), size: 1 }] },
      inputs: [{ name: 'input', shape: '[1,16]', elementType: 'f32' }],
      device: { name: 'CPU', fullName: 'cpu' },
      config: {},
      runtime: { buildNumber: '2025.4.0' },
    },
    modelPaths: ['/m/mlp.xml'],
    sources: [{ kind: 'path', xml: '/m/mlp.xml', mtimeNs: '1', size: 1 }],
    files: [{ name: '123.blob', bytes: 10 }],
    bytes: 10,
    createdAt: now,
    lastUsedAt: now,
    hits: 0,
    compileMs: 12.5,
    importMs: null,
    complete: true,
    writer: { pid: 1, hostname: 'h' },
  };
}

describe('entry manifests', () => {
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => removeDir(tmp));

  it('a refresh after OpenVINO recompiled a copied entry keeps its origin (a copied entry never becomes one this process compiled, so it is never signed)', async () => {
    const root = path.join(tmp, 'cache');
    const entry = path.join(root, 'entries', 'e');
    fs.mkdirSync(entry, { recursive: true });
    const copied: EntryManifest = { ...sampleManifest(), origin: { from: 'bundle:evil.tar.gz', signedBy: null } };
    await writeManifest(entry, copied);
    fs.writeFileSync(path.join(entry, '123.blob'), 'x'.repeat(10));
    fs.writeFileSync(path.join(entry, '456.blob'), 'planted beside it');
    const writer = new ManifestWriter({ layout: cacheLayout(root), staleLockMs: 10_000, touchIntervalMs: 1000 });
    writer.noteLoad({ key: copied.key, entryDir: entry, ms: 5, fromBlob: false, alone: true });
    await writer.flush();
    const read = await readManifest(entry);
    assert.equal(read.status, 'ok');
    const after = (read as { manifest: EntryManifest }).manifest;
    assert.deepEqual(after.origin, { from: 'bundle:evil.tar.gz', signedBy: null });
    assert.deepEqual(after.files.map((f) => f.name).sort(), ['123.blob', '456.blob'], 'the refresh did run');
  });

  it('the lock-free read (readManifestNow) never serves bytes it did not read: a manifest rewritten in place at the same size is parsed again', async () => {
    await writeManifest(tmp, sampleManifest());
    const recent = new RecentManifests();
    const first = readManifestNow(tmp, recent);
    assert.equal(first.status, 'ok');
    assert.equal((first as { manifest: EntryManifest }).manifest.complete, true);
    assert.equal(readManifestNow(tmp, recent), first, 'the same bytes: the parse is reused');
    // In place (the same inode), the same size, at once: only the bytes tell the files apart.
    const file = path.join(tmp, MANIFEST_FILE);
    const before = fs.readFileSync(file, 'utf8');
    const after = before.replace('"complete": true', '"complete":false');
    assert.equal(after.length, before.length);
    fs.writeFileSync(file, after);
    const second = readManifestNow(tmp, recent);
    assert.equal(second.status, 'ok');
    assert.equal((second as { manifest: EntryManifest }).manifest.complete, false);
  });

  it('the lock-free read takes no manifest over MANIFEST_READ_NOW_BYTES (the event loop never waits on a large read): it says large, and readManifest reads it', async () => {
    const big = { ...sampleManifest(), modelPaths: ['/m/' + 'x'.repeat(MANIFEST_READ_NOW_BYTES)] };
    await writeManifest(tmp, big);
    assert.deepEqual(readManifestNow(tmp, new RecentManifests()), { status: 'large' });
    assert.equal((await readManifest(tmp)).status, 'ok');
    assert.deepEqual(readManifestNow(path.join(tmp, 'nope')), { status: 'missing' });
  });

  it('a pre-created marker name (someone guessed the next one) costs nothing: the load marks itself under a random name', () => {
    const first = beginLoad(tmp);
    const taken = fs.readdirSync(tmp).find((n) => n.startsWith(LOADING_PREFIX)) as string;
    first?.();
    // The names that follow, planted: the counter is base 36 after the nonce.
    const stem = taken.slice(0, -1);
    for (const c of '0123456789abcdefghijklmnopqrstuvwxyz') fs.writeFileSync(path.join(tmp, stem + c), '');
    const planted = new Set(fs.readdirSync(tmp));
    const end = beginLoad(tmp);
    assert.ok(end, 'the load goes ahead lock-free');
    const mine = fs.readdirSync(tmp).filter((n) => !planted.has(n));
    assert.equal(mine.length, 1);
    assert.ok((mine[0] as string).startsWith(`${LOADING_PREFIX}${process.pid}.`));
    end();
  });

  it('load markers of one process are distinct, and each names the pid', () => {
    const ends = [beginLoad(tmp), beginLoad(tmp), beginLoad(tmp)];
    const markers = fs.readdirSync(tmp).filter((n) => n.startsWith(LOADING_PREFIX));
    assert.equal(new Set(markers).size, 3);
    for (const m of markers) assert.equal(Number(m.slice(LOADING_PREFIX.length).split('.')[0]), process.pid);
    for (const end of ends) end?.();
    assert.deepEqual(
      fs.readdirSync(tmp).filter((n) => n.startsWith(LOADING_PREFIX)),
      [],
    );
  });

  it('round-trip, written through a temp file that does not linger', async () => {
    await writeManifest(tmp, sampleManifest(), { fsync: true });
    assert.deepEqual(fs.readdirSync(tmp), [MANIFEST_FILE]);
    const read = await readManifest(tmp);
    assert.equal(read.status, 'ok');
    assert.deepEqual((read as { manifest: EntryManifest }).manifest, sampleManifest());
  });

  it('report a missing file as missing', async () => {
    assert.deepEqual(await readManifest(path.join(tmp, 'nope')), { status: 'missing' });
  });

  const garbage: Array<[string, string]> = [
    ['empty file', ''],
    ['not JSON', '{"format":1,'],
    ['an array', '[]'],
    ['a future format', JSON.stringify({ ...sampleManifest(), format: 99 })],
    ['a bad key', JSON.stringify({ ...sampleManifest(), key: 'x' })],
    ['negative bytes', JSON.stringify({ ...sampleManifest(), bytes: -1 })],
    ['complete as a string', JSON.stringify({ ...sampleManifest(), complete: 'yes' })],
    ['bad sources', JSON.stringify({ ...sampleManifest(), sources: [{ kind: 'path' }] })],
  ];
  for (const [what, text] of garbage) {
    it(`report ${what} as invalid without throwing`, async () => {
      fs.writeFileSync(path.join(tmp, MANIFEST_FILE), text);
      const read = await readManifest(tmp);
      assert.equal(read.status, 'invalid');
      assert.equal(parseManifest(text).status, 'invalid');
    });
  }

  it('report an unreadable manifest (a folder in its place) as invalid', async () => {
    fs.mkdirSync(path.join(tmp, MANIFEST_FILE));
    assert.equal((await readManifest(tmp)).status, 'invalid');
  });
});
