// A small writer of OpenVINO IR v11 models (.xml + .bin). The layout follows upstream's own IR
// test files: <net version="11">, layers with id/name/type/version="opset1", <data>
// element_type/shape/offset/size, ports with precision and <dim>s, and <edges>.
import fs from 'node:fs';
import path from 'node:path';

export interface IrPaths {
  xml: string;
  bin: string;
}

type Dims = readonly number[];

export class IrWriter {
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
    options: { elementType?: string; precision?: string; shape?: string; names?: string | null } = {},
  ): { id: number; port: number; dims: Dims } {
    const id = this.nextId++;
    const et = options.elementType ?? 'f32';
    const names = options.names === null ? undefined : (options.names ?? name);
    this.layers.push(
      `\t\t<layer id="${id}" name="${name}" type="Parameter" version="opset1">\n` +
        `\t\t\t<data shape="${options.shape ?? dims.join(',')}" element_type="${et}" />\n` +
        `\t\t\t<output>\n${this.port(0, dims, names, options.precision ?? 'FP32')}\t\t\t</output>\n\t\t</layer>\n`,
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
