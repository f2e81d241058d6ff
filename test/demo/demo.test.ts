import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeDir, ROOT } from '../helpers/paths';

const DEMO = path.join(ROOT, 'dist', 'scripts', 'demo.js');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

describe('npm run demo (the front door)', function () {
  this.timeout(120000);
  let tmp: string;
  let cache: string;
  let results: string;
  let out: SpawnSyncReturns<string>;
  before(() => {
    tmp = makeTempDir();
    cache = path.join(tmp, 'demo-cache');
    results = path.join(tmp, 'results');
    out = spawnSync(process.execPath, [DEMO], {
      cwd: tmp,
      encoding: 'utf8',
      env: { ...process.env, OVCACHE_DEMO_DIR: cache, OVCACHE_DEMO_RESULTS: results, DEMO_RUNS: '1', OVCACHE_DEMO_MODEL_MB: '4' },
    });
  });
  after(() => removeDir(tmp));

  it("shows no cache, OpenVINO's own CACHE_DIR and ovcache, cold and warm, with a legend", () => {
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^no cache +- +\d/m);
    assert.match(out.stdout, /^OpenVINO CACHE_DIR +cold +\d/m);
    assert.match(out.stdout, /^OpenVINO CACHE_DIR +warm +\d/m);
    assert.match(out.stdout, /^ovcache +warm +\d.* \d+\.\d\dx$/m);
    assert.match(out.stdout, /How to read it:/);
    assert.match(out.stdout, /Why cold costs more than no cache:/);
    const report = JSON.parse(fs.readFileSync(path.join(results, 'demo.json'), 'utf8')) as { ratios: Array<{ name: string }> };
    assert.ok(report.ratios.some((r) => r.name === 'warm: ovcache / CACHE_DIR'));
    assert.match(fs.readFileSync(path.join(results, 'demo.svg'), 'utf8'), /^<svg /);
  });

  it('leaves its cache behind, says where, and prints the next three commands on it', () => {
    assert.equal(out.status, 0, out.stderr);
    assert.ok(fs.existsSync(path.join(cache, 'entries')), 'the demo cache is kept');
    // The package's ModelCache records history by default, so the dashboard has hits to show.
    assert.ok(fs.readdirSync(path.join(cache, 'history')).length > 0, 'the demo cache has a history for the dashboard');
    assert.ok(out.stdout.includes(`The demo's cache is kept in ${cache}`));
    for (const command of ['ls', 'du', 'dashboard']) assert.ok(out.stdout.includes(`npx ovcache ${command} --dir demo-cache`), command);
  });

  it('`ovcache ls --dir <that folder>` lists the entry the demo left', () => {
    const ls = spawnSync(process.execPath, [CLI, 'ls', '--dir', cache, '--json'], { encoding: 'utf8' });
    assert.equal(ls.status, 0, ls.stderr);
    const listed = JSON.parse(ls.stdout) as unknown;
    const entries = Array.isArray(listed) ? listed : (listed as { entries: unknown[] }).entries;
    assert.equal(entries.length, 1, ls.stdout);
    assert.match(JSON.stringify(entries[0]), /weights-4mb/);
  });

  it('on the stand-in, says how to point the next commands at it; `ls` then checks the entry against it', function () {
    if (!out.stdout.includes('TEST STAND-IN')) this.skip(); // a machine with OpenVINO: the demo ran on it, the CLI finds it too
    const hint = /run it with OPENVINO_LIB_PATH=(\S+)/.exec(out.stdout);
    assert.ok(hint?.[1], out.stdout);
    const run = (env: NodeJS.ProcessEnv): { runtime: { error: string | null; buildNumber: string | null } } => {
      const ls = spawnSync(process.execPath, [CLI, 'ls', '--dir', cache, '--json'], { cwd: tmp, encoding: 'utf8', env });
      assert.equal(ls.status, 0, ls.stderr);
      return JSON.parse(ls.stdout) as { runtime: { error: string | null; buildNumber: string | null } };
    };
    const { OPENVINO_LIB_PATH: _unset, ...withoutRuntime } = process.env;
    assert.ok(run(withoutRuntime).runtime.error, 'without it, the stale check is skipped and said so');
    const withHint = run({ ...withoutRuntime, OPENVINO_LIB_PATH: hint[1] }).runtime;
    assert.equal(withHint.error, null);
    assert.match(withHint.buildNumber ?? '', /stub/);
  });

  it('refuses to empty a folder that is not an ovcache cache, and loses nothing in it', () => {
    const foreign = path.join(tmp, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'keep.txt'), 'mine');
    const r = spawnSync(process.execPath, [DEMO], {
      cwd: tmp,
      encoding: 'utf8',
      env: { ...process.env, OVCACHE_DEMO_DIR: foreign, OVCACHE_DEMO_RESULTS: results, DEMO_RUNS: '1', OVCACHE_DEMO_MODEL_MB: '1' },
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not empty and not an ovcache cache; set OVCACHE_DEMO_DIR to another folder/);
    assert.equal(fs.readFileSync(path.join(foreign, 'keep.txt'), 'utf8'), 'mine');
  });
});
