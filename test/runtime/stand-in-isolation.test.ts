// README: the stand-in is "never shipped, never loaded unless a test names it". The package's
// file list holds none of it, and the finder, run from this clone with the machine's own
// defaults and no OpenVINO variable, never looks at it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findRuntimeLibrary, type FinderResult } from '../../lib/runtime/finder';
import { RuntimeNotFoundError } from '../../lib/runtime/finder-report';
import type { Probe } from '../../lib/runtime/probe';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const NOT_SHIPPED = /^(test|test-runtime|out|build|bench|dist\/test)\//;

describe('the stand-in stays test infrastructure', function () {
  this.timeout(120_000);

  it('the npm package lists none of the stand-in, its tests or its builds', () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    assert.ok(files.includes('dist/lib/index.js'), `the list is the package's: ${files.slice(0, 5).join(', ')}`);
    assert.deepEqual(
      files.filter((f) => NOT_SHIPPED.test(f)),
      [],
    );
  });

  it('the finder, from this clone with no OpenVINO variable set, never probes the stand-in', () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'out', 'test-runtime')), 'the stand-in is built here, so a look at it would show');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const cwd = process.cwd();
    let probes: Probe[];
    let found: FinderResult | undefined;
    process.chdir(ROOT);
    try {
      found = findRuntimeLibrary({ env });
      probes = found.probes;
    } catch (error) {
      assert.ok(error instanceof RuntimeNotFoundError, String(error));
      probes = error.probes;
    } finally {
      process.chdir(cwd);
    }
    assert.ok(probes.length > 0, 'the finder looked somewhere');
    assert.deepEqual(
      probes.filter((p) => p.path.includes('test-runtime')),
      [],
    );
    if (found) assert.ok(!found.libraryPath.includes('test-runtime'), found.libraryPath);
  });
});
