// `ovcache verify`: what is wrong in a cache folder, and (fix) removing what is broken.
//
// fixCache removes only: entry folders that are broken (no or invalid manifest, incomplete,
// blob missing, symlinks inside) or made for another runtime build, via removeEntry (so
// within entries/, lock-checked, symlinks unlinked never followed); symlinks and stray files
// directly in entries/ (unlinked); abandoned trash. Strays elsewhere in the folder are
// reported, never removed. Entries whose model files changed or vanished are reported as
// stale but kept: the model may come back (a remounted drive); prune ages them out.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_STALE_LOCK_MS } from './entry/lock';
import { entriesRoot, removeEntry } from './entry/remove';
import { cleanTrash } from './entry/trash';
import { scanCache, type CacheScan, type ScanOptions, type ScannedEntry } from './scan';

export type ProblemKind =
  | 'manifest-missing'
  | 'manifest-invalid'
  | 'incomplete'
  | 'blob-missing'
  | 'symlink'
  | 'runtime-version'
  | 'model-missing'
  | 'model-changed'
  | 'stray'
  | 'trash'
  | 'unsafe';

export interface Problem {
  kind: ProblemKind;
  /** Relative to the cache folder. */
  path: string;
  key: string | null;
  detail: string;
  bytes: number;
  /** fixCache would remove it. */
  fixable: boolean;
}

export interface VerifyReport {
  dir: string;
  exists: boolean;
  currentBuildNumber: string | null;
  entries: number;
  ok: boolean;
  problems: Problem[];
  /** Entries copied from a tier or a bundle: where from and the key id that signed each (null: accepted unsigned). */
  copied: Array<{ name: string; key: string | null; from: string; signedBy: string | null }>;
}

const FIXABLE_ENTRY: ReadonlySet<ProblemKind> = new Set([
  'manifest-missing',
  'manifest-invalid',
  'incomplete',
  'blob-missing',
  'symlink',
  'runtime-version',
]);

function entryProblems(e: ScannedEntry): Problem[] {
  const at = `entries/${e.name}`;
  const out: Problem[] = [];
  const add = (kind: ProblemKind, detail: string): void => {
    out.push({ kind, path: at, key: e.key, detail, bytes: e.bytes, fixable: FIXABLE_ENTRY.has(kind) });
  };
  if (e.manifest === 'missing') add('manifest-missing', 'no ovcache-entry.json');
  if (e.manifest === 'invalid') add('manifest-invalid', e.manifestProblem ?? 'invalid manifest');
  for (const reason of e.stale) {
    if (reason === 'incomplete') add('incomplete', 'the compile that filled it never finished');
    else if (reason === 'blob-missing') add('blob-missing', 'a blob the manifest lists is missing or has another size');
    else if (reason === 'runtime-version') add('runtime-version', `made by OpenVINO ${e.buildNumber ?? '?'}`);
    else if (reason === 'model-missing') add('model-missing', `no model file it was compiled from exists (${e.modelPaths.join(', ')})`);
    else add('model-changed', `its model files changed since the compile (${e.modelPaths.join(', ')})`);
  }
  if (e.symlinks.length > 0) add('symlink', `symlinks inside: ${e.symlinks.join(', ')}`);
  return out;
}

export function problemsOf(scan: CacheScan): Problem[] {
  const problems = scan.entries.flatMap(entryProblems);
  for (const s of scan.strays) {
    const inEntries = s.path.startsWith('entries/');
    const kind: ProblemKind = s.kind === 'trash' ? 'trash' : 'stray';
    const detail =
      s.kind === 'trash' ? 'left by an interrupted removal' : `${s.kind === 'symlink' ? 'a symlink' : `a ${s.kind}`} no entry accounts for`;
    problems.push({
      kind,
      path: s.path,
      key: null,
      detail,
      bytes: s.bytes,
      fixable: s.kind === 'trash' || (inEntries && s.path !== 'entries'),
    });
  }
  for (const w of scan.warnings) problems.push({ kind: 'unsafe', path: '.', key: null, detail: w, bytes: 0, fixable: false });
  return problems;
}

export async function verifyCache(dir: string, options: ScanOptions = {}): Promise<VerifyReport & { scan: CacheScan }> {
  const scan = await scanCache(dir, options);
  const problems = problemsOf(scan);
  return {
    dir: scan.dir,
    exists: scan.exists,
    currentBuildNumber: scan.currentBuildNumber,
    entries: scan.entries.length,
    ok: problems.length === 0,
    problems,
    copied: scan.entries.flatMap((e) => (e.origin ? [{ name: e.name, key: e.key, from: e.origin.from, signedBy: e.origin.signedBy }] : [])),
    scan,
  };
}

export interface FixOutcome {
  path: string;
  kind: ProblemKind;
  status: 'removed' | 'locked' | 'missing' | 'error';
  bytes: number;
  message?: string;
}

export interface FixResult {
  outcomes: FixOutcome[];
  bytesFreed: number;
}

export async function fixCache(
  report: Pick<VerifyReport, 'dir' | 'problems'>,
  options: { staleLockMs?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<FixResult> {
  const root = report.dir;
  const result: FixResult = { outcomes: [], bytesFreed: 0 };
  const fixable = report.problems.filter((p) => p.fixable);
  // One removal per entry, however many problems it has.
  const byPath = new Map<string, Problem>();
  for (const p of fixable) if (!byPath.has(p.path)) byPath.set(p.path, p);
  let done = 0;
  let trashDone = false;
  for (const p of byPath.values()) {
    const outcome: FixOutcome = { path: p.path, kind: p.kind, status: 'removed', bytes: 0 };
    try {
      if (p.kind === 'trash') {
        if (!trashDone) {
          const cleaned = await cleanTrash(root);
          trashDone = true;
          outcome.path = 'trash/';
          outcome.bytes = cleaned.bytes;
          if (cleaned.removed.length === 0) outcome.status = 'locked';
          outcome.message = `${cleaned.removed.length} abandoned item(s)`;
        } else continue;
      } else if (p.kind === 'stray') {
        outcome.bytes = await unlinkStray(root, p.path);
      } else {
        const r = await removeEntry(root, path.join(root, p.path), {
          staleLockMs: options.staleLockMs ?? DEFAULT_STALE_LOCK_MS,
          key: p.key,
        });
        outcome.status = r.status;
        if (r.status === 'removed') outcome.bytes = r.bytes;
        if (r.status === 'locked') outcome.message = r.reason;
      }
    } catch (error) {
      outcome.status = 'error';
      outcome.message = (error as Error).message;
    }
    result.bytesFreed += outcome.status === 'removed' ? outcome.bytes : 0;
    result.outcomes.push(outcome);
    options.onProgress?.(++done, byPath.size);
  }
  return result;
}

/** Unlinks a file or symlink directly in entries/ (the link itself, never its target). */
async function unlinkStray(root: string, rel: string): Promise<number> {
  const entries = await entriesRoot(root);
  const name = path.basename(rel);
  if (rel !== `entries/${name}` || name === '..' || name === '.') throw new Error(`refusing to remove ${rel}`);
  const full = path.join(entries, name);
  const stat = await fs.promises.lstat(full);
  if (stat.isDirectory()) throw new Error(`${rel} is a folder`);
  await fs.promises.unlink(full);
  return stat.size;
}
