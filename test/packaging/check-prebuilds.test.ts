import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeDir, ROOT } from '../helpers/paths';

const SCRIPT = path.join(ROOT, 'scripts', 'check-prebuilds.js');

describe('scripts/check-prebuilds.js (the release gate)', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
  });
  afterEach(() => removeDir(root));

  const run = (...targets: string[]) => spawnSync(process.execPath, [SCRIPT, ...targets, '--root', root], { encoding: 'utf8' });
  const place = (target: string, file: string) => {
    fs.mkdirSync(path.join(root, 'prebuilds', target), { recursive: true });
    fs.writeFileSync(path.join(root, 'prebuilds', target, file), 'x');
  };

  it('refuses when any target is missing and names it', () => {
    place('linux-x64', 'ovcache.napi.node');
    const r = run('linux-x64', 'win32-x64');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /missing prebuilds for: win32-x64 - refusing to publish/);
  });

  it('refuses a folder without a Node-API addon in it', () => {
    place('darwin-arm64', 'README.txt');
    assert.equal(run('darwin-arm64').status, 1);
  });

  it('refuses an addon built for one Node ABI only', () => {
    place('linux-x64', 'ovcache.abi115.node');
    assert.equal(run('linux-x64').status, 1);
  });

  it('accepts the name prebuildify 6 gives a Node-API build', () => {
    place('linux-x64', 'ovcache.node');
    const r = run('linux-x64');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /prebuild linux-x64: ovcache\.node/);
  });

  it('passes when every target has one', () => {
    for (const t of ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64']) place(t, 'ovcache.napi.node');
    const r = run('linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /all 5 prebuilds present/);
  });
});
