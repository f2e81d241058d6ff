// Turns (path or name, options) into the registry's identity of a model and the options to
// load it with. Memoized: the hot path (a loaded model, the same spelling) costs a map lookup.
import path from 'node:path';
import { canonicalConfig } from '../cache/config-canon';
import { canonicalJson } from '../cache/key';
import type { CompileOptions } from '../cache/options';
import { formatPartialShape, parseShapeInput } from '../openvino/shapes';
import { invalidArgument } from '../openvino/validate';
import type { ModelDefinition, RegistryGetOptions } from './options';

export interface Resolved {
  id: string;
  model: string;
  name: string | undefined;
  opts: CompileOptions;
  definition: ModelDefinition | undefined;
}

const MEMO_LIMIT = 1000;

export class Resolver {
  private readonly definitions = new Map<string, ModelDefinition>();
  /** (absolute path or name, device, cache) without shapes or config -> resolved. */
  private readonly memo = new Map<string, Resolved>();

  define(name: string, definition: ModelDefinition): void {
    this.definitions.set(name, definition);
    this.memo.clear();
  }

  resolve(pathOrName: string, o: RegistryGetOptions): Resolved {
    if (typeof pathOrName !== 'string' || pathOrName === '')
      throw invalidArgument('a model path or a defined name', 'pathOrName', pathOrName);
    // Relative paths are not memoized: they resolve against the working folder of the moment.
    const simple = o.shapes === undefined && o.config === undefined && (path.isAbsolute(pathOrName) || this.definitions.has(pathOrName));
    const memoKey = simple ? `${pathOrName}\0${String(o.device)}\0${String(o.cache)}` : undefined;
    if (memoKey !== undefined) {
      const hit = this.memo.get(memoKey);
      if (hit) return hit;
    }
    const resolved = this.compute(pathOrName, o);
    if (memoKey !== undefined) {
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(memoKey, resolved);
    }
    return resolved;
  }

  private compute(pathOrName: string, o: RegistryGetOptions): Resolved {
    const def = this.definitions.get(pathOrName);
    const name = def ? pathOrName : undefined;
    const model = def ? def.model : path.resolve(pathOrName);
    const device = o.device ?? def?.device;
    if (typeof device !== 'string' || device === '') throw invalidArgument('a device name such as "CPU"', 'options.device', device);
    const shapes = o.shapes ?? def?.shapes;
    const config = def?.config || o.config ? { ...def?.config, ...o.config } : undefined;
    const cache = o.cache ?? def?.cache;
    const canonicalShapes: Record<string, string> = {};
    for (const [input, shape] of Object.entries(shapes ?? {}))
      canonicalShapes[input] = formatPartialShape(parseShapeInput(shape, `shapes.${input}`));
    const id = canonicalJson({ model, device, shapes: canonicalShapes, config: canonicalConfig(config), cache: cache ?? true });
    const opts: CompileOptions = { device };
    if (shapes) opts.shapes = shapes;
    if (config) opts.config = config;
    if (cache !== undefined) opts.cache = cache;
    return { id, model, name, opts, definition: def };
  }
}
