// The models the self-test and the test suite run: tiny IR written at run time (no file of the
// repository is needed, so the installed package can make them), with deterministic weights and
// JS reference outputs so every result is checked against real numbers.
import { IrWriter, type IrPaths } from './ir-writer';

export type { IrPaths } from './ir-writer';

/** The element types the typed fixtures cover, and their IR port precisions. */
export const FIXTURE_ELEMENT_TYPES = ['f32', 'f16', 'i32', 'i64', 'u8', 'boolean'] as const;
export type FixtureElementType = (typeof FIXTURE_ELEMENT_TYPES)[number];
const PRECISION: Record<FixtureElementType, string> = { f32: 'FP32', f16: 'FP16', i32: 'I32', i64: 'I64', u8: 'U8', boolean: 'BOOL' };

const MATMUL = 'transpose_a="false" transpose_b="false"';
const NUMPY = 'auto_broadcast="numpy"';

/** Deterministic MLP weights (the C tests in test-runtime/tests use the same formulas). */
export const mlpW1 = (i: number, j: number): number => (((i * 7 + j * 3) % 11) - 5) / 10;
export const mlpB1 = (j: number): number => ((j % 3) - 1) * 0.5;
export const mlpW2 = (i: number, j: number): number => (((i * 5 + j * 2) % 9) - 4) / 8;
export const IMAGE_SCALE = [1.0, 1.5, 2.0] as const;
export const IMAGE_BIAS = [-1.0, 0.0, 1.0] as const;

function table(rows: number, cols: number, f: (i: number, j: number) => number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = f(i, j);
  return out;
}

/** input "input" f32 [1,16] -> MatMul [16,8] + bias -> Relu -> MatMul [8,4] -> Result ("output"). */
export function writeMlp(dir: string, name = 'mlp'): IrPaths {
  const ir = new IrWriter('mlp');
  const p = ir.parameter('input', [1, 16]);
  const w1 = ir.constant('fc1.weight', [16, 8], table(16, 8, mlpW1));
  const m1 = ir.op('MatMul', 'fc1', [p, w1], [1, 8], MATMUL);
  const b1 = ir.constant(
    'fc1.bias',
    [1, 8],
    table(1, 8, (_i, j) => mlpB1(j)),
  );
  const a1 = ir.op('Add', 'fc1.add', [m1, b1], [1, 8], NUMPY);
  const r1 = ir.op('Relu', 'relu', [a1], [1, 8]);
  const w2 = ir.constant('fc2.weight', [8, 4], table(8, 4, mlpW2));
  const m2 = ir.op('MatMul', 'fc2', [r1, w2], [1, 4], MATMUL, 'output');
  ir.op('Result', 'output/sink', [m2], [1, 4]);
  return ir.write(dir, name);
}

/** Reference output of the MLP for any batch (input length a multiple of 16). */
export function mlpReference(input: Float32Array): Float32Array {
  const batch = Math.floor(input.length / 16);
  const out = new Float32Array(batch * 4);
  for (let b = 0; b < batch; b++) {
    const h = new Float32Array(8);
    for (let j = 0; j < 8; j++) {
      let s = 0;
      for (let i = 0; i < 16; i++) s += (input[b * 16 + i] ?? 0) * mlpW1(i, j);
      s += mlpB1(j);
      h[j] = s > 0 ? s : 0;
    }
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < 8; i++) s += (h[i] ?? 0) * mlpW2(i, j);
      out[b * 4 + j] = s;
    }
  }
  return out;
}

/** input "image" f32 [1,3,32,32] * scale[1,3,1,1] + bias[1,3,1,1] -> Relu -> Result ("output"). */
export function writeImageModel(dir: string, name = 'image'): IrPaths {
  const dims = [1, 3, 32, 32];
  const ir = new IrWriter('image');
  const p = ir.parameter('image', dims);
  const sc = ir.constant('scale', [1, 3, 1, 1], Float32Array.from(IMAGE_SCALE));
  const mu = ir.op('Multiply', 'mul', [p, sc], dims, NUMPY);
  const bi = ir.constant('bias', [1, 3, 1, 1], Float32Array.from(IMAGE_BIAS));
  const ad = ir.op('Add', 'add', [mu, bi], dims, NUMPY);
  const re = ir.op('Relu', 'relu', [ad], dims, undefined, 'output');
  ir.op('Result', 'output/sink', [re], dims);
  return ir.write(dir, name);
}

