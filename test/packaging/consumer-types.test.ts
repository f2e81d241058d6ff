// The published declarations compile in a TypeScript project with the compiler's defaults: no
// esModuleInterop (a default import of a Node module in a .d.ts fails there with TS1192), module
// CommonJS, strict, lib checks on. Once with the defaults, once as the README says (nodenext).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeDir, ROOT } from '../helpers/paths';

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const CONSUMER = `import { loadOpenVINO, ModelCache, ModelRegistry, ResultCache, type CompileResult } from 'ovcache';

export async function start(): Promise<CompileResult> {
  const ov = await loadOpenVINO();
  const cache = new ModelCache({ runtime: ov, maxBytes: '1GB' });
  void ModelRegistry;
  void ResultCache;
  return cache.compile('model.xml', { device: 'CPU' });
}
`;

describe('the published declarations in a consumer project', function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = makeTempDir('ovcache-consumer-');
    fs.mkdirSync(path.join(tmp, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(tmp, 'node_modules', 'ovcache'));
    fs.writeFileSync(path.join(tmp, 'consumer.ts'), CONSUMER);
  });
  after(() => removeDir(tmp));

  const tsc = (...options: string[]) =>
    spawnSync(
      process.execPath,
      [TSC, '--noEmit', '--strict', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), ...options, 'consumer.ts'],
      {
        cwd: tmp,
        encoding: 'utf8',
      },
    );

  it("compile with the compiler's defaults (CommonJS, no esModuleInterop)", () => {
    const r = tsc();
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('compile as the README says (--module nodenext --target es2022)', () => {
    const r = tsc('--module', 'nodenext', '--target', 'es2022');
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
