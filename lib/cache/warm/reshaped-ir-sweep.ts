// Keeps the per-user folder of reshaped IRs (warm-path.ts) from growing without end. An IR is
// only ever a rewrite away (it follows from the model's .xml and the key), so removing one
// costs the next compile with those shapes a rewrite of the .xml, never a compile. Removed:
// - a pair whose weights link points at nothing (the model's .bin is gone),
// - a pair unused for maxIdleMs: every use refreshes the IR's ctime (utimes with its fixed
//   mtime), so ctime is its last use,
// - temp files of a writer that died, and a weights link without its .xml, after an hour.
import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../../log';

const log = logger('cache');

export const RESHAPED_IR_MAX_IDLE_MS = 7 * 24 * 3600_000;
const TEMP_MAX_AGE_MS = 3600_000;
/** A reshaped IR: <32 hex>.xml and its weights link <32 hex>.bin. */
const PAIR = /^([0-9a-f]{32})\.(xml|bin)$/;

export interface SweepReport {
  removed: string[];
}

export async function sweepReshapedIrs(folder: string, options: { now?: number; maxIdleMs?: number } = {}): Promise<SweepReport> {
  const now = options.now ?? Date.now();
  const maxIdle = options.maxIdleMs ?? RESHAPED_IR_MAX_IDLE_MS;
  const removed: string[] = [];
  const names = await fs.promises.readdir(folder).catch(() => [] as string[]);
  const stems = new Set<string>();
  for (const name of names) {
    const pair = PAIR.exec(name);
    if (pair) {
      stems.add(pair[1] as string);
      continue;
    }
    // A writer's temp file: <stem>.xml.<pid>.<hex> (and .bin).
    if (!/^[0-9a-f]{32}\.xml\.\d+\.[0-9a-f]+(\.bin)?$/.test(name)) continue;
    const st = await fs.promises.lstat(path.join(folder, name)).catch(() => undefined);
    if (st && now - st.ctimeMs > TEMP_MAX_AGE_MS && (await unlink(path.join(folder, name)))) removed.push(name);
  }
  for (const stem of stems) {
    const xml = path.join(folder, `${stem}.xml`);
    const bin = path.join(folder, `${stem}.bin`);
    const xmlStat = await fs.promises.lstat(xml).catch(() => undefined);
    const binLink = await fs.promises.lstat(bin).catch(() => undefined);
    const dangling =
      binLink !== undefined &&
      (await fs.promises.stat(bin).then(
        () => false,
        () => true,
      ));
    // No .xml beside a weights link: a writer between its two renames (the link goes first,
    // warm-path.ts), or one that died there. Another process's sweep must not take the link
    // from under a live writer (its warm path then fell back to a recompile): only after an hour.
    const idle = xmlStat === undefined ? binLink !== undefined && now - binLink.ctimeMs > TEMP_MAX_AGE_MS : now - xmlStat.ctimeMs > maxIdle;
    if (!dangling && !idle) continue;
    for (const file of [xml, bin]) if (await unlink(file)) removed.push(path.basename(file));
  }
  if (removed.length > 0) log('removed %d stale reshaped IR file(s) from %s', removed.length, folder);
  return { removed };
}

async function unlink(file: string): Promise<boolean> {
  try {
    await fs.promises.unlink(file);
    return true;
  } catch {
    return false;
  }
}
