// The history never creates the cache folder: a folder removed while a recorder follows it gets
// no history (docs/observability.md), whether the last interval is written by dispose(),
// by flush() or at process exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { attachHistory, loadOpenVINO, ModelCache, type Core, type OpenVINO } from '../../lib/index';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

describe('history and a cache folder removed meanwhile', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  let dir: string;
  let mlp: string;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
  });
  beforeEach(() => {
    tmp = makeTempDir('ovcache-history-no-folder-');
    dir = path.join(tmp, 'cache');
    mlp = writeMlp(path.join(tmp, 'models')).xml;
    core = ov.createCore();
  });
  afterEach(() => {
    core.dispose();
    removeDir(tmp);
  });

  it('dispose() after the folder was removed writes nothing and never creates the folder', async () => {
    const cache = new ModelCache({ core, dir });
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
    assert.ok(fs.existsSync(dir), 'the compile made the folder');
    fs.rmSync(dir, { recursive: true, force: true });
    await cache.dispose();
    assert.equal(fs.existsSync(dir), false, 'the history did not make the folder again');
  });

  it('an attached recorder flushed after the folder was removed never creates it', async () => {
    const cache = new ModelCache({ core, dir, history: false });
    const history = attachHistory(cache);
    (await cache.compile(mlp, { device: 'CPU' })).compiled.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    await history.flush();
    await history.close();
    await cache.dispose();
    assert.equal(fs.existsSync(dir), false);
  });

  it('a process that exits after its folder was removed never creates it', () => {
    const lib = JSON.stringify(path.join(ROOT, 'dist', 'lib', 'index.js'));
    const script = `
      const fs = require('node:fs');
      const { loadOpenVINO, ModelCache } = require(${lib});
      (async () => {
        const ov = await loadOpenVINO({ libraryPath: ${JSON.stringify(STAND_IN)} });
        const cache = new ModelCache({ core: ov.createCore(), dir: ${JSON.stringify(dir)} });
        (await cache.compile(${JSON.stringify(mlp)}, { device: 'CPU' })).compiled.dispose();
        fs.rmSync(${JSON.stringify(dir)}, { recursive: true, force: true });
      })();`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, OVCACHE_NO_HISTORY: '' } });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(fs.existsSync(dir), false);
  });
});
