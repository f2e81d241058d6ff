// `ovcache results ls|stats` speak as `ovcache ls` does: a model cache entry key is named by its
// model, and counts read "1 entry" / "2 entries".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, ModelCache, ResultCache } from '../../lib/index';
import { fixture, makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });

describe('ovcache results ls names models as ls does', function () {
  this.timeout(60_000);
  let root: string;
  let modelKey: string;
  before(async () => {
    root = makeTempDir('ovcache-results-ls-');
    fs.copyFileSync(fixture('mlp.xml'), path.join(root, 'mlp.xml'));
    fs.copyFileSync(fixture('mlp.bin'), path.join(root, 'mlp.bin'));
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    const models = new ModelCache({ runtime: ov, dir: root });
    const { compiled, key } = await models.compile(path.join(root, 'mlp.xml'), { device: 'CPU' });
    compiled.dispose();
    await models.dispose();
    assert.ok(key);
    modelKey = key;
    const results = new ResultCache({ dir: path.join(root, 'results') });
    await results.set(results.keyFor({ model: modelKey, params: { seed: 1 } }), { meta: { seed: 1 } });
    await results.close();
  });
  after(() => removeDir(root));

  it('results ls shows the model name, not its 64-character key, and says "1 entry"', () => {
    const r = run('results', 'ls', '--dir', root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^mlp\s/m);
    assert.ok(!r.stdout.includes(modelKey), r.stdout);
    assert.match(r.stdout, /^1 entry, /m);
    const ls = run('ls', '--dir', root);
    assert.match(ls.stdout, /\bmlp\b/);
  });

  it('results stats says there is no hit rate before the first lookup, not 0.0%', () => {
    const empty = makeTempDir('ovcache-results-empty-');
    try {
      const r = run('results', 'stats', '--dir', empty);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /hit rate -, no lookups yet/);
      assert.ok(!r.stdout.includes('0.0%'), r.stdout);
    } finally {
      removeDir(empty);
    }
  });

  it('results stats names the model in its by-model table', () => {
    const r = run('results', 'stats', '--dir', root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^mlp\s+1\s/m);
    assert.ok(!r.stdout.includes(modelKey), r.stdout);
  });

  it('results ls shows a key of no entry in this cache short, marked "?"', () => {
    const other = makeTempDir('ovcache-results-ls-other-');
    try {
      fs.cpSync(path.join(root, 'results'), path.join(other, 'results'), { recursive: true });
      const r = run('results', 'ls', '--dir', other);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^\\? ${modelKey.slice(0, 12)}\\s`, 'm'));
      assert.ok(!r.stdout.includes(modelKey), r.stdout);
    } finally {
      removeDir(other);
    }
  });
});
