// The CLI's shared language: --version, and usage errors that name the one wrong thing and
// where to look (exit 2), never the whole help.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('ovcache usage', () => {
  it('--version and -V print the package version and exit 0', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = run(flag);
      assert.equal(r.status, 0);
      assert.equal(r.stdout.trim(), version);
    }
  });

  for (const [args, wrong, hint] of [
    [['nope'], "unknown command 'nope'", 'ovcache --help'],
    [['ls', '--bogus'], "unknown option '--bogus'", 'ovcache ls --help'],
    [['prune', '--max-size', 'lots'], 'Expected a size such as 20GB', 'ovcache prune --help'],
    [['results', 'stats', '--zz'], "unknown option '--zz'", 'ovcache results stats --help'],
  ] as const) {
    it(`a usage error (${args.join(' ')}) prints the wrong thing and where to look in a few lines, exit 2`, () => {
      const r = run(...args);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.includes(wrong), r.stderr);
      assert.ok(r.stderr.includes(hint), r.stderr);
      assert.ok(r.stderr.trim().split('\n').length <= 3, `no whole help:\n${r.stderr}`);
    });
  }
});
