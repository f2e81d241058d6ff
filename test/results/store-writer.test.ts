// The embedded store's writes run in a writer thread (lib/results/store-writer.ts): a writer that
// dies fails writes with a coded error and nothing else; a process that never closes its cache
// still ends by itself, and a write it did not wait for is still made before it ends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ResultCache } from '../../lib/index';
import { LocalStore } from '../../lib/results/local-store';
import type { EntryFacts } from '../../lib/results/value';
import { expectCode } from '../cache/helpers';
import { ROOT, makeTempDir, removeDir } from '../helpers/paths';
import { isValueFor, partsFor } from './result-child';

describe('the result store writer thread', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('ovcache-store-writer-');
  });
  afterEach(() => removeDir(dir));

  it('a writer thread that ends between writes: later writes fail with OVCACHE_RESULT_STORE_FAILED, reads go on', async () => {
    const store = new LocalStore(path.join(dir, 'results'), { writes: 'worker' });
    const frame = Buffer.from('a value');
    const facts: EntryFacts = { model: 'm', createdAt: 1, expiresAt: null, computeMs: 1, files: [], parts: null };
    const put = await store.put('k1', frame, facts, { maxEntries: 10, maxBytes: 0 });
    assert.equal(put.stored, true);
    assert.deepEqual(store.read('k1')?.frame, frame, 'a write by the thread is read on this one');
    const worker = (store as unknown as { writer: { worker: Worker } }).writer.worker;
    await worker.terminate();
    await expectCode(store.put('k2', frame, facts, { maxEntries: 10, maxBytes: 0 }), 'OVCACHE_RESULT_STORE_FAILED', /writer is gone/);
    assert.deepEqual(store.read('k1')?.frame, frame);
    await store.close();
  });

  it('close(): a write asked once closing began is refused with a coded error (never left pending); a second close() waits for the first', async () => {
    const store = new LocalStore(path.join(dir, 'results'), { writes: 'worker' });
    const facts: EntryFacts = { model: 'm', createdAt: 1, expiresAt: null, computeMs: 1, files: [], parts: null };
    const before = store.put('k1', Buffer.from('one'), facts, { maxEntries: 10, maxBytes: 0 });
    const closing = [store.close(), store.close()];
    await expectCode(store.put('k2', Buffer.from('two'), facts, { maxEntries: 10, maxBytes: 0 }), 'OVCACHE_RESULT_STORE_FAILED', /closing/);
    assert.equal((await before).stored, true, 'a write asked before close() is made');
    await Promise.all(closing);
    const reopened = new LocalStore(path.join(dir, 'results'));
    try {
      assert.deepEqual(
        reopened.list().map((e) => e.key),
        ['k1'],
      );
    } finally {
      await reopened.close();
    }
  });

  it('a process that never closes its cache ends by itself, with the write it did not wait for made', async () => {
    const results = path.join(dir, 'results');
    const script = `
      const { ResultCache } = require('./dist/lib/index.js');
      const { partsFor, valueFor } = require('./dist/test/results/result-child.js');
      const cache = new ResultCache({ dir: ${JSON.stringify(results)} });
      void cache.set(cache.keyFor(partsFor(7)), valueFor(7));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.error, undefined, 'the process ended by itself (no writer thread kept it alive)');
    assert.equal(r.status, 0, r.stderr);
    const cache = new ResultCache({ dir: results });
    try {
      assert.ok(isValueFor(await cache.get(cache.keyFor(partsFor(7))), 7), 'the write was made before the process ended');
    } finally {
      await cache.close();
    }
  });
});
