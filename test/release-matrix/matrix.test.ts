// The release matrix: the fidelity cases (lib/selftest/fidelity-cases.ts: every element type with real
// numbers, every shape form, ModelCache with a dynamic shape, the C-layer traps) run in one child
// process per release line, against the stand-in configured as that release (OV_STUB_VERSION).
// Prints one line per release. Releases outside the supported range must be refused at load.
// The stand-in is a simulation: this checks the package's handling of each release's C API as
// upstream's sources describe it (test-runtime/README.md), not a real OpenVINO.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { FIDELITY_CASES } from '../../lib/selftest/fidelity-cases';
import { STAND_IN } from '../helpers/paths';

interface ChildResult {
  build: string;
  numbering?: string;
  results?: Array<{ name: string; ok: boolean; error?: string }>;
  refused?: { code?: string; message: string };
}

/** Each supported release line, with the element numbering the addon must pick for it. */
const SUPPORTED: ReadonlyArray<[release: string, numbering: 'legacy' | 'modern']> = [
  ['2024.2.0', 'legacy'],
  ['2024.6.0', 'legacy'],
  ['2025.0.0', 'legacy'],
  ['2025.1.0', 'modern'],
  ['2025.4.0', 'modern'],
  ['2026.0.0', 'modern'],
  ['2026.4.0', 'modern'],
];
const REFUSED = ['2024.1.0', '2026.5.0', '2027.0.0'];

function runChild(release: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'child.js'), STAND_IN], {
      env: { ...process.env, OV_STUB_VERSION: `${release}-stub`, OVCACHE_SKIP_VERSION_CHECK: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`release ${release}: child exited ${code}\n${out}\n${err}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

describe('release matrix (stand-in configured as each OpenVINO release line)', function () {
  this.timeout(120000);
  const lines: string[] = [];
  after(() => {
    if (lines.length) console.log(`\n  release matrix (simulated by the stand-in):\n${lines.map((l) => `    ${l}`).join('\n')}\n`);
  });

  let caseNames: string[] | undefined;
  for (const [release, numbering] of SUPPORTED) {
    it(`${release}: numbering ${numbering}, every fidelity case passes`, async () => {
      const result = await runChild(release);
      assert.equal(result.refused, undefined, `refused: ${result.refused?.message}`);
      const results = result.results ?? [];
      const failed = results.filter((r) => !r.ok);
      lines.push(
        `${release.padEnd(9)} numbering ${String(result.numbering).padEnd(7)} ${results.length - failed.length}/${results.length} passed` +
          (failed.length ? `; FAILED: ${failed.map((f) => f.name).join('; ')}` : ''),
      );
      assert.equal(result.numbering, numbering);
      assert.deepEqual(
        failed.map((f) => `${f.name}\n${f.error}`),
        [],
      );
      const names = results.map((r) => r.name);
      assert.equal(names.length, FIDELITY_CASES.length, 'every case ran');
      if (caseNames) assert.deepEqual(names, caseNames, 'the same cases on every release');
      caseNames = names;
    });
  }

  for (const release of REFUSED) {
    it(`${release}: refused at load, naming its version and the supported range`, async () => {
      const result = await runChild(release);
      lines.push(`${release.padEnd(9)} refused: ${result.refused?.code}`);
      assert.equal(result.refused?.code, 'OVCACHE_RUNTIME_UNSUPPORTED_VERSION');
      assert.match(
        result.refused.message,
        new RegExp(`OpenVINO ${release.replace(/\./g, '\\.')}-stub .* outside the supported range 2024\\.2 to 2026\\.4`),
      );
    });
  }
});
