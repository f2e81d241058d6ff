// The size of a folder tree: the one implementation (scan, removal, trash, benchmarks).
import fs from 'node:fs';
import path from 'node:path';

/** Bytes under dir by lstat: symlinks count as their own size and are never followed. */
export async function treeBytes(dir: string): Promise<number> {
  let items: fs.Dirent[];
  try {
    items = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const item of items) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) total += await treeBytes(full);
    else total += (await fs.promises.lstat(full).catch(() => null))?.size ?? 0;
  }
  return total;
}
