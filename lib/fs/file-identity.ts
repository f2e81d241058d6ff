// A file's identity as the file system keeps it (dev, ino, size, mtime ns, ctime ns): any write,
// replacement or rename-over changes at least one part. ctime cannot be set back by utimes, so
// `touch -d` on changed content does not fool it. Fingerprint memos and the registry's reload
// check both compare these.
import fs from 'node:fs';
import type { BigIntStats } from 'node:fs';

export interface FileStatIdentity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

export function statIdentity(stat: BigIntStats): FileStatIdentity {
  return {
    dev: String(stat.dev),
    ino: String(stat.ino),
    size: String(stat.size),
    mtimeNs: String(stat.mtimeNs),
    ctimeNs: String(stat.ctimeNs),
  };
}

/** One string per identity: equal strings, same file content (barring a same-tick rewrite). */
export function identityText(id: FileStatIdentity): string {
  return `${id.dev}:${id.ino}:${id.size}:${id.mtimeNs}:${id.ctimeNs}`;
}

/** The identity of a file now, or null when it cannot be stat'ed. */
export async function fileIdentity(file: string): Promise<FileStatIdentity | null> {
  try {
    return statIdentity(await fs.promises.stat(file, { bigint: true }));
  } catch {
    return null;
  }
}
