// results.md: eviction "takes entries from its head and never scans the store"; expired entries
// are swept "a few per write". Counted, not timed: every row a write reads from the store's
// indexes (lru, expiry) and every entry record it looks up, in a store of 20 entries and in one
// of 2,000. The counts are the same and small: a write's cost does not grow with the store.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Database } from 'lmdb';
import { LocalStore } from '../../lib/results/local-store';
import type { EntryFacts } from '../../lib/results/value';
import { makeTempDir, removeDir } from '../helpers/paths';

const FRAME = Buffer.alloc(64, 1);
const facts = (expiresAt: number | null): EntryFacts => ({ model: 'm', createdAt: 0, expiresAt, computeMs: 1, files: [], parts: null });

interface Reads {
  rows: number;
  records: number;
}

/** Counts the rows the store's index ranges yield and its entry-record look-ups, until stopped. */
function countReads(store: LocalStore): { reads: Reads; stop: () => void } {
  const reads: Reads = { rows: 0, records: 0 };
  const dbs = store as unknown as { lru: Database; expiry: Database; entries: Database };
  const undo: Array<() => void> = [];
  for (const db of [dbs.lru, dbs.expiry]) {
    const getRange = db.getRange.bind(db);
    db.getRange = ((options?: object) => {
      const range = getRange(options);
      return {
        *[Symbol.iterator]() {
          for (const row of range) {
            reads.rows++;
            yield row;
          }
        },
      };
    }) as unknown as Database['getRange'];
    undo.push(() => delete (db as { getRange?: unknown }).getRange);
  }
  const get = dbs.entries.get.bind(dbs.entries);
  dbs.entries.get = ((key: string) => {
    reads.records++;
    return get(key) as unknown;
  }) as Database['get'];
  undo.push(() => delete (dbs.entries as { get?: unknown }).get);
  return { reads, stop: () => undo.forEach((u) => u()) };
}

describe('the embedded result store: what one write reads', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('ovcache-results-cost-');
  });
  afterEach(() => removeDir(dir));

  /** Fills a store with n entries (expiring at `expiresAt`), then counts what one more write reads. */
  async function oneWriteOver(
    n: number,
    expiresAt: number | null,
    now: number,
  ): Promise<{ reads: Reads; evicted: number; expired: number }> {
    const store = new LocalStore(path.join(dir, `store-${n}-${expiresAt ?? 'never'}`));
    try {
      const limits = { maxEntries: n, maxBytes: 0 };
      for (let i = 0; i < n; i++) await store.put(`k${i}`, FRAME, facts(expiresAt), limits, 1000);
      const counting = countReads(store);
      const result = await store.put('new', FRAME, facts(null), limits, now);
      counting.stop();
      assert.equal(result.stored, true);
      return { reads: counting.reads, evicted: result.evicted.count.count, expired: result.evicted.ttl.count };
    } finally {
      await store.close();
    }
  }

  it('evicting the least recently used entry reads the same few rows in a store of 20 entries and of 2,000', async () => {
    const small = await oneWriteOver(20, null, 2000);
    const large = await oneWriteOver(2000, null, 2000);
    assert.equal(small.evicted, 1);
    assert.equal(large.evicted, 1);
    assert.ok(large.reads.rows > 0 && large.reads.records > 0, 'the counters see the reads');
    assert.deepEqual(large.reads, small.reads);
    assert.ok(large.reads.rows <= 4 && large.reads.records <= 6, JSON.stringify(large.reads));
  });

  it('sweeping expired entries reads at most a few rows per write, however many have expired', async () => {
    const small = await oneWriteOver(20, 1500, 2000);
    const large = await oneWriteOver(2000, 1500, 2000);
    assert.equal(small.expired, 16, 'a few per write');
    assert.equal(large.expired, 16);
    assert.deepEqual(large.reads, small.reads);
    assert.ok(large.reads.rows <= 16 + 4, JSON.stringify(large.reads));
  });
});
