// The finder's python step runs interpreters isolated: nothing in the caller's working folder,
// on PYTHONPATH or PYTHONSTARTUP, or on a relative PATH entry is ever executed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findCommand } from '../../lib/process/find-command';
import { pythonSitePackages, withoutPythonVariables } from '../../lib/runtime/python-site';
import { makeTempDir, removeDir } from '../helpers/paths';

const FINDER = path.resolve(__dirname, '..', '..', 'lib', 'runtime', 'finder.js');
const HAS_PYTHON = findCommand('python3') !== undefined || findCommand('python') !== undefined;

/** A python file that, when imported or run, writes a marker file named after itself. */
function trap(dir: string, name: string, markers: string): void {
  const marker = path.join(markers, `${name}.ran`);
  fs.writeFileSync(path.join(dir, name), `open(${JSON.stringify(marker)}, 'w').close()\n`);
}

/**
 * Runs findRuntimeLibrary in a child process whose working folder is `cwd`, with every step
 * before python empty; returns the error code it ended with.
 */
function runFinder(cwd: string, env: NodeJS.ProcessEnv): string {
  const script = [
    `const { findRuntimeLibrary } = require(${JSON.stringify(FINDER)});`,
    'try { findRuntimeLibrary({ systemLibDirs: [], defaultInstallRoots: [] }); console.log("found"); }',
    'catch (e) { console.log(e.code); }',
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], { cwd, env, encoding: 'utf8', timeout: 60000 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

describe('runtime finder: python run isolated', function () {
  this.timeout(60000);
  let tmp: string;
  let hostile: string;
  let markers: string;

  beforeEach(() => {
    tmp = makeTempDir('ovcache-python-site-');
    hostile = path.join(tmp, 'hostile');
    markers = path.join(tmp, 'markers');
    fs.mkdirSync(hostile);
    fs.mkdirSync(markers);
    for (const name of ['json.py', 'site.py', 'sitecustomize.py', 'usercustomize.py', 'startup.py']) trap(hostile, name, markers);
  });
  afterEach(() => removeDir(tmp));

  const ran = (): string[] => fs.readdirSync(markers);
  const plainEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' });

  it('runs no json.py, site.py or sitecustomize.py from the working folder', function () {
    if (!HAS_PYTHON) this.skip(); // nothing to run: the step is a no-op
    assert.equal(runFinder(hostile, plainEnv()), 'OVCACHE_RUNTIME_NOT_FOUND');
    assert.deepEqual(ran(), []);
  });

  it('runs nothing from PYTHONPATH, PYTHONSTARTUP or PYTHONHOME', function () {
    if (!HAS_PYTHON) this.skip();
    const env = { ...plainEnv(), PYTHONPATH: hostile, PYTHONSTARTUP: path.join(hostile, 'startup.py'), PYTHONINSPECT: '1' };
    assert.equal(runFinder(tmp, env), 'OVCACHE_RUNTIME_NOT_FOUND');
    assert.deepEqual(ran(), []);
  });

  it('runs no python3 reached through a relative PATH entry (".", empty)', function () {
    if (process.platform === 'win32') this.skip(); // the fakes are shell scripts
    const fake = path.join(hostile, 'python3');
    fs.writeFileSync(fake, `#!/bin/sh\ntouch ${JSON.stringify(path.join(markers, 'python3.ran'))}\n`, { mode: 0o755 });
    fs.copyFileSync(fake, path.join(hostile, 'python'));
    for (const PATH of ['.', `:${process.env.PATH ?? ''}`, `.:${process.env.PATH ?? ''}`, 'hostile']) {
      runFinder(PATH === 'hostile' ? tmp : hostile, { PATH });
    }
    assert.deepEqual(ran(), []);
  });

  it('still answers: the site-packages of the python on PATH', function () {
    if (!HAS_PYTHON) this.skip();
    const dirs = pythonSitePackages(process.platform, { ...process.env, PYTHONPATH: hostile });
    assert.ok(dirs.length > 0, 'python answered nothing');
    assert.ok(
      dirs.every((d) => path.isAbsolute(d) && /(site|dist)-packages/.test(d)),
      JSON.stringify(dirs),
    );
    assert.deepEqual(ran(), []);
  });

  it('drops every PYTHON* variable, whatever its case, and keeps the others', () => {
    assert.deepEqual(withoutPythonVariables({ PYTHONPATH: 'a', PythonHome: 'b', PYTHONSTARTUP: 'c', PATH: '/bin', HOME: '/h' }), {
      PATH: '/bin',
      HOME: '/h',
    });
  });
});

describe('findCommand', () => {
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir('ovcache-find-command-')));
  afterEach(() => removeDir(tmp));

  it('takes the first executable file on absolute PATH entries and skips relative ones', () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, 'tool'), '', { mode: 0o644 }); // not executable
    fs.writeFileSync(path.join(b, 'tool'), '', { mode: 0o755 });
    assert.equal(findCommand('tool', { PATH: `.::a:${a}:${b}` }, 'linux'), path.join(b, 'tool'));
    assert.equal(findCommand('tool', { PATH: '.:a:' }, 'linux'), undefined);
    assert.equal(findCommand('tool', {}, 'linux'), undefined);
  });
});
