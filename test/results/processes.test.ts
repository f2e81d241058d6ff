// The embedded store shared by several processes, and killed in the middle of writes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { ResultCache } from '../../lib/index';
import { LocalStore } from '../../lib/results/local-store';
import { makeTempDir, removeDir } from '../helpers/paths';
import { killed, range, runShare, startWriter } from './children';
import { isValueFor, partsFor } from './result-child';

describe('the embedded result store across processes', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('ovcache-results-proc-');
  });
  afterEach(() => removeDir(dir));

  it('two processes share results: what one computed, the other gets as hits', async () => {
    const store = path.join(dir, 'results');
    const first = await runShare({ dir: store, keys: range(0, 20) });
    assert.deepEqual(first.computed, range(0, 20));
    const second = await runShare({ dir: store, keys: range(0, 30) });
    assert.deepEqual(second.hits, range(0, 20));
    assert.deepEqual(second.computed, range(20, 30));
    assert.deepEqual([...first.wrong, ...second.wrong], []);
  });

  it('two processes writing at once: every value read back is the right one', async () => {
    const store = path.join(dir, 'results');
    const [a, b] = await Promise.all([
      runShare({ dir: store, keys: range(0, 60), computeMs: 1 }),
      runShare({ dir: store, keys: range(0, 60).reverse(), computeMs: 1 }),
    ]);
    assert.deepEqual([...a.wrong, ...b.wrong], []);
    const third = await runShare({ dir: store, keys: range(0, 60) });
    assert.deepEqual(third.hits, range(0, 60));
    assert.deepEqual(third.wrong, []);
  });

  it('SIGKILL during writes: the store opens, its indexes agree, and no torn value is ever returned', async () => {
    const store = path.join(dir, 'results');
    for (let round = 0; round < 3; round++) {
      // Two writers at once: small values (inside the database) and large ones (blob files).
      const writers = await Promise.all([startWriter({ dir: store, size: 1000 }), startWriter({ dir: store, size: 150_000 })]);
      await new Promise((resolve) => setTimeout(resolve, 400 + round * 150));
      await Promise.all(writers.map(killed));
    }
    const cache = new ResultCache({ dir: store, maxEntries: 200 });
    let found = 0;
    for (let i = 0; i < 500; i++) {
      const value = await cache.get(cache.keyFor(partsFor(i)));
      if (value === undefined) continue;
      found++;
      assert.ok(isValueFor(value, i), `request ${i} answered with another request's or a torn value`);
    }
    assert.ok(found > 0, 'the writers stored something before they were killed');
    await cache.flush();
    await cache.close();
    const raw = new LocalStore(store);
    try {
      const listed = raw.list();
      const counters = raw.counters();
      assert.equal(counters.count, listed.length, 'the entry counter agrees with the LRU index');
      assert.equal(
        counters.bytes,
        listed.reduce((n, e) => n + e.bytes, 0),
        'the byte counter agrees with the entries',
      );
      assert.ok(listed.length <= 200);
    } finally {
      await raw.close();
    }
  });
});
