// Writes the test fixtures to out/fixtures/: the models of lib/selftest/fixture-models.ts (the
// ones the self-test also writes), plus models only the tests and benchmarks use. Weights are
// deterministic so tests can check real numbers.
import path from 'node:path';
import { IrWriter, type IrPaths } from '../lib/selftest/ir-writer';
import { IMAGE_BIAS, IMAGE_SCALE, writeAll } from '../lib/selftest/fixture-models';

export * from '../lib/selftest/fixture-models';

const MATMUL = 'transpose_a="false" transpose_b="false"';
const NUMPY = 'auto_broadcast="numpy"';
export const weightAt = (k: number): number => ((k % 13) - 6) / 64;

/** input "input" f32 [1,K] -> MatMul const [K,1] -> Result ("output"); K = bytes / 4. */
export function writeWeightsModel(dir: string, bytes: number, name = `weights-${bytes}`): IrPaths {
  const k = Math.max(1, Math.floor(bytes / 4));
  const w = new Float32Array(k);
  for (let i = 0; i < k; i++) w[i] = weightAt(i);
  const ir = new IrWriter(name);
  const p = ir.parameter('input', [1, k]);
  const c = ir.constant('weight', [k, 1], w);
  const m = ir.op('MatMul', 'matmul', [p, c], [1, 1], MATMUL, 'output');
  ir.op('Result', 'output/sink', [m], [1, 1]);
  return ir.write(dir, name);
}

/**
 * A 4-D image model with `bytes` of weights: input "image" f32 [1,3,H,W] * scale + bias -> Relu,
 * plus MatMul(weight^T, weight) ([1,1], weight [K,1], K = bytes / 4) broadcast over it -> "output".
 */
export function writeImageWeightsModel(dir: string, bytes: number, name = `image-weights-${bytes}`, hw = [64, 64]): IrPaths {
  const k = Math.max(1, Math.floor(bytes / 4));
  const w = new Float32Array(k);
  for (let i = 0; i < k; i++) w[i] = weightAt(i);
  const dims = [1, 3, ...hw];
  const ir = new IrWriter(name);
  const p = ir.parameter('image', dims);
  const sc = ir.constant('scale', [1, 3, 1, 1], Float32Array.from(IMAGE_SCALE));
  const mu = ir.op('Multiply', 'mul', [p, sc], dims, NUMPY);
  const bi = ir.constant('bias', [1, 3, 1, 1], Float32Array.from(IMAGE_BIAS));
  const ad = ir.op('Add', 'add', [mu, bi], dims, NUMPY);
  const re = ir.op('Relu', 'relu', [ad], dims);
  const c = ir.constant('weight', [k, 1], w);
  const dot = ir.op('MatMul', 'dot', [c, c], [1, 1], 'transpose_a="true" transpose_b="false"');
  const out = ir.op('Add', 'with_dot', [re, dot], dims, NUMPY, 'output');
  ir.op('Result', 'output/sink', [out], dims);
  return ir.write(dir, name);
}

/** Reference output of the weights model. */
export function weightsReference(input: Float32Array): number {
  let s = 0;
  for (let i = 0; i < input.length; i++) s += (input[i] ?? 0) * weightAt(i);
  return s;
}

/**
 * For the stand-in only: input "x" f32 [2] -> Relu -> Result ("y"), and a string Const [2] ->
 * Result ("text"). The stand-in stores no bytes for strings (upstream keeps std::string objects,
 * and its IR packs them differently), so this model exists to check that a string output is
 * refused, never copied.
 */
export function writeStringOutputModel(dir: string, name = 'string-output'): IrPaths {
  const ir = new IrWriter(name);
  const x = ir.parameter('x', [2]);
  const re = ir.op('Relu', 'relu', [x], [2], undefined, 'y');
  ir.op('Result', 'y/sink', [re], [2]);
  const text = ir.constant('text', [2], new Uint8Array(0), 'string', 'text');
  ir.op('Result', 'text/sink', [text], [2]);
  return ir.write(dir, name);
}

if (require.main === module) {
  const dir = process.argv[2] ?? path.resolve(__dirname, '..', '..', 'out', 'fixtures');
  for (const p of writeAll(dir)) console.log(`make-fixtures: wrote ${p.xml}`);
}
