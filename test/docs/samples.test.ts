// Every ts/js code sample in README.md and docs/*.md runs, as written, against the stand-in
// runtime: in a fresh ESM project (`npm init -y` + "type": "module", `ovcache` installed in its
// node_modules), twice in a row (state the first run leaves must not break the second), and
// each TypeScript one also in a fresh CommonJS project with its body wrapped in an async main
// (README.md, "Quick start", says so). A project folder holds `model.xml`/`model.bin` (the MLP
// fixture: input "input" f32 [1,16]) and `image.xml`/`image.bin`. Samples that cannot run here
// are fenced as ```ts no-run.
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
  typescript: boolean;
}

function samplesIn(file: string): Sample[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js|typescript|javascript)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i + 1;
    while (i + 1 < lines.length && !(lines[i + 1] ?? '').startsWith('```')) i++;
    samples.push({
      file: path.relative(ROOT, file),
      line: start + 1,
      code: lines.slice(start, i + 1).join('\n'),
      typescript: open[1] === 'ts' || open[1] === 'typescript',
    });
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

/** A fresh project as `npm init -y` makes it (plus "type": "module" for ESM), with ovcache installed and the fixtures. */
function freshProject(type: 'module' | 'commonjs'): string {
  const dir = makeTempDir(`ovcache-docs-${type}-`);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: path.basename(dir).toLowerCase(), version: '1.0.0', main: 'index.js', type, license: 'ISC' }, null, 2)}\n`,
  );
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'ovcache'), 'dir');
  for (const [from, to] of [
    ['mlp', 'model'],
    ['image', 'image'],
  ]) {
    fs.copyFileSync(path.join(FIXTURES, `${from}.xml`), path.join(dir, `${to}.xml`));
    fs.copyFileSync(path.join(FIXTURES, `${from}.bin`), path.join(dir, `${to}.bin`));
  }
  return dir;
}

/** The sample as an ES module, as tsc (or tsx) would emit it: imports resolve through node_modules. */
function asEsm(code: string): string {
  return ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

/**
 * The sample as CommonJS, as README.md tells a CommonJS project to run it: the imports stay on
 * top, everything else goes into `async function main()` (no top-level await in CommonJS).
 */
function asCommonJs(code: string): string {
  const source = ts.createSourceFile('sample.ts', code, ts.ScriptTarget.ES2022, true);
  const imports = source.statements.filter(ts.isImportDeclaration).map((s) => s.getFullText());
  const rest = source.statements.filter((s) => !ts.isImportDeclaration(s)).map((s) => s.getFullText());
  const wrapped = `${imports.join('')}\n\nasync function main() {${rest.join('')}\n}\n\nmain().catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n`;
  return ts.transpileModule(wrapped, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
}

function runIn(project: string, file: string, js: string, what: string): void {
  fs.writeFileSync(path.join(project, file), js);
  try {
    execFileSync(process.execPath, [file], {
      cwd: project,
      env: {
        ...process.env,
        OPENVINO_LIB_PATH: STAND_IN,
        OVCACHE_DIR: path.join(project, 'cache'),
        // docs/openvino-node.md's samples find openvino-node here: the conformance double.
        OVCACHE_OPENVINO_NODE: path.join(ROOT, 'dist', 'test', 'openvino-node', 'double', 'module.js'),
      },
      stdio: 'pipe',
    });
  } catch (error) {
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    assert.fail(`${what} failed:\n${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`);
  }
}

describe('documentation code samples', () => {
  let esm: string;
  let cjs: string;
  before(() => {
    esm = freshProject('module');
    cjs = freshProject('commonjs');
  });
  after(() => {
    removeDir(esm);
    removeDir(cjs);
  });

  const samples = docs.flatMap(samplesIn);
  it('finds samples to run', () => assert.ok(samples.length > 0));

  samples.forEach((sample, n) => {
    it(`runs ${sample.file}:${sample.line} twice in a fresh ESM project`, function () {
      this.timeout(120000);
      const js = asEsm(sample.code);
      runIn(esm, `sample-${n}.js`, js, `${sample.file}:${sample.line} (ESM, first run)`);
      runIn(esm, `sample-${n}.js`, js, `${sample.file}:${sample.line} (ESM, second run)`);
    });
    if (sample.typescript) {
      it(`runs ${sample.file}:${sample.line} in a fresh CommonJS project, wrapped in an async main`, function () {
        this.timeout(60000);
        runIn(cjs, `sample-${n}.js`, asCommonJs(sample.code), `${sample.file}:${sample.line} (CommonJS)`);
      });
    }
  });
});
