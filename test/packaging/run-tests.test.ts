// `npm test` runs two mocha runs (scripts/run-tests.js): every file in parallel but the serial
// ones, then the serial ones alone. Together they must cover exactly .mocharc.json's files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../helpers/paths';

interface RunTests {
  serialSpecs(): string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runTests = require(path.join(ROOT, 'scripts', 'run-tests.js')) as RunTests;

describe('npm test: a parallel run and a serial run', function () {
  it('npm test and the CI runs under other Node lines run scripts/run-tests.js', function () {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(scripts.test, 'node scripts/run-tests.js');
    assert.match(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /"\$node_bin" scripts\/run-tests\.js/);
  });

  it('every serial file is a compiled test file that .mocharc.json runs, so none is lost or run twice', function () {
    const serial = runTests.serialSpecs();
    assert.ok(serial.length > 0);
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, '.mocharc.json'), 'utf8')) as { spec: string[] };
    assert.deepEqual(config.spec, ['dist/test/**/*.test.js'], 'the parallel run ignores the serial files from this one glob');
    for (const file of serial) {
      assert.match(file, /^dist\/test\/(?!real-openvino\/)[\w/-]+\.test\.js$/, `${file}: one test file, no glob`);
      assert.ok(fs.existsSync(path.join(ROOT, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), `${file} has no source`);
    }
  });
});
