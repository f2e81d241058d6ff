// Bytes hashed across the files of a model (hashed in parallel), for the fingerprint phase.
import fs from 'node:fs';
import type { ProgressReporter } from './compile-progress';

export interface FingerprintBytes {
  /** File i has had n bytes hashed; i = -1: every file is done (memoized ones included). */
  hashed(i: number, n: number): void;
}

export async function fingerprintBytes(files: string[], progress: ProgressReporter): Promise<FingerprintBytes> {
  // A file that cannot be stat'ed fails the fingerprint itself, with its own error.
  const sizes = await Promise.all(
    files.map((f) =>
      fs.promises.stat(f).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  const done = sizes.map(() => 0);
  progress.fingerprint(0, total);
  return {
    hashed(i, n) {
      if (i < 0) done.forEach((_, j) => (done[j] = sizes[j] as number));
      else done[i] = Math.min(n, sizes[i] as number);
      progress.fingerprint(
        done.reduce((a, b) => a + b, 0),
        total,
      );
    },
  };
}
