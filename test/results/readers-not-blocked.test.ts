// results.md: "one writer at a time under a robust mutex, readers never blocked". Another
// process holds the store's write transaction open until this one says so: a get() still
// answers, while a set() waits for the lock.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ResultCache } from '../../lib/index';
import { makeTempDir, removeDir } from '../helpers/paths';
import { isValueFor, partsFor, valueFor } from './result-child';

const HOLDER = path.join(__dirname, 'write-holder-child.js');

async function until(file: string, what: string): Promise<void> {
  for (let i = 0; i < 3000 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fs.existsSync(file), `${what} (waited 30 s)`);
}

describe('the embedded result store while another process writes', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('ovcache-results-readers-');
  });
  afterEach(() => removeDir(dir));

  it('a read answers while another process holds the write transaction; a write waits for it', async () => {
    const store = path.join(dir, 'results');
    const cache = new ResultCache({ dir: store });
    const key = cache.keyFor(partsFor(1));
    await cache.set(key, valueFor(1));
    await cache.flush();

    let stderr = '';
    const holder = spawn(process.execPath, [HOLDER, store], { stdio: ['ignore', 'ignore', 'pipe'] });
    holder.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => holder.once('exit', resolve));
    try {
      await until(path.join(store, 'holding'), `the holder never took the write lock: ${stderr}`);
      let written = false;
      const write = cache.set(cache.keyFor(partsFor(2)), valueFor(2)).then(() => (written = true));

      const read = await cache.get(key);
      assert.ok(isValueFor(read, 1), 'the read answered with the stored value');
      // The holder lets go only after release is written (below): the read did not wait for it.
      assert.equal(fs.existsSync(path.join(store, 'released')), false, 'the read returned while the write lock was held');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(written, false, 'the control: a write cannot commit while the other process holds the lock');

      fs.writeFileSync(path.join(store, 'release'), '');
      assert.equal(await exited, 0, `holder failed: ${stderr}`);
      await write;
      assert.ok(isValueFor(await cache.get(cache.keyFor(partsFor(2))), 2), 'the waiting write committed after the lock was let go');
    } finally {
      fs.writeFileSync(path.join(store, 'release'), '');
      holder.kill('SIGKILL');
      await cache.close();
    }
  });
});
