// The ModelCache scenarios (in-process, across processes, the disk budget, the switch, dynamic
// shapes) again, through fromOpenvinoNode over the openvino-node double: the same test files in
// a mocha child with OVCACHE_TEST_RUNTIME=openvino-node-double (test/helpers/runtimes.ts),
// which the files and their child processes read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, STAND_IN } from '../helpers/paths';
import { runChild } from '../cache/child';
import { makeTempDir, removeDir } from '../helpers/paths';
import { writeMlp } from '../../scripts/make-fixtures';

const SCENARIOS = ['cache/model-cache.test.js', 'cache/processes.test.js', 'cache/budget-cache.test.js', 'cache/dynamic-shapes.test.js'];
const ENV = { OVCACHE_TEST_RUNTIME: 'openvino-node-double' };

describe('ModelCache scenarios through fromOpenvinoNode over the openvino-node double', function () {
  this.timeout(300_000);

  it('a child process of the scenarios really compiles through the adapter', async () => {
    const tmp = makeTempDir();
    try {
      const job = { mode: 'compile', libraryPath: STAND_IN, dir: path.join(tmp, 'cache'), model: writeMlp(tmp).xml };
      const [theirs, ours] = await Promise.all([runChild(job, ENV), runChild(job, { OVCACHE_TEST_RUNTIME: 'ovcache' })]);
      assert.equal(theirs.coreClass, 'OpenvinoNodeCoreAdapter');
      assert.equal(ours.coreClass, 'Core');
      assert.equal(theirs.key, ours.key, "both runtimes key the same compile alike (the IR's element types, the same build)");
    } finally {
      removeDir(tmp);
    }
  });

  it(`pass: ${SCENARIOS.join(', ')}`, () => {
    const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
    const files = SCENARIOS.map((f) => path.join(ROOT, 'dist', 'test', f));
    const run = spawnSync(process.execPath, [mocha, '--no-config', '--timeout', '120000', '--reporter', 'dot', ...files], {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
      encoding: 'utf8',
    });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 0, output);
    const passing = Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
    assert.ok(passing >= 60, `expected the scenarios to run, saw ${passing} passing:\n${output}`);
    assert.doesNotMatch(output, /\d+ (failing|pending)/, output);
  });
});
