// Writes a body received from a tier to a local file, never more bytes than its manifest gives:
// a body announced at another length is refused before a byte is written, and a body that runs
// past the length (none announced, or the announcement not kept to) is stopped there. A blob
// swapped for a huge object cannot fill the local volume.
import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SizeRefusedError } from './open-regular';

export async function writeCapped(
  body: Readable,
  to: string,
  expected: { bytes: number; contentLength?: number | undefined; where: string },
  signal?: AbortSignal,
): Promise<void> {
  const { bytes, contentLength, where } = expected;
  if (contentLength !== undefined && contentLength !== bytes) {
    body.destroy();
    throw new SizeRefusedError(where, contentLength, bytes);
  }
  let total = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      // Invariant: at most `bytes` bytes ever reach the file.
      if (total > bytes) done(new SizeRefusedError(where, `over ${total - chunk.length}`, bytes));
      else done(null, chunk);
    },
  });
  await pipeline(body, cap, fs.createWriteStream(to, { mode: 0o600 }), ...(signal ? [{ signal }] : []));
}
