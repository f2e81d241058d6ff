// Whether a compile had failed writing into its entry, decided by the folder and the device, not
// by OpenVINO's message: OpenVINO left a file it began to write (a partial blob on a full disk),
// the folder takes no write at all (read-only, no permission, no space), or a device that
// exports compiled models (EXPORT_IMPORT) left no blob after a compile (OpenVINO >= 2026.2
// drops a blob it could not write and returns the compiled model).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isUnwritableError } from '../../fs/errno';
import type { RuntimeCore } from '../../runtime/runtime-port';
import type { EntryFile } from './manifest';
import { listEntryFiles } from './manifest-writer';

export async function failedWritingInto(entryDir: string, before: readonly EntryFile[]): Promise<boolean> {
  const known = new Map(before.map((f) => [f.name, f.bytes]));
  const after = await listEntryFiles(entryDir);
  if (after.some((f) => known.get(f.name) !== f.bytes)) return true;
  return !(await takesWrites(entryDir));
}

/** Whether the folder takes a new file now (false: read-only, no permission, no space). */
export async function takesWrites(dir: string): Promise<boolean> {
  const probe = path.join(dir, `.ovcache-probe.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  try {
    await fs.promises.writeFile(probe, 'x', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    return !isUnwritableError(error);
  }
  await fs.promises.unlink(probe).catch(() => undefined);
  return true;
}

/**
 * Removes an entry this process could not finish writing (it holds the entry's lock): what
 * OpenVINO wrote and the manifest go together, so no half-written entry stays behind.
 */
export async function discardEntry(entryDir: string): Promise<void> {
  await fs.promises.rm(entryDir, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * After a compile (not a load) that left no blob: true when the blob write failed. OpenVINO
 * writes a blob whenever the device lists EXPORT_IMPORT in OPTIMIZATION_CAPABILITIES (its model
 * caching overview); a device that does not cannot cache, and that is no failure.
 */
export async function blobWriteFailed(core: RuntimeCore, device: string, entryDir: string): Promise<boolean> {
  return deviceExports(core, device) || !(await takesWrites(entryDir));
}

function deviceExports(core: RuntimeCore, device: string): boolean {
  try {
    return core
      .getProperty(device, 'OPTIMIZATION_CAPABILITIES')
      .split(/[\s,]+/)
      .includes('EXPORT_IMPORT');
  } catch {
    return false; // AUTO, HETERO, MULTI and unknown names: not known to export
  }
}
