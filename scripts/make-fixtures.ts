// Writes small, valid OpenVINO IR v11 models (.xml + .bin) to out/fixtures/ for the tests.
// The layout follows upstream's own IR test files: <net version="11">, layers with
// id/name/type/version="opset1", <data> element_type/shape/offset/size, ports with precision
// and <dim>s, and <edges>. Weights are deterministic so tests can check real numbers.
import fs from 'node:fs';
import path from 'node:path';

export interface IrPaths {
  xml: string;
  bin: string;
}

type Dims = readonly number[];

class IrWriter {
  private layers: string[] = [];
  private edges: string[] = [];
  private chunks: Buffer[] = [];
  private offset = 0;
  private nextId = 0;

  constructor(private readonly name: string) {}

  private port(id: number, dims: Dims, names?: string, precision = 'FP32'): string {
    const n = names ? ` names="${names}"` : '';
    const d = dims.map((x) => `\t\t\t\t\t<dim>${x}</dim>\n`).join('');
    return `\t\t\t\t<port id="${id}" precision="${precision}"${n}>\n${d}\t\t\t\t</port>\n`;
  }

  /** `shape` overrides the <data shape> text (e.g. "?,16" or "..."); names null: no tensor name. */
  parameter(
    name: string,
    dims: Dims,
    options: { elementType?: FixtureElementType; shape?: string; names?: string | null } = {},
  ): { id: number; port: number; dims: Dims } {
    const id = this.nextId++;
    const et = options.elementType ?? 'f32';
    const names = options.names === null ? undefined : (options.names ?? name);
    this.layers.push(
      `\t\t<layer id="${id}" name="${name}" type="Parameter" version="opset1">\n` +
        `\t\t\t<data shape="${options.shape ?? dims.join(',')}" element_type="${et}" />\n` +
        `\t\t\t<output>\n${this.port(0, dims, names, PRECISION[et])}\t\t\t</output>\n\t\t</layer>\n`,
    );
    return { id, port: 0, dims };
  }

  constant(
    name: string,
    dims: Dims,
    values: Float32Array | Uint8Array,
    elementType = 'f32',
    names?: string,
  ): { id: number; port: number; dims: Dims } {
    const id = this.nextId++;
    const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    this.layers.push(
      `\t\t<layer id="${id}" name="${name}" type="Const" version="opset1">\n` +
        `\t\t\t<data element_type="${elementType}" shape="${dims.join(',')}" offset="${this.offset}" size="${buf.length}" />\n` +
        `\t\t\t<output>\n${this.port(0, dims, names)}\t\t\t</output>\n\t\t</layer>\n`,
    );
    this.chunks.push(Buffer.from(buf));
    this.offset += buf.length;
    return { id, port: 0, dims };
  }

  op(
    type: string,
    name: string,
    inputs: { id: number; port: number; dims: Dims }[],
    outDims: Dims,
    data?: string,
    names?: string,
  ): { id: number; port: number; dims: Dims } {
    const id = this.nextId++;
    let s = `\t\t<layer id="${id}" name="${name}" type="${type}" version="opset1">\n`;
    if (data) s += `\t\t\t<data ${data} />\n`;
    s += `\t\t\t<input>\n${inputs.map((i, k) => this.port(k, i.dims)).join('')}\t\t\t</input>\n`;
    inputs.forEach((i, k) => this.edges.push(`\t\t<edge from-layer="${i.id}" from-port="${i.port}" to-layer="${id}" to-port="${k}" />\n`));
    if (type !== 'Result') s += `\t\t\t<output>\n${this.port(inputs.length, outDims, names)}\t\t\t</output>\n`;
    s += '\t\t</layer>\n';
    this.layers.push(s);
    return { id, port: inputs.length, dims: outDims };
  }

  write(dir: string, base: string): IrPaths {
    fs.mkdirSync(dir, { recursive: true });
    const xml = path.join(dir, `${base}.xml`);
    const bin = path.join(dir, `${base}.bin`);
    const text =
      `<?xml version="1.0"?>\n<net name="${this.name}" version="11">\n\t<layers>\n${this.layers.join('')}\t</layers>\n` +
      `\t<edges>\n${this.edges.join('')}\t</edges>\n\t<rt_info />\n</net>\n`;
    fs.writeFileSync(bin, Buffer.concat(this.chunks));
    fs.writeFileSync(xml, text);
    return { xml, bin };
  }
}

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
export const weightAt = (k: number): number => ((k % 13) - 6) / 64;

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
  const x = ir.parameter('x', dims, { elementType: et });
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

if (require.main === module) {
  const dir = process.argv[2] ?? path.resolve(__dirname, '..', '..', 'out', 'fixtures');
  for (const p of writeAll(dir)) console.log(`make-fixtures: wrote ${p.xml}`);
}
