// Where tests find the stand-in runtime, the fixtures and the package root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** dist/test/helpers -> three levels up. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const STAND_IN = process.env.OVCACHE_TEST_STAND_IN ?? path.join(ROOT, 'build', 'test-runtime', 'libopenvino_c.so');
export const FIXTURES = path.join(ROOT, 'build', 'fixtures');
export const fixture = (name: string): string => path.join(FIXTURES, name);

/** A fresh temporary folder, removed after the current mocha suite by the caller's cleanup. */
export function makeTempDir(prefix = 'ovcache-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  // Retries: a cache's background manifest update may still be finishing in the folder.
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
}
