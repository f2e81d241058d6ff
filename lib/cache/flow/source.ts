// What a prepared compile brings to its entry: the source OpenVINO compiles (and the manifest
// records), and the request the entry and the tiers are asked with.
import type { CompileConfig } from '../../openvino/properties';
import type { RuntimeModel } from '../../runtime/runtime-port';
import type { EntrySource } from '../entry/manifest';
import type { EntryRequest } from '../entry/usable';
import type { PreparedCompile } from '../key-builder';

/** What OpenVINO compiles into the entry: the entry's reshaped IR, else the model object, else the model path. */
export function compiledFrom(prep: PreparedCompile): string | RuntimeModel {
  return prep.irSource?.xml ?? prep.modelObject ?? prep.xml;
}

export function request(prep: PreparedCompile): EntryRequest {
  return { key: prep.key, entryDir: prep.entryDir, source: sourceOf(prep) };
}

export function sourceOf(prep: PreparedCompile): EntrySource {
  if (prep.irSource) return { kind: 'path', ...prep.irSource };
  return prep.modelObject || prep.deferredShapes
    ? { kind: 'model' }
    : { kind: 'path', xml: prep.xml, mtimeNs: prep.xmlMtimeNs, size: prep.xmlSize };
}

/** The compile's config with CACHE_DIR set to the entry's folder. */
export function withCacheDir(config: CompileConfig | undefined, dir: string): CompileConfig {
  return { ...config, CACHE_DIR: dir };
}
