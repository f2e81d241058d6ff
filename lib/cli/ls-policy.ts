// The policy's decisions `ovcache ls` lists: those about the entries it lists, and those whose
// key has no entry (compile-too-fast removes it) when only --model narrows the listing.
import path from 'node:path';
import { cacheLayout } from '../cache/entry/layout';
import { loadDecisions } from '../cache/policy/describe';
import type { ScannedEntry } from '../cache/scan';
import { decisionsJson, type DecisionJson, type Decisions } from './policy-output';

export async function lsDecisions(
  dir: string,
  scanned: readonly ScannedEntry[],
  entries: readonly ScannedEntry[],
  opts: { model?: string; minSize?: number; olderThan?: number },
): Promise<{ all: Decisions; listed: DecisionJson[] }> {
  const all = await loadDecisions(cacheLayout(dir).fingerprints);
  const names = new Set(entries.map((e) => e.name));
  const narrowed = opts.minSize !== undefined || opts.olderThan !== undefined;
  const listed = decisionsJson(all, scanned).filter((d) =>
    d.entry !== null ? names.has(d.entry) : !narrowed && (opts.model === undefined || path.parse(d.model).name === opts.model),
  );
  return { all, listed };
}
