// The CLI's eviction (prune, clear) against a lock-free load in a running service: the stand-in
// sleeps just before it opens the entry's blob (OV_STUB_BLOB_OPEN_DELAY_MS), the window in which
// pulling the blob away would make OpenVINO compile the model again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeMlp } from '../../scripts/make-fixtures';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';
import { runChild } from './child';
import { readStubLog } from './helpers';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const DELAY_MS = 6000;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; endedAt: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, endedAt: Date.now() }));
  });
}

async function waitForLoadMarker(entryDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.readdirSync(entryDir).some((n) => n.startsWith('.ovcache-loading.'))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no load marker appeared in ${entryDir}`);
}

describe('eviction during a lock-free load in another process', function () {
  this.timeout(120_000);
  let tmp: string;

  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => removeDir(tmp));

  it('ovcache prune --max-size 1 and ovcache clear --yes leave the entry being loaded: a hit, one compile', async () => {
    const dir = path.join(tmp, 'cache');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const model = writeMlp(models).xml;
    const stubLog = path.join(tmp, 'stub.log');
    const job = { mode: 'compile', dir, model, device: 'CPU' };
    const cold = await runChild(job, { OV_STUB_LOG: stubLog });
    assert.equal(cold.hit, false);
    const entryDir = cold.entryDir as string;

    const service = runChild(job, { OV_STUB_LOG: stubLog, OV_STUB_BLOB_OPEN_DELAY_MS: String(DELAY_MS) });
    await waitForLoadMarker(entryDir, 30_000);
    const [prune, clear] = await Promise.all([
      cli(['prune', '--max-size', '1', '--dir', dir, '--json']),
      cli(['clear', '--yes', '--dir', dir, '--json']),
    ]);
    const warm = await service;

    // The evictors must have run inside the load's window, else the test proves nothing.
    // (The stand-in logs nothing for the service before the delay is over.)
    const afterDelay = readStubLog(stubLog).find((e) => e.pid === warm.pid);
    assert.ok(afterDelay, 'the stand-in logged the service');
    assert.ok(
      Math.max(prune.endedAt, clear.endedAt) < (afterDelay.time as number),
      `prune and clear ended after the blob was opened: raise DELAY_MS (${DELAY_MS}) for this machine`,
    );
    assert.equal(warm.hit, true, 'the load is a hit');
    const compiles = readStubLog(stubLog).filter((e) => e.event === 'compile');
    assert.equal(compiles.length, 1, 'nothing is compiled twice');
    assert.equal(warm.entryDir, entryDir);

    const pruned = JSON.parse(prune.stdout) as { removed: unknown[]; skipped: Array<{ message: string }> };
    const cleared = JSON.parse(clear.stdout) as { removed: unknown[]; skipped: Array<{ message: string }> };
    assert.deepEqual(pruned.removed, [], prune.stderr);
    assert.deepEqual(cleared.removed, [], clear.stderr);
    for (const report of [pruned, cleared]) {
      assert.equal(report.skipped.length, 1);
      assert.match(report.skipped[0]!.message, /locked by another process|being loaded by process/);
    }
    // What was spared is intact: a third process loads it.
    const again = await runChild(job, { OV_STUB_LOG: stubLog });
    assert.equal(again.hit, true);
  });
});
