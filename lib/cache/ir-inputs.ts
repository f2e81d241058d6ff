// A model's inputs read from its IR .xml alone (the .bin is never opened), for the cache key:
// EXACTLY what core.readModel reports (name, element type, shape), or undefined and the caller
// reads the model with OpenVINO. It answers only where the XML fixes the answer; every case it
// is not sure of falls back. How upstream builds the inputs (openvinotoolkit/openvino):
// - src/frontends/ir/src/ir_deserializer.cpp, parse_function: the model's Parameters are the
//   <net><layers> Parameter layers in file order; parse_generic_params reads an output port's
//   `names` (split on ',', "\," escapes a comma) and create_node sets them as the tensor names
//   of output 0 (only when not empty). A Parameter's element_type and shape come from <data>.
// - src/core/src/descriptor/tensor.cpp: get_any_name() (what ov_port_get_any_name returns) is
//   the SMALLEST name (std::min_element over the names, std::string bytes compared).
// - src/inference/src/model_reader.cpp, update_v10_model: an IR v10 model gets its layer names
//   added as tensor names and f16 inputs turned to f32: only IR v11 is read here.
// - src/frontends/ir/src/utils.hpp / utils.cpp: names are taken with `stringstream >> string`
//   (a name with whitespace is cut) and shapes with PartialShape(text); fields that are empty
//   throw. Names with whitespace, backslashes or empty fields, and shapes outside the plain
//   grammar (n, ?, -1, a..b, a.., ..b, "..." for a dynamic rank) fall back.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { modelFilesOf } from '../fs/model-files';
import { logger } from '../log';
import type { InputIdentity } from './key';
import { scanXml, XmlScanRefused } from './ir-xml-scan';

/** Limits of the XML read: a larger file, or a deeper one, is left to OpenVINO's reader. */
/** scanHeapMb: the scan's heap in its worker; a hostile .xml under the size cap that needs more ends the worker, not the process. */
/** inThreadBytes: an .xml up to this size is scanned in place (a worker costs ~65 ms to start; 1 MB scans in ~40 ms). */
export const IR_INPUTS_LIMITS = { maxXmlBytes: 64 * 1024 * 1024, maxDepth: 64, scanHeapMb: 512, inThreadBytes: 1024 * 1024 };

/** The element type names the IR writes and the addon reports identically (ov::element::Type names). */
const ELEMENT_TYPES = new Set([
  'boolean',
  'bf16',
  'f16',
  'f32',
  'f64',
  'i4',
  'i8',
  'i16',
  'i32',
  'i64',
  'u1',
  'u4',
  'u8',
  'u16',
  'u32',
  'u64',
]);
const MAX_DIM = Number.MAX_SAFE_INTEGER;

const log = logger('cache');

/**
 * The inputs of an IR model (.xml with its .bin beside it) from the XML, or undefined when
 * OpenVINO must read the model (the reason is logged).
 */
export async function irInputsFromXml(xml: string): Promise<InputIdentity[] | undefined> {
  const bin = modelFilesOf(xml)[1];
  const result = bin !== undefined && fs.existsSync(bin) ? await readIrInputs(xml) : { fallback: 'no .bin beside the .xml' };
  if ('inputs' in result) return result.inputs;
  log('inputs of %s read with OpenVINO: %s', xml, result.fallback);
  return undefined;
}

export type IrInputsResult = { inputs: InputIdentity[] } | { fallback: string };

const SCAN_WORKER = path.join(__dirname, 'ir-inputs-worker.js');

/**
 * The inputs of the IR model at `xml`, or why they must be read with OpenVINO. Never throws.
 * An .xml over limits.inThreadBytes is scanned in a worker thread under a heap limit: a large
 * .xml never stalls this thread's event loop, and one that would exhaust the heap falls back.
 */
export async function readIrInputs(xml: string, limits = IR_INPUTS_LIMITS): Promise<IrInputsResult> {
  if (!/\.xml$/i.test(xml)) return { fallback: 'not an IR .xml' };
  try {
    const { size } = await fs.promises.stat(xml);
    if (size > limits.maxXmlBytes) return { fallback: `the .xml is over ${limits.maxXmlBytes} bytes` };
    if (size <= limits.inThreadBytes) return readIrInputsHere(xml, limits);
  } catch (error) {
    return { fallback: `cannot read the .xml: ${(error as Error).message}` };
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: IrInputsResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    let worker: Worker;
    try {
      worker = new Worker(SCAN_WORKER, {
        workerData: { xml, limits: { ...limits } },
        resourceLimits: { maxOldGenerationSizeMb: limits.scanHeapMb },
      });
    } catch (error) {
      done({ fallback: `cannot start the .xml scan: ${(error as Error).message}` });
      return;
    }
    worker.once('message', (result: IrInputsResult) => done(result));
    worker.once('error', (error) => done({ fallback: `the .xml scan failed: ${error.message}` }));
    worker.once('exit', (code) => done({ fallback: `the .xml scan stopped (exit ${code})` }));
  });
}

/** readIrInputs' work, on the calling thread (the scan worker runs it). Never throws. */
export function readIrInputsHere(xml: string, limits: typeof IR_INPUTS_LIMITS): IrInputsResult {
  let text: string;
  try {
    const fd = fs.openSync(xml, 'r');
    try {
      const { size } = fs.fstatSync(fd);
      if (size > limits.maxXmlBytes) return { fallback: `the .xml is over ${limits.maxXmlBytes} bytes` };
      // fatal: bytes that are not UTF-8 are compared raw by OpenVINO, never as U+FFFD here
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(fs.readFileSync(fd));
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    return { fallback: `cannot read the .xml as UTF-8: ${(error as Error).message}` };
  }
  if (text.length > limits.maxXmlBytes) return { fallback: `the .xml is over ${limits.maxXmlBytes} bytes` };
  const declared = /^\uFEFF?<\?xml[^>]*\sencoding\s*=\s*["']([^"']*)["']/.exec(text)?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared)) return { fallback: `the .xml declares encoding ${declared}` };
  try {
    return { inputs: irInputsOfText(text, limits.maxDepth) };
  } catch (error) {
    if (error instanceof XmlScanRefused) return { fallback: error.reason };
    return { fallback: `the .xml scan failed: ${(error as Error).message}` };
  }
}

