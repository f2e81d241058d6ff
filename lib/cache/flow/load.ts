// The load stage: OpenVINO compiles with CACHE_DIR set to a usable entry, and loads its blob
// (a hit); if it compiled anyway, a miss. A leaf: the flow builds the outcome.
import { performance } from 'node:perf_hooks';
import type { RuntimeCore } from '../../runtime/runtime-port';
import type { EntryManifest } from '../entry/manifest';
import type { ManifestWriter } from '../entry/manifest-writer';
import type { KeyBuilder, PreparedCompile } from '../key-builder';
import type { ResolvedCompileOptions } from '../options';
import type { CachePolicyKeeper } from '../policy/policy';
import type { Done } from '../compile-outcome';
import { compiledFrom, withCacheDir } from './source';

export interface LoadParts {
  core(): RuntimeCore;
  keys: KeyBuilder;
  manifests: ManifestWriter;
  policy: CachePolicyKeeper;
}

/** `touch`: record the use in the manifest (in the background); a read-only cache does not. */
export async function loadEntry(
  p: LoadParts,
  prep: PreparedCompile,
  opts: ResolvedCompileOptions,
  manifest: EntryManifest,
  touch: boolean,
): Promise<Done> {
  if (!prep.irSource) await p.keys.materialize(prep);
  const mark = p.policy.mark();
  opts.waits.progress.phase('load');
  const t = performance.now();
  const compiled = await p.core().compileModel(compiledFrom(prep), opts.device, withCacheDir(opts.config, prep.entryDir));
  const compileMs = performance.now() - t;
  const { key, entryDir } = prep;
  if (touch) p.manifests.noteLoad({ key, entryDir, ms: compileMs, fromBlob: compiled.loadedFromCache, alone: p.policy.alone(mark) });
  return { compiled, compileMs, recordedCompileMs: manifest.compileMs };
}
