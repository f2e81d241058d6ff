// Every ts/js code sample in README.md and docs/*.md runs, as written, in a fresh process
// against the stand-in runtime. A sample's working folder holds `model.xml`/`model.bin`
// (the MLP fixture: input "input" f32 [1,16]) and `image.xml`/`image.bin`. Samples that
// cannot run here are fenced as ```ts no-run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { FIXTURES, makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';

interface Sample {
  file: string;
  line: number;
  code: string;
}

function samplesIn(file: string): Sample[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js|typescript|javascript)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i + 1;
    while (i + 1 < lines.length && !(lines[i + 1] ?? '').startsWith('```')) i++;
    samples.push({ file: path.relative(ROOT, file), line: start + 1, code: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return samples;
}

const docs = [path.join(ROOT, 'README.md'), ...listDocs(path.join(ROOT, 'docs'))];
function listDocs(dir: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.md'))
        .map((f) => path.join(dir, f))
    : [];
}

describe('documentation code samples', () => {
  let work: string;
  before(() => {
    work = makeTempDir('ovcache-docs-');
    for (const [from, to] of [
      ['mlp', 'model'],
      ['image', 'image'],
    ]) {
      fs.copyFileSync(path.join(FIXTURES, `${from}.xml`), path.join(work, `${to}.xml`));
      fs.copyFileSync(path.join(FIXTURES, `${from}.bin`), path.join(work, `${to}.bin`));
    }
  });
  after(() => removeDir(work));

  const samples = docs.flatMap(samplesIn);
  it('finds samples to run', () => assert.ok(samples.length > 0));

  for (const sample of samples) {
    it(`runs ${sample.file}:${sample.line}`, function () {
      this.timeout(60000);
      const js = ts
        .transpileModule(sample.code, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        })
        .outputText.replace(/from ['"]ovcache['"]/g, `from ${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'index.mjs'))}`)
        .replace(/from ['"]ovcache\/metrics['"]/g, `from ${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'metrics', 'index.mjs'))}`);
      const file = path.join(work, `sample-${sample.line}.mjs`);
      fs.writeFileSync(file, js);
      try {
        execFileSync(process.execPath, [file], {
          cwd: work,
          env: {
            ...process.env,
            OPENVINO_LIB_PATH: STAND_IN,
            OVCACHE_DIR: path.join(work, 'cache'),
            // docs/openvino-node.md's samples find openvino-node here: the conformance double.
            OVCACHE_OPENVINO_NODE: path.join(ROOT, 'dist', 'test', 'openvino-node', 'double', 'module.js'),
          },
          stdio: 'pipe',
        });
      } catch (error) {
        const e = error as { stderr?: Buffer; stdout?: Buffer };
        assert.fail(`${sample.file}:${sample.line} failed:\n${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`);
      }
    });
  }
});
