// explain(): what a key is made of, the state of its entry, and how it differs from the other
// entries of the same model - the answer to "why did this compile miss?".
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../errors';
import { invalidArgument } from '../openvino/validate';
import type { KeyExplanation, KeyInfo, SimilarEntry } from './compile-types';
import type { CacheLayout } from './entry/layout';
import { readManifest, type EntryManifest } from './entry/manifest';
import { MAX_MODEL_LABEL, sanitizeLabel, shortKeyOfEntryName } from './entry/name';
import { describeKeyParts, diffKeyParts, type KeyParts } from './key';
import { describeCovers } from './dynamic/covers';
import { loadDecisions, policyText, policyView, timingsText, timingsView } from './policy/describe';

/** Accepts a unique prefix of at least 8 hex digits; `known` are keys this process built. */
export async function explainKey(layout: CacheLayout, keyOrPrefix: string, known: Iterable<KeyInfo>): Promise<KeyExplanation> {
  if (typeof keyOrPrefix !== 'string' || !/^[0-9a-f]{8,64}$/.test(keyOrPrefix)) {
    throw invalidArgument('a cache key (8 to 64 hex digits)', 'key', keyOrPrefix);
  }
  const entries = await listEntryFolders(layout);
  const matches = new Map<string, string>();
  const knownParts = new Map<string, KeyParts>();
  for (const info of known) {
    knownParts.set(info.key, info.parts);
    if (info.key.startsWith(keyOrPrefix)) matches.set(info.key, info.entryDir);
  }
  const candidates = entries.filter((e) => {
    const short = shortKeyOfEntryName(e);
    return short !== undefined && (short.startsWith(keyOrPrefix) || keyOrPrefix.startsWith(short));
  });
  for (const name of candidates) {
    const read = await readManifest(path.join(layout.entries, name));
    if (read.status === 'ok' && read.manifest.key.startsWith(keyOrPrefix)) matches.set(read.manifest.key, path.join(layout.entries, name));
    else if (read.status !== 'ok' && keyOrPrefix.length <= 12) matches.set(`?${name}`, path.join(layout.entries, name));
  }
  if (matches.size === 0) throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `No cache entry with key ${keyOrPrefix} in ${layout.entries}`);
  if (matches.size > 1) {
    throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Key prefix ${keyOrPrefix} matches ${matches.size} entries; give more digits`);
  }
  const [[found, entryDir]] = [...matches] as [[string, string]];
  const read = await readManifest(entryDir);
  let parts: KeyParts | null = knownParts.get(found) ?? null;
  let manifest: EntryManifest | null = null;
  let status: KeyExplanation['status'] = 'missing';
  if (read.status === 'ok') {
    manifest = read.manifest;
    parts = manifest.parts;
    status = manifest.complete ? 'complete' : 'incomplete';
  } else if (read.status === 'invalid') {
    status = 'invalid';
  }
  const key = manifest?.key ?? found.replace(/^\?/, '');
  const lines = [`key       ${key}`, `entry     ${entryDir}`, ...(parts ? describeKeyParts(parts) : [])];
  if (manifest) {
    lines.push(
      `state     ${status}, ${manifest.bytes} bytes in ${manifest.files.length} file(s), ${manifest.hits} hit(s)`,
      `created   ${manifest.createdAt}, last used ${manifest.lastUsedAt}`,
      `times     compile ${manifest.compileMs ?? '-'} ms, last load ${manifest.importMs ?? '-'} ms`,
      `covers    ${describeCovers(manifest.covers, manifest.parts.inputs)}`,
    );
    const timings = timingsText(timingsView(manifest.timings));
    if (timings) lines.push(`timings   ${timings}`);
  } else {
    lines.push(`state     ${read.status === 'invalid' ? `invalid manifest (${read.reason})` : 'no entry on disk'}`);
  }
  const policy = policyView((await loadDecisions(layout.fingerprints)).get(key));
  lines.push(`policy    ${policyText(policy)}`);
  const similar = parts ? await similarEntries(layout, key, parts, entries) : [];
  for (const s of similar) {
    lines.push(
      `differs from ${path.basename(s.entryDir)}: ${s.differences.map((d) => `${d.part} ${d.after ?? '-'} (there: ${d.before ?? '-'})`).join('; ')}`,
    );
  }
  return { key, entryDir, status, parts, manifest, lines, similar, policy };
}

async function listEntryFolders(layout: CacheLayout): Promise<string[]> {
  try {
    return (await fs.promises.readdir(layout.entries, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** Entries of the same model, fewest differences first, at most five. */
async function similarEntries(layout: CacheLayout, key: string, parts: KeyParts, entries: string[]): Promise<SimilarEntry[]> {
  const prefix = `${sanitizeLabel(parts.model.name, MAX_MODEL_LABEL)}-`;
  const out: SimilarEntry[] = [];
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const entryDir = path.join(layout.entries, name);
    const read = await readManifest(entryDir);
    if (read.status !== 'ok' || read.manifest.key === key) continue;
    out.push({ key: read.manifest.key, entryDir, differences: diffKeyParts(read.manifest.parts, parts) });
  }
  return out.sort((a, b) => a.differences.length - b.differences.length).slice(0, 5);
}
