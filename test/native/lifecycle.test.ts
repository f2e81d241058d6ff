// The addon's lifecycle guarantees: real async (the event loop runs during a slow compile),
// worker threads that load it and exit cleanly, and bounded memory over many cycles.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NativeBinding } from '../../lib/runtime/native-binding';
import { fixture, ROOT, STAND_IN } from '../helpers/paths';

// The built addon, or the one OVCACHE_NATIVE_BINDING names (the sanitizer run injects its own).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as { resolve(root: string): string };
const ADDON = path.resolve(process.env.OVCACHE_NATIVE_BINDING ?? nodeGypBuild.resolve(ROOT));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require(ADDON) as NativeBinding;

/** Code that defines `binding`, `STAND_IN` and `MLP` for a child process or a worker. */
const PRELUDE =
  `const binding = require(${JSON.stringify(ADDON)});\n` +
  `const STAND_IN = ${JSON.stringify(STAND_IN)};\n` +
  `const MLP = ${JSON.stringify(fixture('mlp.xml'))};\n`;

function runChild(code: string, env: Record<string, string> = {}): string {
  const result = spawnSync(process.execPath, ['-e', PRELUDE + code], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, `child failed (${String(result.status)}, ${String(result.signal)}):\n${result.stderr}`);
  return result.stdout;
}

/** Runs `code` in a worker thread; resolves with its messages and exit code. */
function runWorker(code: string): Promise<{ messages: unknown[]; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PRELUDE + code, { eval: true });
    const messages: unknown[] = [];
    worker.on('message', (m) => messages.push(m));
    worker.on('error', reject);
    worker.on('exit', (exitCode) => resolve({ messages, exitCode }));
  });
}

describe('native binding: lifecycle', function () {
  this.timeout(120_000);

  before(function () {
    assert.ok(fs.existsSync(STAND_IN), `the stand-in is missing: ${STAND_IN} (npm run build:test-runtime)`);
    assert.ok(fs.existsSync(fixture('mlp.xml')), 'fixtures are missing (npm run build:fixtures)');
  });

  it('keeps the event loop running during a slow compile (OV_STUB_COMPILE_MS=800)', () => {
    const out = runChild(
      `const core = binding.loadRuntime(STAND_IN).createCore();
       let ticks = 0;
       const timer = setInterval(() => ticks++, 50);
       const start = Date.now();
       core.compileModelFromFile(MLP, 'CPU', []).then((compiled) => {
         clearInterval(timer);
         console.log(JSON.stringify({ ticks, elapsed: Date.now() - start }));
         compiled.dispose();
         core.dispose();
       });`,
      { OV_STUB_COMPILE_MS: '800' },
    );
    const { ticks, elapsed } = JSON.parse(out) as { ticks: number; elapsed: number };
    assert.ok(elapsed >= 700, `the compile was not slow (${elapsed} ms)`);
    assert.ok(ticks >= 8, `only ${ticks} timer ticks in ${elapsed} ms: the compile blocked the loop`);
  });

  it('loads and runs inside a worker thread, which exits cleanly with no live handles', async () => {
    const mainBefore = binding.liveHandles();
    const { messages, exitCode } = await runWorker(
      `const { parentPort } = require('node:worker_threads');
       (async () => {
         const core = binding.loadRuntime(STAND_IN).createCore();
         const model = await core.readModel(MLP, '');
         const compiled = await core.compileModel(model, 'CPU', []);
         const request = compiled.createInferRequest();
         const [out] = await request.infer([{ name: 'input', elementType: 'f32', shape: [1, 16], data: new Float32Array(16) }]);
         parentPort.postMessage({ live: binding.liveHandles(), shape: out.shape });
         request.dispose(); compiled.dispose(); model.dispose(); core.dispose();
         parentPort.postMessage({ live: binding.liveHandles() });
         // Left for the env cleanup hook: a core, a model, a compiled model, a request.
         const core2 = binding.loadRuntime(STAND_IN).createCore();
         const model2 = await core2.readModel(MLP, '');
         const compiled2 = await core2.compileModel(model2, 'CPU', []);
         compiled2.createInferRequest();
         parentPort.postMessage({ live: binding.liveHandles() });
       })().catch((e) => { parentPort.postMessage({ error: e.message }); process.exit(1); });`,
    );
    assert.equal(exitCode, 0, JSON.stringify(messages));
    assert.deepEqual(messages, [{ live: 4, shape: [1, 4] }, { live: 0 }, { live: 4 }]);
    assert.equal(binding.liveHandles(), mainBefore, 'the worker changed the main thread count');
  });

  it('survives a worker terminated during a slow compile (child process)', () => {
    const out = runChild(
      `const { Worker } = require('node:worker_threads');
       const worker = new Worker(${JSON.stringify(PRELUDE)} +
         "const core = binding.loadRuntime(STAND_IN).createCore();" +
         "core.compileModelFromFile(MLP, 'CPU', []);" +
         "require('node:worker_threads').parentPort.postMessage('started');",
         { eval: true });
       worker.on('message', () => setTimeout(() => worker.terminate(), 100));
       worker.on('exit', (code) => console.log('exit ' + code));`,
      { OV_STUB_COMPILE_MS: '500' },
    );
    assert.match(out, /exit 1/);
  });

  it('runs 1,000 compile/infer/dispose cycles with bounded memory and no leaked handles', () => {
    // In a child process: the handle count is per addon instance, and other suites in this
    // process may still have background work in flight.
    const out = runChild(
      `(async () => {
         const core = binding.loadRuntime(STAND_IN).createCore();
         const input = [{ name: 'input', elementType: 'f32', shape: [1, 16], data: new Float32Array(16).fill(0.5) }];
         const baseline = binding.liveHandles();
         const cycle = async () => {
           const compiled = await core.compileModelFromFile(MLP, 'CPU', ['PERFORMANCE_HINT', 'LATENCY']);
           const request = compiled.createInferRequest();
           const [out] = await request.infer(input);
           if (out.data.byteLength !== 16) throw new Error('bad output size ' + out.data.byteLength);
           request.dispose();
           compiled.dispose();
         };
         for (let i = 0; i < 50; ++i) await cycle(); // warm up allocators and JIT
         global.gc?.();
         const rssBefore = process.memoryUsage().rss;
         const start = Date.now();
         for (let i = 0; i < 1000; ++i) await cycle();
         global.gc?.();
         const growth = (process.memoryUsage().rss - rssBefore) / (1024 * 1024);
         console.log(JSON.stringify({ baseline, after: binding.liveHandles(), growth, ms: Date.now() - start }));
         core.dispose();
       })().catch((e) => { console.error(e); process.exit(1); });`,
    );
    const { baseline, after, growth, ms } = JSON.parse(out) as { baseline: number; after: number; growth: number; ms: number };
    console.log(`      1,000 cycles in ${ms} ms, RSS growth ${growth.toFixed(1)} MB`);
    assert.equal(after, baseline);
    // ASan's quarantine holds freed memory on purpose: only the handle count means anything there.
    if (!process.env.OVCACHE_SANITIZER_RUN) assert.ok(growth < 50, `RSS grew by ${growth.toFixed(1)} MB`);
  });
});
