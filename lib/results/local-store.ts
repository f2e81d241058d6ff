// The embedded store: one LMDB environment (lmdb-js) in the results folder, shared safely by
// every process on the machine (LMDB: one writer at a time under a robust mutex, readers never
// blocked, commits atomic, so a SIGKILL at any point leaves the last committed state).
//
//   entries  key -> EntryRecord (facts, size, last use, hits)
//   data     key -> frame bytes, for frames up to INLINE_MAX
//   blobs    digest -> number of entries that reference the blob file
//   lru      [seq, key] -> null   access order: the head is the least recently used
//   expiry   [expiresAt, key] -> null
//   info     counters: count, bytes, seq, hits, misses, ... (store-records.ts says what each counts)
//
// Every change runs inside one synchronous write transaction (on this thread, or in the writer
// thread: store-writer.ts says why), so the indexes, the counters and the entry always agree; a removal is counted under its reason in the transaction that removes it. Eviction takes entries from the head of `lru` and `expiry`: it never scans.
import path from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import { lmdb } from '../deferred-deps';
import { folderModeFor, type SharedMode } from '../cache/cache-dir';
import { OvcacheError } from '../errors';
import {
  blobDigest,
  blobPath,
  readBlobSync,
  removeBlobSync,
  removeOrphanBlobFiles,
  VerifiedBlobs,
  writeBlobSync,
  type BlobCheck,
} from './blob-files';
import { BLOBS_DIR, DATABASE_FILE, openDatabaseFiles, prepareResultsDir } from './results-dir';
import { StoreWriter } from './store-writer';
import {
  addRemoval as add,
  COUNTERS,
  noRemoval as none,
  pickFacts,
  REMOVAL_COUNTER,
  type EntryRecord,
  type Limits,
  type LocalStoreOptions,
  type LookupCounts,
  type PutResult,
  type Removal,
  type RemovalReason,
  type StoreCounters,
  type StoredEntry,
} from './store-records';
import type { EntryFacts } from './value';

export type { EntryRecord, StoreCounters, StoredEntry, PutResult } from './store-records';

/** Frames larger than this go to a blob file beside the database. */
export const INLINE_MAX = 64 * 1024;

/** Expired entries removed per write, from the head of the expiry index (amortized sweep). */
const SWEEP_PER_WRITE = 16;

export class LocalStore {
  readonly dir: string;
  private readonly blobsDir: string;
  private readonly root: RootDatabase;
  private readonly entries: Database<EntryRecord, string>;
  private readonly data: Database<Buffer, string>;
  private readonly blobs: Database<number, string>;
  private readonly lru: Database<null, [number, string]>;
  private readonly expiry: Database<null, [number, string]>;
  private readonly info: Database<number, string>;
  /** Set while a dry run's transaction (rolled back afterwards) runs: touch no files. */
  private dryRun = false;
  private readonly shared: SharedMode;
  private readonly blobCheck: BlobCheck;
  private readonly verified = new VerifiedBlobs();
  /** Set with writes: 'worker': every write method runs there. */
  private readonly writer: StoreWriter | null;

