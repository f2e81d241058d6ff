// `ovcache warm`, `pack` and `unpack` as a user runs them: the real CLI in a child process on
// the stand-in runtime; compiles are counted from the stand-in's log.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { ModelCache } from '../../lib/model-cache';
import { FolderTier } from '../../lib/fleet/folder-tier';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { countEvents } from '../cache/helpers';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

describe('ovcache warm, pack and unpack', function () {
  this.timeout(60_000);
  let tmp: string;
  let stubLog: string;
  let manifest: string;

  function run(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN, OV_STUB_LOG: stubLog, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  beforeEach(() => {
    tmp = makeTempDir('ovcache-fleet-cli-');
    stubLog = path.join(tmp, 'stub.log');
    const models = path.join(tmp, 'deploy', 'models');
    fs.mkdirSync(models, { recursive: true });
    writeMlp(models);
    writeImageModel(models);
    manifest = path.join(tmp, 'deploy', 'warm.yaml');
    fs.writeFileSync(
      manifest,
      [
        '# relative paths are relative to this file',
        'dir: ../cache',
        'models:',
        '  - model: models/mlp.xml',
        '  - model: models/image.xml',
        '    device: CPU',
        '    shapes: { image: [1, 3, 32, 32] }',
        '    config: { PERFORMANCE_HINT: LATENCY }',
        '',
      ].join('\n'),
    );
  });
  afterEach(() => removeDir(tmp));

  it('warm compiles what a YAML manifest lists, then finds it already cached; the summary and --json say which', () => {
    const first = run(['warm', manifest]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /2 compiled, 0 already cached, 0 failed/);
    assert.match(first.stdout, /image\.xml\s+CPU\s+image=1x3x32x32\s+compiled/);
    assert.ok(fs.existsSync(path.join(tmp, 'cache', 'entries')), 'dir is relative to the manifest');
    const second = run(['warm', manifest, '--json']);
    assert.equal(second.status, 0, second.stderr);
    const report = JSON.parse(second.stdout) as {
      compiled: number;
      cached: number;
      failed: number;
      results: Array<{ status: string; from: string }>;
    };
    assert.deepEqual([report.compiled, report.cached, report.failed], [0, 2, 0]);
    assert.deepEqual(
      report.results.map((r) => [r.status, r.from]),
      [
        ['cached', 'local'],
        ['cached', 'local'],
      ],
    );
    assert.equal(countEvents(stubLog, 'compile'), 2);
  });

  it('warm exits 1 when a model fails (the others are still cached) and 2 for a bad manifest', () => {
    fs.appendFileSync(manifest, '  - model: models/missing.xml\n');
    const r = run(['warm', manifest, '--json']);
    assert.equal(r.status, 1);
    const report = JSON.parse(r.stdout) as { compiled: number; failed: number; results: Array<{ error: { code: string } | null }> };
    assert.deepEqual([report.compiled, report.failed], [2, 1]);
    assert.equal(report.results[2]?.error?.code, 'OVCACHE_MODEL_NOT_FOUND');

    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ modles: [{ model: 'x.xml' }] }));
    const usage = run(['warm', bad]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /\[OVCACHE_WARM_MANIFEST_INVALID\] .*bad\.json: unknown field "modles" \(did you mean "models"\?\)/);
  });

  it('warm with a tier publishes there; a fresh machine warming the same manifest compiles nothing', async () => {
    fs.appendFileSync(manifest, 'tiers:\n  - path: ../shared\n');
    assert.equal(run(['warm', manifest]).status, 0);
    const keys = await new FolderTier({ path: path.join(tmp, 'shared') }).list();
    assert.equal(keys.length, 2, 'both entries were published before warm exited');
    const fresh = run(['warm', manifest, '--dir', path.join(tmp, 'machine-2'), '--json']);
    assert.equal(fresh.status, 0, fresh.stderr);
    const report = JSON.parse(fresh.stdout) as { cached: number; results: Array<{ from: string }> };
    assert.equal(report.cached, 2);
    assert.ok(report.results.every((r) => r.from === `folder:${path.join(tmp, 'shared')}`));
    assert.equal(countEvents(stubLog, 'compile'), 2, 'the fresh machine loaded both from the tier');
    const verify = run(['verify', '--dir', path.join(tmp, 'machine-2')]);
    assert.equal(verify.status, 0, `entries copied down leave a clean cache folder: ${verify.stdout}`);
  });

  describe('bundles', () => {
    let bundle: string;
    beforeEach(() => {
      assert.equal(run(['warm', manifest]).status, 0);
      bundle = path.join(tmp, 'models-cache.tar.gz');
    });

    it('pack then unpack into an empty cache: loads with no compile; unpacking again finds them present', async () => {
      const packed = run(['pack', bundle, '--dir', path.join(tmp, 'cache'), '--json']);
      assert.equal(packed.status, 0, packed.stderr);
      assert.equal((JSON.parse(packed.stdout) as { entries: unknown[] }).entries.length, 2);
      const target = path.join(tmp, 'image-cache');
      const unpacked = run(['unpack', bundle, '--dir', target, '--json']);
      assert.equal(unpacked.status, 0, unpacked.stderr);
      assert.deepEqual(
        (JSON.parse(unpacked.stdout) as { entries: Array<{ status: string }> }).entries.map((e) => e.status),
        ['installed', 'installed'],
      );
      assert.match(run(['unpack', bundle, '--dir', target]).stdout, /0 installed, 2 already present, 0 refused/);

      process.env.OV_STUB_LOG = stubLog;
      try {
        const cache = new ModelCache({ runtime: await loadOpenVINO({ libraryPath: STAND_IN }), dir: target });
        const r = await cache.compile(path.join(tmp, 'deploy', 'models', 'image.xml'), {
          device: 'CPU',
          shapes: { image: [1, 3, 32, 32] },
          config: { PERFORMANCE_HINT: 'LATENCY' },
        });
        assert.equal(r.hit, true);
        r.compiled.dispose();
        await cache.dispose();
      } finally {
        delete process.env.OV_STUB_LOG;
      }
      assert.equal(countEvents(stubLog, 'compile'), 2, 'only the two warm compiles, none after unpacking');
    });

    it('pack selects entries by model name', () => {
      const r = run(['pack', bundle, 'mlp', '--dir', path.join(tmp, 'cache'), '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(
        (JSON.parse(r.stdout) as { entries: Array<{ model: string }> }).entries.map((e) => e.model),
        ['mlp'],
      );
      assert.equal(run(['pack', bundle, 'nosuchmodel', '--dir', path.join(tmp, 'cache')]).status, 1);
    });

    it('unpack refuses entries for another OpenVINO build or device unless --force', () => {
      assert.equal(run(['pack', bundle, '--dir', path.join(tmp, 'cache')]).status, 0);
      const target = path.join(tmp, 'other');
      const build = run(['unpack', bundle, '--dir', target], { OV_STUB_VERSION: '2026.1.0-99999-other' });
      assert.equal(build.status, 1);
      assert.match(
        build.stdout,
        /refused\s+made by OpenVINO 2025\.4\.0-20398-stub, this runtime is 2026\.1\.0-99999-other \(--force installs it anyway\)/,
      );
      assert.ok(!fs.existsSync(path.join(target, 'entries')) || fs.readdirSync(path.join(target, 'entries')).length === 0);
      const device = run(['unpack', bundle, '--dir', target], { OV_STUB_CPU_NAME: 'Another CPU' });
      assert.equal(device.status, 1);
      assert.match(device.stdout, /made for CPU ".*", this machine's is "Another CPU"/);
      const forced = run(['unpack', bundle, '--dir', target, '--force'], { OV_STUB_VERSION: '2026.1.0-99999-other' });
      assert.equal(forced.status, 0, forced.stderr);
      assert.equal(fs.readdirSync(path.join(target, 'entries')).length, 2);
    });

    it('unpack refuses an entry whose bytes were changed inside the bundle', async () => {
      assert.equal(run(['pack', bundle, 'mlp', '--dir', path.join(tmp, 'cache')]).status, 0);
      const open = path.join(tmp, 'open');
      fs.mkdirSync(open);
      await tar.x({ file: bundle, cwd: open });
      const entryDir = path.join(open, 'entries', fs.readdirSync(path.join(open, 'entries'))[0] as string);
      const blob = path.join(entryDir, fs.readdirSync(entryDir).find((n) => n.endsWith('.blob')) as string);
      fs.chmodSync(blob, 0o644);
      const bytes = fs.readFileSync(blob);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
      fs.writeFileSync(blob, bytes);
      await tar.c({ gzip: true, file: bundle, cwd: open }, ['ovcache-bundle.json', 'entries']);
      const r = run(['unpack', bundle, '--dir', path.join(tmp, 'other'), '--json']);
      assert.equal(r.status, 1);
      const entry = (JSON.parse(r.stdout) as { entries: Array<{ status: string; reason: string }> }).entries[0];
      assert.equal(entry?.status, 'invalid');
      assert.match(entry?.reason ?? '', /sha256 does not match the index/);
      const garbage = path.join(tmp, 'garbage.tar.gz');
      fs.writeFileSync(garbage, 'not a bundle');
      const g = run(['unpack', garbage, '--dir', path.join(tmp, 'other')]);
      assert.equal(g.status, 1);
      assert.match(g.stderr, /\[OVCACHE_BUNDLE_INVALID\]/);
    });

    it('a file name outside the entry (../../etc/...) with its real digest: unpack refuses it, verify reports it, pack leaves it out', async () => {
      const secret = path.join(tmp, 'secret.txt');
      fs.writeFileSync(secret, 'not for the cache\n');
      // From any folder depth, this resolves to the secret.
      const hostile = `${'../'.repeat(40)}${secret.slice(1)}`;
      const listed = { name: hostile, bytes: fs.statSync(secret).size };
      const sha256 = crypto.createHash('sha256').update(fs.readFileSync(secret)).digest('hex');
      assert.equal(run(['pack', bundle, 'mlp', '--dir', path.join(tmp, 'cache')]).status, 0);
      const open = path.join(tmp, 'open');
      fs.mkdirSync(open);
      await tar.x({ file: bundle, cwd: open });
      const indexFile = path.join(open, 'ovcache-bundle.json');
      const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { entries: Array<{ name: string; files: unknown[] }> };
      const entry = index.entries[0] as { name: string; files: unknown[] };
      entry.files.push({ ...listed, sha256 });
      fs.writeFileSync(indexFile, JSON.stringify(index));
      const manifestFile = path.join(open, 'entries', entry.name, 'ovcache-entry.json');
      fs.chmodSync(manifestFile, 0o644);
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { files: unknown[] };
      manifest.files.push(listed);
      fs.writeFileSync(manifestFile, JSON.stringify(manifest));
      await tar.c({ gzip: true, file: bundle, cwd: open }, ['ovcache-bundle.json', 'entries']);

      const target = path.join(tmp, 'target');
      const r = run(['unpack', bundle, '--dir', target, '--json']);
      assert.equal(r.status, 1, r.stdout);
      const row = (JSON.parse(r.stdout) as { entries: Array<{ status: string; reason: string }> }).entries[0];
      assert.equal(row?.status, 'invalid');
      assert.match(row?.reason ?? '', /not a plain file name/);
      assert.ok(!fs.existsSync(path.join(target, 'entries', entry.name)), 'nothing installed');

      // The same manifest planted in a cache folder: verify flags it, pack exports nothing of it.
      const planted = path.join(tmp, 'cache', 'entries', entry.name, 'ovcache-entry.json');
      fs.chmodSync(planted, 0o644);
      fs.writeFileSync(planted, JSON.stringify(manifest));
      const verify = run(['verify', '--dir', path.join(tmp, 'cache'), '--json']);
      assert.equal(verify.status, 1, verify.stdout);
      const problems = (JSON.parse(verify.stdout) as { problems: Array<{ kind: string; path: string; detail: string }> }).problems;
      assert.ok(
        problems.some((p) => p.kind === 'manifest-invalid' && p.path === `entries/${entry.name}` && /not a plain file name/.test(p.detail)),
        JSON.stringify(problems),
      );
      const again = path.join(tmp, 'again.tar.gz');
      const repack = run(['pack', again, '--dir', path.join(tmp, 'cache'), '--json']);
      assert.equal(repack.status, 0, repack.stderr);
      const packed = JSON.parse(repack.stdout) as { entries: Array<{ name: string; files: Array<{ name: string }> }> };
      assert.deepEqual(
        packed.entries.map((e) => e.name),
        fs.readdirSync(path.join(tmp, 'cache', 'entries')).filter((n) => n !== entry.name),
        'only the other entry is packed',
      );
      const members: string[] = [];
      await tar.t({ file: again, onReadEntry: (e) => members.push(e.path) });
      assert.ok(!members.some((m) => m.includes('..') || m.includes(entry.name)), members.join(', '));
    });
  });
});
