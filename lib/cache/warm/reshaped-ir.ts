// An IR .xml with new input shapes written in: the `shape` of each named Parameter and the dims
// of its output port, nothing else. Reading it is reading the original and reshaping it: the IR
// reader builds each Parameter from its `shape` and infers every other shape from there (the
// port dims of other layers are informational; the result is checked after writing, see
// warm-path.ts). Only top-level Parameters are touched; a name that matches none or several (a
// TensorIterator/Loop body has Parameters of its own) gives up, and the caller reshapes as before.
import { formatDimension, parseShapeInput, type Dimension, type ShapeInput } from '../../openvino/shapes';

const LAYER = /<layer\b[^>]*>[\s\S]*?<\/layer>/g;
const ATTR = (name: string) => new RegExp(`\\b${name}="([^"]*)"`);

/** The .xml text with `shapes` applied, or undefined when it cannot be done by rewriting. */
export function rewriteIrShapes(xml: string, shapes: Record<string, ShapeInput>): string | undefined {
  if (!/<net\b/.test(xml) || /<body\b/.test(xml)) return undefined; // sub-graphs: leave them to reshape
  const wanted = new Map<string, Dimension[]>();
  try {
    for (const [name, input] of Object.entries(shapes)) {
      const shape = parseShapeInput(input, `shapes.${name}`);
      if (shape === null || shape.length === 0) return undefined; // reshape refuses these with its own error
      wanted.set(name, shape);
    }
  } catch {
    return undefined;
  }
  const matched = new Map<string, number>();
  let failed = false;
  const out = xml.replace(LAYER, (layer) => {
    const open = /^<layer\b[^>]*>/.exec(layer)?.[0] ?? '';
    if (ATTR('type').exec(open)?.[1] !== 'Parameter') return layer;
    const port = /<output>\s*<port\b[^>]*>/.exec(layer)?.[0];
    const names = decode(port ? (ATTR('names').exec(port)?.[1] ?? '') : '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const hit = names.filter((n) => wanted.has(n));
    if (hit.length === 0) return layer;
    for (const n of hit) matched.set(n, (matched.get(n) ?? 0) + 1);
    const shape = wanted.get(hit[0] as string) as Dimension[];
    const rewritten = hit.every((n) => sameShape(wanted.get(n) as Dimension[], shape)) ? rewriteLayer(layer, shape) : undefined;
    if (rewritten === undefined) failed = true;
    return rewritten ?? layer;
  });
  if (failed) return undefined;
  for (const name of wanted.keys()) if (matched.get(name) !== 1) return undefined;
  return out;
}

function rewriteLayer(layer: string, shape: Dimension[]): string | undefined {
  // The IR's shape text, e.g. "1,3,?,?", "1..8", "4..".
  const withShape = layer.replace(/(<data\b[^>]*\bshape=")[^"]*(")/, `$1${shape.map(formatDimension).join(',')}$2`);
  if (!/<data\b[^>]*\bshape="/.test(layer)) return undefined;
  // The output port's dims: static values as they are, anything else -1 (what the IR writer does).
  return withShape.replace(/(<output>\s*<port\b[^>]*>)([\s\S]*?)(<\/port>)/, (_m, head: string, body: string, tail: string) => {
    const indent = /\n([ \t]*)<dim>/.exec(body)?.[1] ?? '';
    const rest = body.replace(/\s*<dim>[^<]*<\/dim>/g, '');
    const dims = shape.map((d) => `\n${indent}<dim>${typeof d === 'number' ? d : -1}</dim>`).join('');
    return `${head}${dims}${rest}${tail}`;
  });
}

function sameShape(a: Dimension[], b: Dimension[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] as string);
}

/** The reshaped IR as OpenVINO's blob header sees it (an EntrySource of kind 'path'). */
export interface IrSource {
  xml: string;
  mtimeNs: string;
  size: number;
}
