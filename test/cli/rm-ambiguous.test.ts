// `ovcache rm <prefix>` with a key prefix that matches several entries is refused as a usage
// error (docs/cli.md: "A prefix that matches several entries is refused (exit 2)"), and
// removes nothing; one more digit names one entry.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const rm = (dir: string, target: string) =>
  spawnSync(process.execPath, [CLI, 'rm', target, '--dir', dir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('ovcache rm with an ambiguous key prefix', () => {
  let dir: string;
  const names = ['mlp-1x16-CPU-abcd11111111', 'image-1x3x32x32-CPU-abcd22222222'];
  beforeEach(() => {
    dir = makeTempDir();
    for (const name of names) {
      fs.mkdirSync(path.join(dir, 'entries', name), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(dir, 'entries', name, 'blob.bin'), 'x');
    }
  });
  afterEach(() => removeDir(dir));

  it('refuses a prefix of two entries (exit 2) and removes nothing; a longer prefix removes one', () => {
    const ambiguous = rm(dir, 'abcd');
    assert.equal(ambiguous.status, 2, ambiguous.stderr);
    assert.match(ambiguous.stderr, /Key prefix abcd matches 2 entries/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'entries')).sort(), [...names].sort());
    const one = rm(dir, 'abcd1');
    assert.equal(one.status, 0, one.stderr);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'entries')), [names[1]]);
  });
});
