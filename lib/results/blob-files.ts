// Large stored results live beside the database as content-addressed files:
//   <dir>/blobs/<first two hex digits>/<sha256 of the frame>
// A blob is written to a temp file and renamed into place, so its name is only ever bound to
// its whole content: a reader sees the complete file or none.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeOwnerOnlyDir } from '../cache/cache-dir';
import { OvcacheError } from '../errors';

export const BLOB_TEMP_SUFFIX = '.tmp';

export function blobDigest(frame: Uint8Array): string {
  return crypto.createHash('sha256').update(frame).digest('hex');
}

export function blobPath(blobsDir: string, digest: string): string {
  return path.join(blobsDir, digest.slice(0, 2), digest);
}

/**
 * Writes the blob. A file already there under that name is kept only if it is a regular file
 * that still hashes to it; anything else there (damaged bytes, a folder, an unreadable file) is
 * replaced, so storing the value again repairs it.
 */
export function writeBlobSync(blobsDir: string, digest: string, frame: Uint8Array, dirMode = 0o700): void {
  const file = blobPath(blobsDir, digest);
  if (holdsBlob(file, digest)) return;
  makeOwnerOnlyDir(path.dirname(file), dirMode === 0o700 ? 'owner' : 'group');
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}${BLOB_TEMP_SUFFIX}`;
  try {
    fs.writeFileSync(temp, frame, { mode: dirMode === 0o700 ? 0o600 : 0o640 });
    // rename() replaces a file but not a folder: whatever else holds the name goes first.
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile() === false) fs.rmSync(file, { recursive: true, force: true });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Whether file is a regular file whose bytes hash to digest (false when absent or unreadable). */
function holdsBlob(file: string, digest: string): boolean {
  try {
    return fs.lstatSync(file).isFile() && blobDigest(fs.readFileSync(file)) === digest;
  } catch {
    return false;
  }
}

/**
 * When a blob's bytes are checked against its name (the sha256 it was stored under):
 * 'every-read' hashes each read; 'per-identity' hashes a file once per process and file identity
 * (device, inode, size, mtime, ctime of the open file): a rewrite in place, a replacement or a
 * touch is checked again; 'off' never (benchmarks' baseline only).
 */
export type BlobCheck = 'every-read' | 'per-identity' | 'off';

/** Blob files whose bytes this process has hashed, by identity: digest -> identity text. */
export class VerifiedBlobs {
  private readonly seen = new Map<string, string>();
  constructor(private readonly limit = 10_000) {}

  has(digest: string, identity: string): boolean {
    return this.seen.get(digest) === identity;
  }

  add(digest: string, identity: string): void {
    this.seen.delete(digest);
    this.seen.set(digest, identity);
    if (this.seen.size > this.limit) this.seen.delete(this.seen.keys().next().value as string);
  }

  forget(digest: string): void {
    this.seen.delete(digest);
  }
}

/** Device, inode, size, mtime and ctime: a rewrite in place, a replacement or a touch changes one. */
function statText(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** A blob whose bytes no longer hash to its name: flipped, truncated or replaced on disk. */
export function damagedBlob(digest: string, why: string): OvcacheError {
  return new OvcacheError(
    'OVCACHE_RESULT_STORE_FAILED',
    `A stored result is damaged (blob ${digest.slice(0, 12)}: ${why}); it is treated as a miss and removed`,
  );
}

/** A blob that cannot be read (EISDIR, EIO, EACCES...): a miss, removed like a damaged one. */
export function unreadableBlob(digest: string, error: unknown): OvcacheError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return new OvcacheError(
    'OVCACHE_RESULT_STORE_FAILED',
    `A stored result cannot be read (blob ${digest.slice(0, 12)}: ${code}, ${(error as Error).message}); it is treated as a miss and removed`,
    { cause: error },
  );
}

/**
 * The blob's bytes, checked against its digest as `check` says; undefined when it is gone.
 * Throws damagedBlob() when the bytes do not hash to the name, unreadableBlob() when they
 * cannot be read: both OVCACHE_RESULT_STORE_FAILED.
 */
export function readBlobSync(
  blobsDir: string,
  digest: string,
  check: BlobCheck = 'every-read',
  verified?: VerifiedBlobs,
): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(blobPath(blobsDir, digest), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadableBlob(digest, error);
  }
  try {
    let identity: string;
    let bytes: Buffer;
    try {
      // The identity of the very file read (fstat of the open descriptor), not of a later rename.
      identity = check === 'per-identity' ? statText(fs.fstatSync(fd)) : '';
      bytes = fs.readFileSync(fd);
    } catch (error) {
      throw unreadableBlob(digest, error);
    }
    if (check === 'off' || (check === 'per-identity' && verified?.has(digest, identity))) return bytes;
    if (blobDigest(bytes) !== digest) {
      verified?.forget(digest);
      throw damagedBlob(digest, 'its bytes do not hash to its name');
    }
    if (check === 'per-identity') verified?.add(digest, identity);
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes whatever holds the blob's name (a folder too: an unreadable blob may be one). */
export function removeBlobSync(blobsDir: string, digest: string): void {
  fs.rmSync(blobPath(blobsDir, digest), { recursive: true, force: true });
}

/** Every blob file and leftover temp file, for prune's orphan sweep. */
export function listBlobFiles(blobsDir: string): Array<{ digest: string | null; file: string }> {
  const out: Array<{ digest: string | null; file: string }> = [];
  for (const sub of fs.readdirSync(blobsDir, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    for (const name of fs.readdirSync(path.join(blobsDir, sub.name))) {
      out.push({ digest: /^[0-9a-f]{64}$/.test(name) ? name : null, file: path.join(blobsDir, sub.name, name) });
    }
  }
  return out;
}

/**
 * Removes blob files no entry references (left by a process killed between writing and
 * committing); a temp file or an unreferenced blob younger than a minute may belong to a write
 * in progress and stays. Returns how many were removed.
 */
export function removeOrphanBlobFiles(blobsDir: string, isReferenced: (digest: string) => boolean): number {
  if (!fs.existsSync(blobsDir)) return 0;
  let removed = 0;
  for (const { digest, file } of listBlobFiles(blobsDir)) {
    if (digest !== null && isReferenced(digest)) continue;
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st || Date.now() - st.mtimeMs < 60_000) continue;
    fs.rmSync(file, { force: true });
    removed++;
  }
  return removed;
}