/** Reference output of the image model for an input of shape [1,3,H,W]. */
export function imageReference(input: Float32Array): Float32Array {
  const plane = input.length / 3;
  return input.map((x, i) => {
    const c = Math.floor(i / plane);
    const y = x * (IMAGE_SCALE[c] ?? 1) + (IMAGE_BIAS[c] ?? 0);
    return y > 0 ? y : 0;
  });
}

/** inputs "a" and "b" f32 [1,8] -> Add -> Result ("sum"). */
export function writeTwoInputs(dir: string, name = 'two-inputs'): IrPaths {
  const ir = new IrWriter('two-inputs');
  const a = ir.parameter('a', [1, 8]);
  const b = ir.parameter('b', [1, 8]);
  const s = ir.op('Add', 'sum', [a, b], [1, 8], NUMPY, 'sum');
  ir.op('Result', 'sum/sink', [s], [1, 8]);
  return ir.write(dir, name);
}

/** y = Convert<et>(Convert<f32>(x) * SCALE + OFFSET): boolean uses -1, 1 (a logical not). */
export function typedCoefficients(et: FixtureElementType): { scale: number; offset: number } {
  return et === 'boolean' ? { scale: -1, offset: 1 } : { scale: 2, offset: 1 };
}

/**
 * input "x" <et> [2,3] -> Convert(f32) -> Multiply -> Add -> Convert(<et>) -> Result ("y").
 * Op types are written in other cases ("convert", "MULTIPLY") when `mixedCase`, which upstream's
 * IR reader accepts (create_insensitive).
 */
export function writeTypedModel(dir: string, et: FixtureElementType, mixedCase = false): IrPaths {
  const dims = [2, 3];
  const { scale, offset } = typedCoefficients(et);
  const ir = new IrWriter(`typed-${et}`);
  const x = ir.parameter('x', dims, { elementType: et, precision: PRECISION[et] });
  const tf = ir.op(mixedCase ? 'convert' : 'Convert', 'to_f32', [x], dims, 'destination_type="f32"');
  const k = ir.constant('scale', [1], Float32Array.of(scale));
  const mu = ir.op(mixedCase ? 'MULTIPLY' : 'Multiply', 'mul', [tf, k], dims, NUMPY);
  const b = ir.constant('offset', [1], Float32Array.of(offset));
  const ad = ir.op(mixedCase ? 'add' : 'Add', 'add', [mu, b], dims, NUMPY);
  const back = ir.op(mixedCase ? 'CONVERT' : 'Convert', 'to_out', [ad], dims, `destination_type="${et}"`, 'y');
  ir.op(mixedCase ? 'result' : 'Result', 'y/sink', [back], dims);
  return ir.write(dir, mixedCase ? `typed-${et}-mixed-case` : `typed-${et}`);
}

/** input "x" f32 with <data shape> `shape` ("?,16", "1..8,16", "4..,16", "...") -> Relu -> Result ("y"). */
export function writeShapedModel(dir: string, shape: string, name: string, names: string | null = 'x'): IrPaths {
  const dims = shape === '...' ? [] : shape.split(',').map((d) => (/^\d+$/.test(d) ? Number(d) : -1));
  const ir = new IrWriter(name);
  const x = ir.parameter('x', dims, { shape, names });
  const re = ir.op('Relu', 'relu', [x], dims, undefined, 'y');
  ir.op('Result', 'y/sink', [re], dims);
  return ir.write(dir, name);
}

export function writeAll(dir: string): IrPaths[] {
  return [
    writeMlp(dir),
    writeImageModel(dir),
    writeTwoInputs(dir),
    ...FIXTURE_ELEMENT_TYPES.map((et) => writeTypedModel(dir, et)),
    writeTypedModel(dir, 'f32', true),
    writeShapedModel(dir, '?,16', 'dynamic-batch'),
    writeShapedModel(dir, '4..,16', 'lower-bound'),
    writeShapedModel(dir, '...', 'dynamic-rank'),
    writeShapedModel(dir, '2,4', 'unnamed-input', null),
  ];
}
