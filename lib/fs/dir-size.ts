import fs from 'node:fs';
import path from 'node:path';

/** Bytes in regular files under `dir`, recursively; symlinks are counted as links, never followed. */
export function dirBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(full);
    else if (entry.isFile()) {
      try {
        total += fs.lstatSync(full).size;
      } catch {
        // removed while we looked: not counted
      }
    }
  }
  return total;
}