  constructor(dir: string, options: LocalStoreOptions = {}) {
    this.dir = dir;
    this.blobsDir = path.join(dir, BLOBS_DIR);
    this.shared = options.shared ?? 'owner';
    this.blobCheck = options.blobCheck ?? 'per-identity';
    prepareResultsDir(dir, this.shared);
    try {
      this.root = openDatabaseFiles(dir, this.shared, () =>
        lmdb().open({ path: path.join(dir, DATABASE_FILE), maxDbs: 8, noSubdir: true }),
      );
    } catch (error) {
      throw new OvcacheError('OVCACHE_RESULT_STORE_FAILED', `Cannot open the result store in ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.entries = this.root.openDB('entries', { encoding: 'msgpack' });
    this.data = this.root.openDB('data', { encoding: 'binary' });
    this.blobs = this.root.openDB('blobs', { encoding: 'msgpack' });
    this.lru = this.root.openDB('lru', { encoding: 'msgpack' });
    this.expiry = this.root.openDB('expiry', { encoding: 'msgpack' });
    this.info = this.root.openDB('info', { encoding: 'msgpack' });
    this.writer = options.writes === 'worker' ? new StoreWriter(dir, { ...options, writes: 'sync' }) : null;
  }

  /**
   * The entry's record and frame as of now (one read snapshot); undefined when absent or its
   * blob is gone. A blob whose bytes do not hash to its name throws damagedBlob().
   */
  read(key: string): { record: EntryRecord; frame: Buffer } | undefined {
    const record = this.entries.get(key);
    if (!record) return undefined;
    const frame = record.blob === null ? this.data.get(key) : readBlobSync(this.blobsDir, record.blob, this.blobCheck, this.verified);
    return frame ? { record, frame } : undefined;
  }

  record(key: string): EntryRecord | undefined {
    return this.entries.get(key);
  }

  async put(key: string, frame: Buffer, facts: EntryFacts, limits: Limits, now = Date.now()): Promise<PutResult> {
    if (this.writer) return this.written(this.writer.call('put', [key, frame, facts, limits, now]));
    const result: PutResult = { stored: false, evicted: { count: none(), bytes: none(), ttl: none() } };
    if (limits.maxEntries === 0 || (limits.maxBytes > 0 && frame.length > limits.maxBytes)) return result;
    const digest = frame.length > INLINE_MAX ? blobDigest(frame) : null;
    if (digest) this.writeBlob(digest, frame);
    await this.txn(() => {
      this.removeInTxn(key);
      if (digest) {
        // Under the writer lock: a concurrent removal may have unlinked it since we wrote it.
        this.writeBlob(digest, frame);
        this.blobs.putSync(digest, (this.blobs.get(digest) ?? 0) + 1);
      } else {
        this.data.putSync(key, frame);
      }
      const seq = this.bump('seq', 1);
      const record: EntryRecord = { ...pickFacts(facts), bytes: frame.length, seq, lastUsedAt: now, hits: 0, blob: digest };
      this.entries.putSync(key, record);
      this.lru.putSync([seq, key], null);
      if (record.expiresAt !== null) this.expiry.putSync([record.expiresAt, key], null);
      this.bump('count', 1);
      this.bump('bytes', frame.length);
      add(result.evicted.ttl, this.sweepExpiredInTxn(now, SWEEP_PER_WRITE, key));
      add(
        result.evicted.count,
        this.evictInTxn(() => this.counter('count') > limits.maxEntries),
      );
      add(
        result.evicted.bytes,
        this.evictInTxn(() => limits.maxBytes > 0 && this.counter('bytes') > limits.maxBytes),
      );
      result.stored = this.entries.get(key) !== undefined;
      this.bump('evicted', result.evicted.count.count + result.evicted.bytes.count);
      this.bump('expired', result.evicted.ttl.count);
    });
    return result;
  }

  /**
   * One batch of a ResultCache's lookups: the counts are added whatever became of the entries;
   * each hit entry still there gets its hits and moves, in the order given, to the most recently
   * used end (the last one becomes the most recently used).
   */
  async addLookups(hits: ReadonlyMap<string, number>, counts: LookupCounts, now = Date.now()): Promise<void> {
    if (this.writer) return this.written(this.writer.call('addLookups', [hits, counts, now]));
    await this.txn(() => {
      for (const [key, n] of hits) {
        const record = this.entries.get(key);
        if (!record) continue; // removed since the hit: the hit still counts below
        this.lru.removeSync([record.seq, key]);
        const seq = this.bump('seq', 1);
        this.entries.putSync(key, { ...record, seq, lastUsedAt: now, hits: record.hits + n });
        this.lru.putSync([seq, key], null);
      }
      for (const [name, n] of Object.entries(counts)) this.bump(name, n);
    });
  }

  /**
   * Removes the entry and counts it under its reason (once: only the removal that took it);
   * with ifCreatedAt, only if it is still the one that was read (not replaced since).
   */
  async remove(key: string, reason: RemovalReason, ifCreatedAt?: number): Promise<boolean> {
    if (this.writer) return this.written(this.writer.call('remove', [key, reason, ifCreatedAt]));
    return this.txn(() => {
      const record = this.entries.get(key);
      if (!record || (ifCreatedAt !== undefined && record.createdAt !== ifCreatedAt)) return false;
      this.removeInTxn(key);
      const counter = REMOVAL_COUNTER[reason];
      if (counter) this.bump(counter, 1);
      return true;
    });
  }

  /** Removes expired entries, then least recently used ones beyond the limits given. */
  async prune(options: { now?: number; maxEntries?: number; maxBytes?: number; olderThanMs?: number; dryRun?: boolean }): Promise<{
    expired: Removal;
    count: Removal;
    bytes: Removal;
    age: Removal;
    orphanBlobs: number;
  }> {
    if (this.writer) return this.written(this.writer.call('prune', [options]));
    const now = options.now ?? Date.now();
    const out = { expired: none(), count: none(), bytes: none(), age: none(), orphanBlobs: 0 };
    const run = (): void => {
      add(out.expired, this.sweepExpiredInTxn(now, Number.MAX_SAFE_INTEGER));
      if (options.olderThanMs !== undefined) {
        const cutoff = now - options.olderThanMs;
        add(
          out.age,
          this.evictInTxn((head) => head.lastUsedAt < cutoff),
        );
      }
      if (options.maxEntries !== undefined)
        add(
          out.count,
          this.evictInTxn(() => this.counter('count') > (options.maxEntries ?? 0)),
        );
      if (options.maxBytes !== undefined)
        add(
          out.bytes,
          this.evictInTxn(() => this.counter('bytes') > (options.maxBytes ?? 0)),
        );
      this.bump('expired', out.expired.count);
      this.bump('evicted', out.count.count + out.bytes.count + out.age.count);
    };
    if (options.dryRun) {
      // The same walk in a transaction that is rolled back.
      this.root.transactionSync(() => {
        this.dryRun = true;
        try {
          run();
        } finally {
          this.dryRun = false;
        }
        return lmdb().ABORT;
      });
      return out;
    }
    await this.txn(run);
    out.orphanBlobs = removeOrphanBlobFiles(this.blobsDir, (digest) => this.blobs.get(digest) !== undefined);
    return out;
  }

  async clear(): Promise<Removal> {
    if (this.writer) return this.written(this.writer.call('clear', []));
    const removed: Removal = { count: 0, bytes: 0 };
    await this.txn(() =>
      add(
        removed,
        this.evictInTxn(() => true),
      ),
    );
    return removed;
  }

  counters(): StoreCounters {
    const out = {} as StoreCounters;
    for (const name of COUNTERS) out[name] = this.info.get(name) ?? 0;
    return out;
  }

  /** Every entry, least recently used first (a full walk: for the CLI, not the serving path). */
  list(): StoredEntry[] {
    const out: StoredEntry[] = [];
    for (const { key } of this.lru.getRange({})) {
      const record = this.entries.get(key[1]);
      if (record) out.push({ key: key[1], ...record });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.writer?.close();
    await this.root.close();
  }

  /**
   * A write the writer thread made: this thread's read snapshot is renewed, so what it reads next
   * includes it (lmdb-js renews it by itself only after writes of this thread).
   */
  private written<T>(call: Promise<T>): Promise<T> {
    return call.finally(() => this.root.resetReadTxn());
  }

  /** One atomic change: a throw inside rolls back everything the callback did. */
  private txn<T>(action: () => T): Promise<T> {
    return new Promise<T>((resolve) => resolve(this.root.transactionSync(action)));
  }

  private counter(name: string): number {
    return this.info.get(name) ?? 0;
  }

  /** Adds n to a counter inside the current write transaction and returns the new value. */
  private bump(name: string, n: number): number {
    const value = this.counter(name) + n;
    if (n !== 0) this.info.putSync(name, value);
    return value;
  }

  /** Removes an entry inside the current write transaction; returns what it was. */
  private removeInTxn(key: string): EntryRecord | undefined {
    const record = this.entries.get(key);
    if (!record) return undefined;
    this.entries.removeSync(key);
    this.lru.removeSync([record.seq, key]);
    if (record.expiresAt !== null) this.expiry.removeSync([record.expiresAt, key]);
    if (record.blob === null) {
      this.data.removeSync(key);
    } else {
      const refs = (this.blobs.get(record.blob) ?? 1) - 1;
      if (refs > 0) this.blobs.putSync(record.blob, refs);
      else {
        this.blobs.removeSync(record.blob);
        // Unlinked under the writer lock, so no other process is between writing and referencing it.
        if (!this.dryRun) removeBlobSync(this.blobsDir, record.blob);
      }
    }
    this.bump('count', -1);
    this.bump('bytes', -record.bytes);
    return record;
  }

  /** Removes an entry whose blob is damaged, and the blob file: every entry naming it is broken too. */
  async removeDamaged(key: string): Promise<void> {
    if (this.writer) {
      const record = this.entries.get(key);
      await this.written(this.writer.call('removeDamaged', [key]));
      if (record?.blob) this.verified.forget(record.blob);
      return;
    }
    await this.txn(() => {
      const record = this.removeInTxn(key);
      if (record) this.bump('removedDamaged', 1);
      // Under the writer lock: no other process is between writing this name and referencing it.
      if (record?.blob) removeBlobSync(this.blobsDir, record.blob);
      if (record?.blob) this.verified.forget(record.blob);
    });
  }

  /** Removes least recently used entries while `more(head)` says so. */
  private evictInTxn(more: (head: EntryRecord) => boolean): Removal {
    const removed: Removal = { count: 0, bytes: 0 };
    for (;;) {
      const head = [...this.lru.getRange({ limit: 1 })][0];
      if (!head) break;
      const record = this.entries.get(head.key[1]);
      if (!record) {
        this.lru.removeSync(head.key); // an index row without its entry: drop it
        continue;
      }
      if (!more(record)) break;
      this.removeInTxn(head.key[1]);
      removed.count++;
      removed.bytes += record.bytes;
    }
    return removed;
  }

  private sweepExpiredInTxn(now: number, limit: number, keep?: string): Removal {
    const removed: Removal = { count: 0, bytes: 0 };
    const due = [...this.expiry.getRange({ end: [now], limit })];
    for (const { key } of due) {
      if (key[1] === keep) continue;
      const record = this.removeInTxn(key[1]);
      if (!record) this.expiry.removeSync(key);
      else {
        removed.count++;
        removed.bytes += record.bytes;
      }
    }
    return removed;
  }

  /** Writes a blob with the folder's mode; a file already there under that name is kept only if it still hashes to it. */
  private writeBlob(digest: string, frame: Buffer): void {
    writeBlobSync(this.blobsDir, digest, frame, folderModeFor(this.shared));
  }

  blobFile(digest: string): string {
    return blobPath(this.blobsDir, digest);
  }
}
