// Opens a file another party may have planted (a tier's manifest or blob) without ever blocking:
// O_NOFOLLOW refuses a symlink, O_NONBLOCK makes open() of a FIFO or a device return at once
// (a blocking open of a FIFO pins a libuv threadpool thread for good; four of them stop every fs
// and crypto call of the process), then fstat on the same fd refuses anything but a regular
// file. Callers read from the returned handle only: no second open by path.
import fs from 'node:fs';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { OvcacheError } from '../errors';

const FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** A tier file whose size is not its manifest's: refused before (or as soon as) a byte past it would be copied. */
export class SizeRefusedError extends OvcacheError {
  constructor(where: string, size: number | string, bytes: number) {
    super('OVCACHE_UNSAFE_PATH', `${where} is ${size} bytes, its manifest says ${bytes}: refused, never copied`);
    this.name = 'SizeRefusedError';
  }
}

/** The open handle of the regular file `file`; OVCACHE_UNSAFE_PATH for a symlink, FIFO, device or folder. */
export async function openRegularFile(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await fs.promises.open(file, FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new OvcacheError('OVCACHE_UNSAFE_PATH', `${file} is a symlink: refused (a tier file must be a regular file)`);
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new OvcacheError('OVCACHE_UNSAFE_PATH', `${file} is not a regular file (${kindOf(stat)}): refused, never read`);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file';
}

/**
 * The text of the regular file `file` (see openRegularFile). With `maxBytes`, a larger file is
 * refused from fstat before a byte is read, and at most maxBytes + 1 bytes are ever read (a file
 * that grows after the fstat is refused too).
 */
export async function readRegularFile(file: string, maxBytes?: number): Promise<string> {
  const handle = await openRegularFile(file);
  try {
    if (maxBytes === undefined) return await handle.readFile('utf8');
    const tooBig = (size: number) =>
      new OvcacheError('OVCACHE_UNSAFE_PATH', `${file} is ${size} bytes, over the ${maxBytes}-byte limit: refused, never read`);
    const { size } = await handle.stat();
    if (size > maxBytes) throw tooBig(size);
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) throw tooBig(filled);
    }
    return buffer.toString('utf8', 0, filled);
  } finally {
    await handle.close();
  }
}

/**
 * Copies the regular file `from` to `to` (created or truncated) from the one checked fd. With
 * `bytes`, a file of any other size is refused before a byte is copied (a huge sparse file
 * planted in a tier must not fill the local volume); `signal` stops the copy itself.
 */
export async function copyRegularFile(from: string, to: string, options: { bytes?: number; signal?: AbortSignal } = {}): Promise<void> {
  const handle = await openRegularFile(from);
  try {
    if (options.bytes !== undefined) {
      const { size } = await handle.stat();
      if (size !== options.bytes) throw new SizeRefusedError(from, size, options.bytes);
    }
    const source = handle.createReadStream({
      autoClose: false,
      ...(options.bytes !== undefined ? { end: Math.max(0, options.bytes - 1) } : {}),
    });
    await fs.promises.writeFile(to, source, options.signal ? { signal: options.signal } : {});
  } finally {
    await handle.close();
  }
}
