// What the embedded store keeps: an entry's record, the store's lifetime counters, and what
// a write or a prune reports having removed.
import type { BlobCheck } from './blob-files';
import type { SharedMode } from '../cache/cache-dir';
import type { EntryFacts, FileRef } from './value';

export interface EntryRecord {
  model: string;
  createdAt: number;
  expiresAt: number | null;
  computeMs: number;
  files: FileRef[];
  bytes: number;
  seq: number;
  lastUsedAt: number;
  hits: number;
  blob: string | null;
}

export interface StoredEntry extends EntryRecord {
  key: string;
}

/**
 * The store's counters over every process that used it. Lookups (hits, misses, bypasses,
 * timeSavedMs) are the sums of every ResultCache's stats() on the folder; removals (expired,
 * evicted, removedFiles, removedDamaged) count each entry once, in the transaction that
 * removed it.
 */
export interface StoreCounters {
  count: number;
  bytes: number;
  hits: number;
  misses: number;
  bypasses: number;
  /** Entries removed because their TTL had passed (by a lookup, a write's sweep or prune). */
  expired: number;
  /** Entries removed by the limits: maxEntries, maxBytes, prune's --older-than. */
  evicted: number;
  timeSavedMs: number;
  /** Entries removed because a file they refer to was gone, changed or unreadable. */
  removedFiles: number;
  /** Entries removed because their stored bytes were damaged, missing or unreadable. */
  removedDamaged: number;
}

export const COUNTERS: ReadonlyArray<keyof StoreCounters> = [
  'count',
  'bytes',
  'hits',
  'misses',
  'bypasses',
  'expired',
  'evicted',
  'timeSavedMs',
  'removedFiles',
  'removedDamaged',
];

/** The lookup counters a ResultCache adds to the store in its batches. */
export type LookupCounts = Partial<Record<'hits' | 'misses' | 'bypasses' | 'timeSavedMs', number>>;

/** Why a single entry is removed: each reason has its counter; a caller's delete has none. */
export type RemovalReason = 'expired' | 'files' | 'damaged' | 'deleted';

export const REMOVAL_COUNTER: Record<RemovalReason, keyof StoreCounters | null> = {
  expired: 'expired',
  files: 'removedFiles',
  damaged: 'removedDamaged',
  deleted: null,
};

export interface Removal {
  count: number;
  bytes: number;
}

export interface PutResult {
  stored: boolean;
  evicted: { count: Removal; bytes: Removal; ttl: Removal };
}

export interface Limits {
  maxEntries: number;
  maxBytes: number;
}

export interface LocalStoreOptions {
  /** Who may share the folder, as ModelCache's shared option (default 'owner'). */
  shared?: SharedMode;
  /** When blob bytes are checked against their digest (default 'per-identity'). */
  blobCheck?: BlobCheck;
  /**
   * How writes run: 'sync', a synchronous LMDB transaction on the calling thread (it waits while
   * another process holds the write lock: for the CLI); 'worker', the same in a worker thread
   * (store-writer.ts: for serving processes, whose reads must go on). Default 'sync'.
   */
  writes?: 'sync' | 'worker';
}

export const noRemoval = (): Removal => ({ count: 0, bytes: 0 });

export function addRemoval(into: Removal, more: Removal): void {
  into.count += more.count;
  into.bytes += more.bytes;
}

export function pickFacts(f: EntryFacts): Pick<EntryRecord, 'model' | 'createdAt' | 'expiresAt' | 'computeMs' | 'files'> {
  return { model: f.model, createdAt: f.createdAt, expiresAt: f.expiresAt, computeMs: f.computeMs, files: f.files };
}
