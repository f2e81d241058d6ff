// A tier writer who turns tier files into FIFOs must not hang a reader: every file the folder
// tier reads is opened O_NONBLOCK | O_NOFOLLOW and refused unless fstat says regular file
// (lib/fs/open-regular.ts). Before, each copyFile/readFile blocked in open() for good, pinning a
// libuv threadpool thread; after four, every fs and crypto call of the process stopped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, ModelCache, type OpenVINO } from '../../lib/index';
import type { TierEvent } from '../../lib/fleet/fleet';
import { writeMlp } from '../../scripts/make-fixtures';
import { STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const BOUND_MS = 20_000; // generous: each compile used to never return

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

describe('folder tier: FIFOs planted in the tier', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let tmp: string;
  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => (tmp = makeTempDir('ovcache-fifo-')));
  afterEach(() => removeDir(tmp));

  for (const mode of ['blob', 'manifest'] as const) {
    it(`every ${mode} a FIFO: 5 compiles finish locally with a refused event, and plain fs calls still work`, async () => {
      const k = crypto.generateKeyPairSync('ed25519');
      const shared = path.join(tmp, 'shared');
      const models = path.join(tmp, 'models');
      fs.mkdirSync(models);
      const xmls = [0, 1, 2, 3, 4].map((i) => writeMlp(models, `mlp${i}`).xml);
      const trust = { signingKey: k.privateKey, trustedKeys: [k.publicKey] };
      const pub = new ModelCache({ runtime: ov, dir: path.join(tmp, 'pub'), tiers: [{ path: shared }], publish: 'sync', trust });
      for (const x of xmls) (await pub.compile(x, { device: 'CPU' })).compiled.dispose();
      await pub.fleet?.close();
      await pub.dispose();
      const entries = path.join(shared, 'entries');
      for (const key of fs.readdirSync(entries)) {
        const manifest = path.join(entries, key, 'fleet-entry.json');
        const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { uploadId: string; files: Array<{ name: string }> };
        const targets = mode === 'manifest' ? [manifest] : m.files.map((f) => path.join(entries, key, m.uploadId, f.name));
        for (const p of targets) {
          fs.rmSync(p);
          execFileSync('mkfifo', [p]);
        }
      }
      const victim = new ModelCache({
        runtime: ov,
        dir: path.join(tmp, 'victim'),
        tiers: [{ path: shared, readOnly: true }],
        trust: { trustedKeys: [k.publicKey] },
      });
      const events: TierEvent[] = [];
      victim.fleet?.on('tier', (e) => events.push(e));
      try {
        for (const x of xmls) {
          const r = await within(victim.compile(x, { device: 'CPU' }), BOUND_MS, `compile of ${path.basename(x)}`);
          assert.equal(r.hit, false, 'compiled locally');
          r.compiled.dispose();
        }
        const refused = events.filter((e) => e.op === 'get' && e.outcome === 'refused');
        assert.equal(refused.length, 5, JSON.stringify(events));
        for (const e of refused) assert.match(e.reason ?? '', /is not a regular file \(a FIFO\): refused, never read/);
        assert.ok((await within(fs.promises.readFile(__filename), 5_000, 'a plain readFile')).length > 0);
        await within(
          new Promise((resolve, reject) => crypto.pbkdf2('x', 'y', 1, 32, 'sha256', (e, d) => (e ? reject(e) : resolve(d)))),
          5_000,
          'a threadpool crypto call',
        );
      } finally {
        await victim.fleet?.close();
        await victim.dispose();
      }
    });
  }

  it('a blob replaced by a huge sparse file of another size is refused before a byte is copied: the local volume stays small', async () => {
    const shared = path.join(tmp, 'shared');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const xml = writeMlp(models, 'mlp').xml;
    const pub = new ModelCache({ runtime: ov, dir: path.join(tmp, 'pub'), tiers: [{ path: shared }], publish: 'sync' });
    (await pub.compile(xml, { device: 'CPU' })).compiled.dispose();
    await pub.fleet?.close();
    await pub.dispose();
    const entries = path.join(shared, 'entries');
    for (const key of fs.readdirSync(entries)) {
      const m = JSON.parse(fs.readFileSync(path.join(entries, key, 'fleet-entry.json'), 'utf8')) as {
        uploadId: string;
        files: Array<{ name: string }>;
      };
      for (const f of m.files) fs.truncateSync(path.join(entries, key, m.uploadId, f.name), 64 * 1024 ** 3); // 64 GiB, sparse
    }
    const victimDir = path.join(tmp, 'victim');
    const victim = new ModelCache({ runtime: ov, dir: victimDir, tiers: [{ path: shared, readOnly: true }] });
    const events: TierEvent[] = [];
    victim.fleet?.on('tier', (e) => events.push(e));
    try {
      const r = await within(victim.compile(xml, { device: 'CPU' }), BOUND_MS, 'compile');
      assert.equal(r.hit, false, 'compiled locally');
      r.compiled.dispose();
      const refused = events.find((e) => e.op === 'get' && e.outcome === 'refused');
      assert.match(refused?.reason ?? '', /its manifest says \d+: refused, never copied/, JSON.stringify(events));
      const used = Number(execFileSync('du', ['-sk', victimDir], { encoding: 'utf8' }).split('\t')[0]);
      assert.ok(used < 64 * 1024, `the local cache holds ${used} KiB`);
    } finally {
      await victim.fleet?.close();
      await victim.dispose();
    }
  });
  it('an upload folder replaced by a symlink out of the tier is refused, never read: the model compiles here', async () => {
    const shared = path.join(tmp, 'shared');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const xml = writeMlp(models, 'mlp').xml;
    const pub = new ModelCache({ runtime: ov, dir: path.join(tmp, 'pub'), tiers: [{ path: shared }], publish: 'sync' });
    (await pub.compile(xml, { device: 'CPU' })).compiled.dispose();
    await pub.fleet?.close();
    await pub.dispose();
    const entries = path.join(shared, 'entries');
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(outside);
    for (const key of fs.readdirSync(entries)) {
      const upload = fs.readdirSync(path.join(entries, key)).find((n) => n !== 'fleet-entry.json') as string;
      fs.renameSync(path.join(entries, key, upload), path.join(outside, upload));
      fs.symlinkSync(path.join(outside, upload), path.join(entries, key, upload));
    }
    const victim = new ModelCache({ runtime: ov, dir: path.join(tmp, 'victim'), tiers: [{ path: shared, readOnly: true }] });
    const events: TierEvent[] = [];
    victim.fleet?.on('tier', (e) => events.push(e));
    try {
      const r = await victim.compile(xml, { device: 'CPU' });
      assert.equal(r.hit, false, 'compiled locally');
      r.compiled.dispose();
      const refused = events.find((e) => e.op === 'get' && e.outcome === 'refused');
      assert.match(
        refused?.reason ?? '',
        /is a symlink: refused, never read \(a tier's upload folder must be a folder inside the tier\)/,
        JSON.stringify(events),
      );
    } finally {
      await victim.fleet?.close();
      await victim.dispose();
    }
  });
});
