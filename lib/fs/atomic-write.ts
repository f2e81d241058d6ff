// Replace a file's content atomically: readers see the old file or the new one, never a mix.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const TEMP_SUFFIX = '.tmp';

/** Temp file beside the target (same filesystem, so rename is atomic), then rename over it. */
export async function writeFileAtomic(file: string, data: string, options: { fsync?: boolean; mode?: number } = {}): Promise<void> {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
  const handle = await fs.promises.open(temp, 'w', options.mode ?? 0o600);
  try {
    await handle.writeFile(data);
    if (options.fsync) await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.promises.rename(temp, file);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}
