// File digests for cache keys, memoized so a warm start never re-reads gigabytes of weights.
//
// The digest is the plain sha256 of the file (what `sha256sum` prints), computed with Node's
// OpenSSL: with SHA extensions it runs 3-4x faster than coreutils' sha256sum (docs/caching.md).
// The memo is keyed by the file's identity (lib/fs/file-identity.ts): any write, replacement or
// rename-over changes it. Each Fingerprinter keeps its own bounded memo in memory; the memo
// files are what survives a restart or is shared between instances.
// "Racy" files (changed within racyWindowMs of hashing, where a same-tick rewrite could keep
// the identity) are hashed but not memoized, like git's racy-clean check.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import { writeFileAtomic } from '../fs/atomic-write';
import { identityText, statIdentity, type FileStatIdentity } from '../fs/file-identity';
import { logger } from '../log';

const log = logger('cache');

export const MEMO_FORMAT = 1;
const CHUNK = 4 << 20;

export interface FileFingerprint {
  path: string;
  size: number;
  sha256: string;
  /** Where the digest came from: the process memo, the memo file, or reading the file. */
  source: 'memory' | 'disk' | 'computed';
  identity: FileStatIdentity;
  mtimeNs: string;
  ms: number;
}

/** Called with the bytes hashed so far, after each chunk. */
export type HashProgress = (bytesDone: number) => void;

/** sha256 of a file, streamed with two buffers so reading the next chunk overlaps hashing this one. */
export async function sha256File(file: string, onBytes?: HashProgress): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const hash = crypto.createHash('sha256');
    const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let which = 0;
    let pending = handle.read(buffers[0] as Buffer, 0, CHUNK, null);
    let done = 0;
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      which ^= 1;
      pending = handle.read(buffers[which] as Buffer, 0, CHUNK, null);
      hash.update(bytesRead === CHUNK ? buffer : buffer.subarray(0, bytesRead));
      done += bytesRead;
      onBytes?.(done);
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

interface MemoRecord {
  format: number;
  algorithm: 'sha256';
  identity: FileStatIdentity;
  sha256: string;
  /** Informational: the path it was computed for. */
  path: string;
}

/** Digests remembered in memory per Fingerprinter (the memo files hold the rest). */
const MEMORY_ENTRIES = 4096;

export interface FingerprinterOptions {
  /** Folder for memo files; undefined keeps the memo in this process only. */
  memoDir?: string | undefined;
  /** Write memo files (false: read them only, e.g. a read-only cache). */
  writeMemo?: boolean;
  /** Files changed this recently are not memoized. Default 2000 ms. */
  racyWindowMs?: number;
}

export class Fingerprinter {
  private readonly memoDir: string | undefined;
  private readonly writeMemo: boolean;
  private readonly racyWindowNs: bigint;
  private readonly memory = new LRUCache<string, string>({ max: MEMORY_ENTRIES });
  /** Hashes running now, shared by callers of the same file; each caller may listen to the bytes. */
  private readonly inflight = new Map<string, { digest: Promise<string>; listeners: Set<HashProgress> }>();

  constructor(options: FingerprinterOptions = {}) {
    this.memoDir = options.memoDir;
    this.writeMemo = options.writeMemo ?? true;
    this.racyWindowNs = BigInt(Math.round((options.racyWindowMs ?? 2000) * 1e6));
  }

  /** Forgets the digests remembered in memory (the memo files stay). */
  forget(): void {
    this.memory.clear();
  }

  /** onBytes hears the bytes hashed when the digest is computed (not when it is remembered). */
  async fingerprint(file: string, onBytes?: HashProgress): Promise<FileFingerprint> {
    const started = performance.now();
    const resolved = path.resolve(file);
    const stat = fs.statSync(resolved, { bigint: true });
    const identity = statIdentity(stat);
    const id = identityText(identity);
    const done = (sha256: string, source: FileFingerprint['source']): FileFingerprint => ({
      path: resolved,
      size: Number(stat.size),
      sha256,
      source,
      identity,
      mtimeNs: identity.mtimeNs,
      ms: performance.now() - started,
    });

    const remembered = this.memory.get(id);
    if (remembered !== undefined) return done(remembered, 'memory');
    const fromDisk = await this.readMemo(id, identity);
    if (fromDisk !== undefined) {
      this.memory.set(id, fromDisk);
      return done(fromDisk, 'disk');
    }
    let running = this.inflight.get(id);
    if (running === undefined) {
      const listeners = new Set<HashProgress>();
      const digest = this.compute(resolved, stat, id, identity, (n) => listeners.forEach((l) => l(n)));
      running = { digest, listeners };
      this.inflight.set(id, running);
      void digest.finally(() => this.inflight.delete(id)).catch(() => undefined);
    }
    if (onBytes) running.listeners.add(onBytes);
    try {
      return done(await running.digest, 'computed');
    } finally {
      if (onBytes) running.listeners.delete(onBytes);
    }
  }

  private async compute(
    file: string,
    stat: fs.BigIntStats,
    id: string,
    identity: FileStatIdentity,
    onBytes: HashProgress,
  ): Promise<string> {
    const digest = await sha256File(file, onBytes);
    const after = await fs.promises.stat(file, { bigint: true });
    const unchanged = identityText(statIdentity(after)) === id;
    const newest = stat.mtimeNs > stat.ctimeNs ? stat.mtimeNs : stat.ctimeNs;
    // A window of 0 turns the check off (Date.now() has ms precision, file times have ns).
    const racy = this.racyWindowNs > 0n && BigInt(Date.now()) * 1_000_000n - newest < this.racyWindowNs;
    if (!unchanged) log('%s changed while it was hashed; digest not memoized', file);
    else if (racy) log('%s changed moments ago; digest not memoized', file);
    else {
      this.memory.set(id, digest);
      await this.writeMemoFile(id, { format: MEMO_FORMAT, algorithm: 'sha256', identity, sha256: digest, path: file });
    }
    return digest;
  }

  private memoPath(id: string): string | undefined {
    if (this.memoDir === undefined) return undefined;
    return path.join(this.memoDir, `${crypto.createHash('sha256').update(id).digest('hex').slice(0, 32)}.json`);
  }

  private async readMemo(id: string, identity: FileStatIdentity): Promise<string | undefined> {
    const file = this.memoPath(id);
    if (file === undefined) return undefined;
    try {
      const record = JSON.parse(await fs.promises.readFile(file, 'utf8')) as Partial<MemoRecord>;
      const ok =
        record.format === MEMO_FORMAT &&
        record.algorithm === 'sha256' &&
        typeof record.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(record.sha256) &&
        record.identity !== undefined &&
        identityText(record.identity) === identityText(identity);
      return ok ? record.sha256 : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeMemoFile(id: string, record: MemoRecord): Promise<void> {
    const file = this.memoPath(id);
    if (file === undefined || !this.writeMemo) return;
    try {
      await writeFileAtomic(file, `${JSON.stringify(record)}\n`);
    } catch (error) {
      log('cannot write fingerprint memo %s: %s', file, (error as Error).message);
    }
  }
}
