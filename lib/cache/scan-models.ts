// Whether the model files an entry was compiled from are still there and unchanged (the
// scan's 'model-missing' / 'model-changed'): each path stat'ed once per scan, only stat'ed,
// never read.
import fs from 'node:fs';
import path from 'node:path';
import { weightsFileOf } from '../fs/model-files';
import type { EntryManifest, EntrySource } from './entry/manifest';
import { isReshapedIr } from './warm/warm-path';

type PathSource = Extract<EntrySource, { kind: 'path' }>;

type ModelStat = { size: bigint; mtimeNs: bigint } | null;

/**
 * Why an entry cannot serve (or no longer serves) a compile:
 *   runtime-version  made by another OpenVINO build than currentBuildNumber
 *   model-missing    none of the model files it was compiled from exists any more
 *   model-changed    they exist, but size or mtime differ from what was compiled
 *   incomplete       the manifest says the compile never finished
 *   blob-missing     a blob the manifest lists is gone, has another size, or none is listed
 */
export type StaleReason = 'runtime-version' | 'model-missing' | 'model-changed' | 'incomplete' | 'blob-missing';

/** Model files named by manifests: stat'ed once each per scan (many entries share a model). */
export class ModelFiles {
  private readonly stats = new Map<string, Promise<ModelStat>>();

  stat(file: string): Promise<ModelStat> {
    let p = this.stats.get(file);
    if (!p) {
      // Absolute paths only: a manifest cannot make the scan look relative to the cwd.
      p = path.isAbsolute(file)
        ? fs.promises.stat(file, { bigint: true }).then(
            (s) => (s.isFile() ? { size: s.size, mtimeNs: s.mtimeNs } : null),
            () => null,
          )
        : Promise.resolve(null);
      this.stats.set(file, p);
    }
    return p;
  }

  /** 'model-missing' when no model file it came from exists, 'model-changed' when none still matches. */
  async check(m: EntryManifest): Promise<StaleReason | undefined> {
    const bin = m.parts.model.files.find((f) => f.role === 'bin');
    // A reshaped IR (the warm path) is ovcache's file: the model's own are in modelPaths.
    const paths = m.sources.filter((s): s is PathSource => s.kind === 'path' && !isReshapedIr(s.xml));
    if (paths.length > 0) {
      let anyExists = false;
      for (const s of paths) {
        const xml = await this.stat(s.xml);
        if (!xml) continue;
        anyExists = true;
        if (xml.size !== BigInt(s.size) || String(xml.mtimeNs) !== s.mtimeNs) continue;
        if (bin) {
          const binFile = weightsFileOf(s.xml);
          const binStat = binFile === undefined ? null : await this.stat(binFile);
          if (!binStat || binStat.size !== BigInt(bin.size)) continue;
        }
        return undefined;
      }
      return anyExists ? 'model-changed' : 'model-missing';
    }
    if (m.modelPaths.length === 0) return undefined;
    const found = await Promise.all(m.modelPaths.map((p) => this.stat(p)));
    return found.some(Boolean) ? undefined : 'model-missing';
  }
}
