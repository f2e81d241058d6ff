// `ovcache dashboard --open`: the browser opener is found through absolute PATH entries only and
// runs in the filesystem root, so an `xdg-open` in the caller's working folder is never run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

/** An executable that records the folder it ran in. */
function fakeOpener(dir: string, marker: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'xdg-open'), `#!/bin/sh\npwd > ${JSON.stringify(marker)}\n`, { mode: 0o755 });
}

/** Runs `ovcache dashboard --open` until `done(output)` holds (or 30 s), then stops it. */
async function dashboardOpen(cwd: string, PATH: string, dir: string, done: (out: string) => boolean): Promise<string> {
  const child = spawn(process.execPath, [CLI, 'dashboard', '--open', '--port', '0', '--dir', dir, '--library', STAND_IN], {
    cwd,
    env: { PATH, HOME: process.env.HOME ?? '/' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!done(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const exited = new Promise((r) => child.once('exit', r));
  if (child.exitCode === null) child.kill('SIGINT');
  await exited;
  return out;
}

describe('dashboard --open: the browser opener', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir('ovcache-open-browser-')));
  afterEach(() => removeDir(tmp));

  before(function () {
    if (process.platform !== 'linux') this.skip(); // xdg-open is the Linux opener
  });

  it('never runs an xdg-open from the working folder reached through a relative PATH entry', async () => {
    const hostile = path.join(tmp, 'hostile');
    const marker = path.join(tmp, 'ran');
    fakeOpener(hostile, marker);
    // No real opener on the absolute entries, whatever the machine has in /usr/bin.
    const empty = path.join(tmp, 'empty-bin');
    fs.mkdirSync(empty);
    const out = await dashboardOpen(
      hostile,
      `.::${empty}`,
      path.join(tmp, 'cache'),
      (o) => o.includes('Could not open a browser') || fs.existsSync(marker),
    );
    assert.equal(fs.existsSync(marker), false, 'the xdg-open in the working folder ran');
    assert.match(out, /Could not open a browser \(xdg-open is not on PATH\)/);
  });

  it('runs the xdg-open found on an absolute PATH entry, in the filesystem root', async () => {
    const bin = path.join(tmp, 'bin');
    const marker = path.join(tmp, 'ran');
    fakeOpener(bin, marker);
    await dashboardOpen(tmp, bin, path.join(tmp, 'cache'), () => fs.existsSync(marker) && fs.statSync(marker).size > 0);
    assert.equal(fs.readFileSync(marker, 'utf8').trim(), '/');
  });
});