interface ParameterLayer {
  data?: ReadonlyMap<string, string>;
  /** The `names` of the first port of the first <output>, when present. */
  names?: string | undefined;
  portSeen: boolean;
  outputSeen: boolean;
}

/** The inputs from the IR text; throws XmlScanRefused when they are not exactly known. */
export function irInputsOfText(text: string, maxDepth = IR_INPUTS_LIMITS.maxDepth): InputIdentity[] {
  const params: ParameterLayer[] = [];
  let layer: ParameterLayer | undefined;
  let layerCount = 0;
  let layersSections = 0;
  scanXml(text, { maxDepth }, (path, attrs) => {
    const d = path.length;
    // upstream reads the first <layers> only (root.child("layers")): a second one is left to it
    if (d === 2 && path[1] === 'layers' && ++layersSections > 1) throw new XmlScanRefused('more than one <layers>');
    if (path[d - 1] === 'attribute' && /^old_api_map/.test(attrs.get('name') ?? '')) {
      // legacy layout/precision maps of old Model Optimizer IRs: left to OpenVINO's reader
      throw new XmlScanRefused('an old_api_map runtime attribute');
    }
    if (d === 1) {
      if (path[0] !== 'net') throw new XmlScanRefused(`the root element is <${path[0]}>, not <net>`);
      if (attrs.get('version') !== '11') throw new XmlScanRefused(`IR version ${attrs.get('version') ?? 'none'} (only 11 is read here)`);
    } else if (d === 2 && path[1] === 'pre-process') {
      throw new XmlScanRefused('a <pre-process> section');
    } else if (d === 3 && path[1] === 'layers' && path[2] === 'layer') {
      layerCount++;
      const type = attrs.get('type') ?? '';
      layer = undefined;
      if (type === 'Parameter') {
        if (!/^opset\d+$/.test(attrs.get('version') ?? '')) throw new XmlScanRefused('a Parameter outside the standard opsets');
        layer = { portSeen: false, outputSeen: false };
        params.push(layer);
      } else if (type.toLowerCase() === 'parameter') {
        throw new XmlScanRefused(`a Parameter layer spelled ${type}`);
      }
    } else if (d === 4 && layer && path[1] === 'layers') {
      if (path[3] === 'data') {
        if (layer.data) throw new XmlScanRefused('a Parameter with two <data> elements');
        layer.data = attrs;
      } else if (path[3] === 'output') {
        if (layer.outputSeen) layer.portSeen = true; // only the first <output> counts
        layer.outputSeen = true;
      }
    } else if (d === 5 && layer && path[1] === 'layers' && path[3] === 'output' && path[4] === 'port' && !layer.portSeen) {
      layer.portSeen = true;
      layer.names = attrs.get('names');
    }
  });
  if (layerCount === 0) throw new XmlScanRefused('no <layers>');
  return params.map(toInputIdentity);
}

function toInputIdentity(layer: ParameterLayer): InputIdentity {
  const elementType = layer.data?.get('element_type');
  const shape = layer.data?.get('shape');
  if (elementType === undefined || !ELEMENT_TYPES.has(elementType)) {
    throw new XmlScanRefused(`a Parameter of element type ${elementType ?? 'none'}`);
  }
  if (shape === undefined) throw new XmlScanRefused('a Parameter without a shape');
  return { name: anyName(layer.names), shape: canonicalShape(shape), elementType };
}

/** ov_port_get_any_name of the Parameter's output: the smallest of its names (UTF-8 bytes). */
function anyName(names: string | undefined): string {
  if (names === undefined || names === '') throw new XmlScanRefused('a Parameter without tensor names');
  const list = names.split(',');
  for (const n of list) {
    if (n === '' || /[\s\\]/.test(n)) throw new XmlScanRefused('tensor names with whitespace, escapes or empty fields');
  }
  return list.reduce((min, n) => (Buffer.compare(Buffer.from(n, 'utf8'), Buffer.from(min, 'utf8')) < 0 ? n : min));
}

/** The IR shape text in formatPartialShape's canonical form ("[1,3,?,1..10]", "?" for a dynamic rank). */
function canonicalShape(text: string): string {
  if (text === '...') return '?';
  if (text === '') return '[]';
  return `[${text.split(',').map(canonicalDim).join(',')}]`;
}

function canonicalDim(field: string): string {
  if (field === '?' || field === '-1') return '?';
  const range = /^(\d*)\.\.(\d*)$/.exec(field);
  if (range) {
    const min = range[1] ? bounded(range[1]) : 0;
    if (!range[2]) return min === 0 ? '?' : `${min}..`;
    const max = bounded(range[2]);
    if (max < min) throw new XmlScanRefused(`an empty dimension range ${field}`);
    return min === max ? String(min) : `${min}..${max}`;
  }
  if (/^\d+$/.test(field)) return String(bounded(field));
  throw new XmlScanRefused(`a shape dimension outside the plain grammar: ${field}`);
}

function bounded(digits: string): number {
  const n = Number(digits);
  if (!(n <= MAX_DIM)) throw new XmlScanRefused(`a dimension over ${MAX_DIM}`);
  return n;
}
