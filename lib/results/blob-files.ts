// Large stored results live beside the database as content-addressed files:
//   <dir>/blobs/<first two hex digits>/<sha256 of the frame>
// A blob is written to a temp file and renamed into place, so its name is only ever bound to
// its whole content: a reader sees the complete file or none.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const BLOB_TEMP_SUFFIX = '.tmp';

export function blobDigest(frame: Uint8Array): string {
  return crypto.createHash('sha256').update(frame).digest('hex');
}

export function blobPath(blobsDir: string, digest: string): string {
  return path.join(blobsDir, digest.slice(0, 2), digest);
}

/** Writes the blob unless a file of that name exists already (same name, same content). */
export function writeBlobSync(blobsDir: string, digest: string, frame: Uint8Array): void {
  const file = blobPath(blobsDir, digest);
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}${BLOB_TEMP_SUFFIX}`;
  try {
    fs.writeFileSync(temp, frame, { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** The blob's bytes, or undefined when it is gone. */
export function readBlobSync(blobsDir: string, digest: string): Buffer | undefined {
  try {
    return fs.readFileSync(blobPath(blobsDir, digest));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function removeBlobSync(blobsDir: string, digest: string): void {
  fs.rmSync(blobPath(blobsDir, digest), { force: true });
}

/** Every blob file and leftover temp file, for prune's orphan sweep. */
export function listBlobFiles(blobsDir: string): Array<{ digest: string | null; file: string }> {
  const out: Array<{ digest: string | null; file: string }> = [];
  for (const sub of fs.readdirSync(blobsDir, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    for (const name of fs.readdirSync(path.join(blobsDir, sub.name))) {
      out.push({ digest: /^[0-9a-f]{64}$/.test(name) ? name : null, file: path.join(blobsDir, sub.name, name) });
    }
  }
  return out;
}
