// Removing a folder that something may still be writing into (an extraction that stopped with
// writes queued): wait until its tree stops changing, remove it with retries, and repeat if a
// late write made it again. Bounded in time; reports, never throws, whether it is gone.
import fs from 'node:fs';
import path from 'node:path';

export interface RemoveWhenQuietOptions {
  /** How long the tree must stay unchanged before removing (default 50 ms). */
  quietMs?: number;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
}

/** Files, folders and bytes under dir (lstat, symlinks not followed): what changes while writes land. */
async function treeState(dir: string): Promise<string> {
  let entries = 0;
  let bytes = 0;
  const walk = async (at: string): Promise<void> => {
    const items = await fs.promises.readdir(at, { withFileTypes: true }).catch(() => [] as fs.Dirent[]);
    for (const item of items) {
      entries++;
      const full = path.join(at, item.name);
      if (item.isDirectory()) await walk(full);
      else bytes += (await fs.promises.lstat(full).catch(() => null))?.size ?? 0;
    }
  };
  if (!fs.existsSync(dir)) return 'gone';
  await walk(dir);
  return `${entries}:${bytes}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Removes dir once writes into it have stopped, and checks it stays gone; true when it is gone. */
export async function removeWhenQuiet(dir: string, options: RemoveWhenQuietOptions = {}): Promise<boolean> {
  const quietMs = options.quietMs ?? 50;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last = await treeState(dir);
  for (;;) {
    await sleep(quietMs);
    const now = await treeState(dir);
    if (now === 'gone' && last === 'gone') return true; // gone, and no late write made it again
    if (Date.now() >= deadline) return now === 'gone';
    if (now !== last) {
      last = now;
      continue; // still being written
    }
    // ENOTEMPTY / EBUSY from a write landing during the removal: Node retries those itself.
    await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: quietMs }).catch(() => undefined);
    last = await treeState(dir);
  }
}
