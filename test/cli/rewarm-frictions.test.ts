// `ovcache rewarm` tells the truth about the folder it is given (issue 27's review): a folder that
// does not exist is a coded error, not "0 rewarmed"; a folder it cannot write fails before any
// compile; a model rewritten in place is skipped as model-changed; counts read "1 old entry".
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatRewarmReport } from '../../lib/cli/commands/rewarm';
import type { RewarmReport } from '../../lib/rewarm/rewarm';
import { writeWeightsModel } from '../../scripts/make-fixtures';
import { countEvents } from '../cache/helpers';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const OLD = '2025.4.0-20398-stub';
const NEW = '2025.4.1-20460-stub';

function env(build: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPENVINO_LIB_PATH: STAND_IN, OV_STUB_VERSION: build, ...extra };
}

function run(args: string[], vars: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { env: vars, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why a read-only volume cannot be made here, or undefined when it can (root on Linux: a tmpfs remounted ro). */
function cannotMount(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux to mount a read-only tmpfs';
  const probe = makeTempDir('ovcache-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'cannot mount a tmpfs here (no CAP_SYS_ADMIN)';
  } finally {
    removeDir(probe);
  }
}

describe('ovcache rewarm: the folder it is given, and what it says', function () {
  this.timeout(120_000);
  let base: string;
  let dir: string;
  let model: string;
  let manifest: string;

  beforeEach(() => {
    base = makeTempDir('ovcache-rewarm-cli-');
    dir = path.join(base, 'cache');
    model = writeWeightsModel(path.join(base, 'models'), 8192, 'weights').xml;
    manifest = path.join(base, 'warm.json');
    fs.writeFileSync(manifest, JSON.stringify({ models: [{ model, device: 'CPU' }] }));
  });
  afterEach(() => removeDir(base));

  const warmOld = (cacheDir = dir): void => {
    const r = run(['warm', manifest, '--dir', cacheDir, '--json'], env(OLD));
    assert.equal(r.status, 0, r.stderr);
  };

  it('a --dir that does not exist is OVCACHE_CACHE_DIR_MISSING with exit 1, never "0 rewarmed"', () => {
    const missing = path.join(base, 'no-such-cache');
    const r = run(['rewarm', '--dir', missing], env(NEW));
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /\[OVCACHE_CACHE_DIR_MISSING\]/);
    assert.ok(r.stderr.includes(missing), r.stderr);
    assert.doesNotMatch(r.stdout, /rewarmed/);
    assert.equal(fs.existsSync(missing), false, 'the mistyped folder is not created');
  });

  it('a cache folder on a read-only volume is OVCACHE_CACHE_READ_ONLY before anything is compiled', function () {
    const skip = cannotMount();
    if (skip) {
      if (process.env.CI === 'true') throw new Error(`CI=true, yet ${skip}`);
      this.skip();
    }
    warmOld();
    const mount = path.join(base, 'ro');
    fs.mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount], { stdio: 'ignore' });
    try {
      fs.cpSync(dir, path.join(mount, 'cache'), { recursive: true, preserveTimestamps: true });
      execFileSync('mount', ['-o', 'remount,ro', mount], { stdio: 'ignore' });
      const log = path.join(base, 'stub.log');
      const r = run(['rewarm', '--dir', path.join(mount, 'cache')], env(NEW, { OV_STUB_LOG: log }));
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stderr, /\[OVCACHE_CACHE_READ_ONLY\].*not writable.*nothing was compiled/);
      assert.equal(fs.existsSync(log) ? countEvents(log, 'compile') : 0, 0, 'nothing compiled');
    } finally {
      execFileSync('umount', [mount], { stdio: 'ignore' });
    }
  });

  it('an old entry whose model was rewritten in place (same size and mtime) is skipped as model-changed, not key-differs', () => {
    warmOld();
    const bin = model.replace(/\.xml$/, '.bin');
    const st = fs.statSync(bin);
    const bytes = fs.readFileSync(bin);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 255 - (bytes[i] ?? 0);
    fs.writeFileSync(bin, bytes);
    fs.utimesSync(bin, st.atime, st.mtime);
    const log = path.join(base, 'stub.log');
    const r = run(['rewarm', '--dir', dir, '--json'], env(NEW, { OV_STUB_LOG: log }));
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { rewarmed: number; skipped: Array<{ reason: string; detail: string | null }> };
    assert.equal(report.rewarmed, 0);
    assert.deepEqual(
      report.skipped.map((s) => s.reason),
      ['model-changed'],
    );
    assert.match(report.skipped[0]?.detail ?? '', /model\.bin\.sha256/);
    assert.equal(fs.existsSync(log) ? countEvents(log, 'compile') : 0, 0, 'nothing compiled for a changed model');
  });

  it('the report says "Removed 1 old entry", never "1 old entries"', () => {
    const report: RewarmReport = {
      dir,
      results: [],
      skipped: [],
      rewarmed: 0,
      copied: 0,
      failed: 0,
      pruned: { removed: [{ name: 'weights-1', key: 'k', model: 'weights', bytes: 2048 }], skipped: [], bytesFreed: 2048 },
      interrupted: false,
      left: 0,
      ms: 10,
    };
    const text = formatRewarmReport(report, NEW);
    assert.match(text, /^Removed 1 old entry with a rewarmed twin, 2\.0 KiB\.$/m);
    assert.doesNotMatch(text, /1 old entries/);
  });
});
