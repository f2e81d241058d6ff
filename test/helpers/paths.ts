// Where tests find the package root and the test builds: the stand-in runtime and its C tests
// (out/test-runtime/), the fixtures (out/fixtures/). build/ holds only node-gyp's addon.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** dist/test/helpers -> three levels up. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Build outputs made for tests and checks, each purpose in its own folder. */
export const OUT = path.join(ROOT, 'out');
export const TEST_RUNTIME_DIR = path.join(OUT, 'test-runtime');
export const STAND_IN = process.env.OVCACHE_TEST_STAND_IN ?? path.join(TEST_RUNTIME_DIR, 'libopenvino_c.so');
export const FIXTURES = path.join(OUT, 'fixtures');
export const fixture = (name: string): string => path.join(FIXTURES, name);

/** A fresh temporary folder, removed after the current mocha suite by the caller's cleanup. */
export function makeTempDir(prefix = 'ovcache-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  // Retries: a cache's background manifest update may still be finishing in the folder.
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
}
