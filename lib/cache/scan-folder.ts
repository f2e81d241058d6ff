// Reading one entry folder for the scan: sizes by lstat, symlinks noted (never followed), the
// manifest read (it is a regular file or nothing). One reader over two kinds of I/O: the
// synchronous calls of the sliced strategy and the thread-pool calls of the pool strategy
// (ScanOptions.io).
import fs from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../fs/errno';
import { MANIFEST_FILE } from './entry/manifest';

/** The three calls the reader makes; a sync implementation returns plain values. */
export interface FolderIo {
  readdir(dir: string): Dirent[] | Promise<Dirent[]>;
  /** null when the file is gone. */
  lstat(file: string): Stats | null | Promise<Stats | null>;
  readFile(file: string): Buffer | Promise<Buffer>;
}

export const syncFolderIo: FolderIo = {
  readdir: (dir) => fs.readdirSync(dir, { withFileTypes: true }),
  lstat: (file) => fs.lstatSync(file, { throwIfNoEntry: false }) ?? null,
  readFile: (file) => fs.readFileSync(file),
};

export const asyncFolderIo: FolderIo = {
  readdir: (dir) => fs.promises.readdir(dir, { withFileTypes: true }),
  lstat: (file) => fs.promises.lstat(file).catch(() => null),
  readFile: (file) => fs.promises.readFile(file),
};

export interface FolderContent {
  bytes: number;
  files: number;
  /** Regular files directly in the folder: name -> size. */
  sizes: Map<string, number>;
  symlinks: string[];
  manifestText: string | null;
  manifestError: string | null;
}

export async function readFolder(io: FolderIo, dir: string, prefix = ''): Promise<FolderContent> {
  const out: FolderContent = { bytes: 0, files: 0, sizes: new Map(), symlinks: [], manifestText: null, manifestError: null };
  let items: Dirent[];
  try {
    items = await io.readdir(dir);
  } catch (error) {
    out.manifestError = `folder unreadable (${errnoCode(error) ?? String(error)})`;
    return out;
  }
  for (const item of items) {
    const full = path.join(dir, item.name);
    const rel = prefix + item.name;
    if (item.isSymbolicLink()) {
      out.symlinks.push(rel);
      out.bytes += (await io.lstat(full))?.size ?? 0;
    } else if (item.isDirectory()) {
      const sub = await readFolder(io, full, `${rel}/`);
      out.bytes += sub.bytes;
      out.files += sub.files;
      out.symlinks.push(...sub.symlinks);
    } else if (item.isFile() && prefix === '' && item.name === MANIFEST_FILE) {
      try {
        // The manifest's size is its text's length: no separate stat.
        const buffer = await io.readFile(full);
        out.bytes += buffer.length;
        out.files++;
        out.manifestText = buffer.toString('utf8');
      } catch (error) {
        out.manifestError = `unreadable (${errnoCode(error) ?? String(error)})`;
      }
    } else {
      const stat = await io.lstat(full);
      if (!stat) continue; // removed while we looked
      out.bytes += stat.size;
      if (stat.isFile()) {
        out.files++;
        if (prefix === '') out.sizes.set(item.name, stat.size);
      }
    }
  }
  out.symlinks.sort();
  return out;
}
