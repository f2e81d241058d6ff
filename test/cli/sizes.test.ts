// A size the user gives is echoed in the units it was given in: `--max-size 100MB` reads back as
// "100 MB", not "95.4 MiB"; IEC input (or plain bytes) stays IEC.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { formatBytes, sizeUnitsOf } from '../../lib/format/units';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, OPENVINO_LIB_PATH: STAND_IN } });

describe('ovcache sizes in the units given', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = makeTempDir('ovcache-sizes-');
  });
  after(() => removeDir(dir));

  it('reads the units a size was written in', () => {
    assert.deepEqual(['100MB', '1.5g', '20 GB', '512 MiB', '4096', '1tib'].map(sizeUnitsOf), ['si', 'si', 'si', 'iec', 'iec', 'iec']);
    assert.equal(formatBytes(100e6, 'si'), '100 MB');
    assert.equal(formatBytes(20e9, 'si'), '20.0 GB');
    assert.equal(formatBytes(100 * 2 ** 20), '100 MiB');
  });

  for (const [given, shown] of [
    ['100MB', 'of 100 MB'],
    ['100MiB', 'of 100 MiB'],
    ['20GB', 'of 20.0 GB'],
  ] as const) {
    it(`du --max-size ${given} shows the budget as "${shown}"`, () => {
      const r = run('du', '--dir', dir, '--max-size', given);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Budget .*${shown} \\(`, 'm'));
    });
  }

  it('doctor --max-size 100MB shows the budget as "100 MB"', () => {
    const r = run('doctor', '--dir', dir, '--max-size', '100MB');
    assert.match(r.stdout, /budget: 100 MB \(/);
  });
});
