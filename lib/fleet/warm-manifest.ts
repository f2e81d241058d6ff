// Warm-up manifests: what `ovcache warm` and warm() compile into the cache and its tiers.
// JSON or YAML with the same fields (a YAML parser reads both):
//   { "models": [ { "model": "unet.xml", "device": "GPU", "shapes": { "sample": [1, 4, 64, 64] },
//                   "config": { "PERFORMANCE_HINT": "LATENCY" } } ],
//     "dir": "/cache", "tiers": [ ... ], "coordinator": { "redis": "redis://..." } }
// Relative model paths and `dir` are relative to the manifest's folder.
import fs from 'node:fs';
import path from 'node:path';
import type { CompileConfig } from '../openvino/properties';
import type { ShapeInput } from '../openvino/shapes';
import { nearest } from '../openvino/validate';
import { yaml } from '../deferred-deps';
import { OvcacheError } from '../errors';
import { resolveFleetOptions, type FleetOptions } from './fleet-options';

export interface WarmModel {
  model: string;
  /** Default "CPU". */
  device?: string;
  shapes?: Record<string, ShapeInput>;
  config?: CompileConfig;
}

export interface WarmManifest extends Partial<FleetOptions> {
  models: WarmModel[];
  /** The local cache folder. */
  dir?: string;
}

const TOP = ['models', 'dir', 'tiers', 'coordinator', 'publish', 'timeoutMs', 'retryAfterMs', 'leaseTtlMs', 'leaseWaitMs', 'pollMs'];
const MODEL = ['model', 'device', 'shapes', 'config'];

function invalid(where: string, message: string): OvcacheError {
  return new OvcacheError('OVCACHE_WARM_MANIFEST_INVALID', `${where}: ${message}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function unknownFields(value: Record<string, unknown>, known: string[], where: string): void {
  for (const name of Object.keys(value)) {
    if (known.includes(name)) continue;
    const hint = nearest(name, known);
    throw invalid(where, `unknown field "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; known fields: ${known.join(', ')}`);
  }
}

function checkModel(m: unknown, where: string): WarmModel {
  if (!isObject(m)) throw invalid(where, 'expected an object with a "model" path');
  unknownFields(m, MODEL, where);
  if (typeof m.model !== 'string' || m.model === '') throw invalid(`${where}.model`, 'expected the path of a model file');
  if (m.device !== undefined && (typeof m.device !== 'string' || m.device === ''))
    throw invalid(`${where}.device`, 'expected a device name');
  if (m.shapes !== undefined) {
    if (!isObject(m.shapes)) throw invalid(`${where}.shapes`, 'expected { input: [dims] }');
    for (const [name, dims] of Object.entries(m.shapes))
      if (typeof dims !== 'string' && !Array.isArray(dims))
        throw invalid(`${where}.shapes.${name}`, 'expected a list of dimensions or a "1,3,?,?" string');
  }
  if (m.config !== undefined && !isObject(m.config)) throw invalid(`${where}.config`, 'expected { PROPERTY: value }');
  return m as unknown as WarmModel;
}

/** Parses and checks a manifest's text; `source` names it in errors. */
export function parseWarmManifest(text: string, source = 'manifest'): WarmManifest {
  let doc: unknown;
  try {
    doc = yaml().parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw invalid(source, `not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (!isObject(doc)) throw invalid(source, 'expected an object with a "models" list');
  unknownFields(doc, TOP, source);
  if (!Array.isArray(doc.models) || doc.models.length === 0) throw invalid(`${source}: models`, 'expected a non-empty list');
  const models = doc.models.map((m, i) => checkModel(m, `${source}: models[${i}]`));
  if (doc.dir !== undefined && (typeof doc.dir !== 'string' || doc.dir === '')) throw invalid(`${source}: dir`, 'expected a folder path');
  const { models: _models, dir: _dir, ...fleet } = doc;
  if (Object.keys(fleet).length > 0) {
    try {
      resolveFleetOptions({ tiers: [], ...fleet }, 'manifest');
    } catch (error) {
      throw invalid(source, (error as Error).message);
    }
  }
  return { ...(fleet as Partial<FleetOptions>), models, ...(doc.dir !== undefined ? { dir: doc.dir } : {}) };
}

/** Reads a manifest file; model paths and dir come back absolute (relative ones from its folder). */
export async function readWarmManifest(file: string): Promise<WarmManifest> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    throw invalid(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return resolveManifestPaths(parseWarmManifest(text, file), path.dirname(path.resolve(file)));
}

export function resolveManifestPaths(manifest: WarmManifest, baseDir: string): WarmManifest {
  const tiers = manifest.tiers?.map((t) => ('path' in t ? { ...t, path: path.resolve(baseDir, t.path) } : t));
  return {
    ...manifest,
    models: manifest.models.map((m) => ({ ...m, model: path.resolve(baseDir, m.model) })),
    ...(manifest.dir !== undefined ? { dir: path.resolve(baseDir, manifest.dir) } : {}),
    ...(tiers ? { tiers } : {}),
  };
}
