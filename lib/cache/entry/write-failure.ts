// Whether a compile that failed had failed writing into its entry, decided by the folder, not
// by OpenVINO's message: OpenVINO left a file it began to write (a partial blob on a full disk),
// or the folder takes no write at all (read-only, no permission, no space).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isUnwritableError } from '../../fs/errno';
import type { EntryFile } from './manifest';
import { listEntryFiles } from './manifest-writer';

export async function failedWritingInto(entryDir: string, before: readonly EntryFile[]): Promise<boolean> {
  const known = new Map(before.map((f) => [f.name, f.bytes]));
  const after = await listEntryFiles(entryDir);
  if (after.some((f) => known.get(f.name) !== f.bytes)) return true;
  return !(await takesWrites(entryDir));
}

async function takesWrites(dir: string): Promise<boolean> {
  const probe = path.join(dir, `.ovcache-probe.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  try {
    await fs.promises.writeFile(probe, 'x', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    return !isUnwritableError(error);
  }
  await fs.promises.unlink(probe).catch(() => undefined);
  return true;
}
