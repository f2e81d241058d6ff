// One release line of the matrix: loads the stand-in (OV_STUB_VERSION set by the parent), writes
// the fixtures, runs every fidelity case and prints one JSON line:
//   {"build":..., "numbering":..., "results":[{"name":..., "ok":true|false, "error"?:...}]}
// A runtime the package refuses prints {"build":..., "refused": {code, message}} instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOpenVINO } from '../../lib/index';
import { writeAll } from '../../lib/selftest/fixture-models';
import { FIDELITY_CASES } from '../../lib/selftest/fidelity-cases';

async function main(): Promise<void> {
  const libraryPath = process.argv[2];
  if (!libraryPath) throw new Error('usage: child.js <libopenvino_c.so>');
  const build = process.env.OV_STUB_VERSION ?? '';
  let ov;
  try {
    ov = await loadOpenVINO({ libraryPath });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    console.log(JSON.stringify({ build, refused: { code, message } }));
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-matrix-'));
  try {
    const fixtures = path.join(tmp, 'fixtures');
    writeAll(fixtures);
    const results = [];
    for (const c of FIDELITY_CASES) {
      try {
        await c.run({ ov, device: 'CPU', fixtures, tmp });
        results.push({ name: c.name, ok: true });
      } catch (error) {
        results.push({ name: c.name, ok: false, error: String((error as Error).stack ?? error) });
      }
    }
    console.log(JSON.stringify({ build: ov.version.buildNumber, numbering: ov.native.elementNumbering, results }));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
