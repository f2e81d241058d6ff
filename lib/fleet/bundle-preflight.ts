// Before a byte of a bundle reaches the disk: its index and its entries' manifests are read from
// the archive in memory (each capped), and with trusted keys every entry's signature is checked
// against them, so an unsigned or forged bundle is refused without extracting anything. The
// extraction that follows is then bounded by the byte total its index lists.
import * as tar from 'tar';
import { MANIFEST_FILE, parseManifest } from '../cache/entry/manifest';
import { OvcacheError } from '../errors';
import { verifyEntry } from '../trust/signature';
import { statementFields } from '../trust/statement';
import type { ResolvedTrust } from '../trust/trust-options';
import { BUNDLE_INDEX, entryNameProblem, indexProblem, type BundleIndex } from './bundle-format';
import { MAX_REMOTE_MANIFEST_BYTES } from './remote-manifest';

/** An index of a few thousand entries is far below this. */
const MAX_INDEX_BYTES = 16 * 1024 * 1024;

export interface BundleHead {
  /** The index's text, or undefined when the archive has none (or one over the cap). */
  indexText: string | undefined;
  /** Entry folder name -> its manifest's text (the last copy in the archive, as extraction would keep). */
  manifests: Map<string, string>;
}

const MANIFEST_PATH = new RegExp(`^entries/([^/]+)/${MANIFEST_FILE.replace('.', '\\.')}$`);

/** Reads the index and the entries' manifests without writing anything; the whole stream is decompressed (bounded by the ratio). */
export async function readBundleHead(file: string, maxDecompressionRatio: number): Promise<BundleHead> {
  const head: BundleHead = { indexText: undefined, manifests: new Map() };
  await tar.t({
    file,
    strict: true,
    maxDecompressionRatio,
    onReadEntry: (entry) => {
      if (entry.type !== 'File') return;
      const where = entry.path.replace(/^(\.\/)+/, '');
      const manifest = MANIFEST_PATH.exec(where)?.[1];
      const keep =
        where === BUNDLE_INDEX && entry.size <= MAX_INDEX_BYTES
          ? (text: string) => (head.indexText = text)
          : manifest !== undefined && entry.size <= MAX_REMOTE_MANIFEST_BYTES
            ? (text: string) => head.manifests.set(manifest, text)
            : undefined;
      if (!keep) return;
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => keep(Buffer.concat(chunks).toString('utf8')));
    },
  });
  return head;
}

/** The parsed index of the archive's head; OVCACHE_BUNDLE_INVALID when it has none or a malformed one. */
export function headIndex(head: BundleHead, file: string): BundleIndex {
  if (head.indexText === undefined)
    throw new OvcacheError('OVCACHE_BUNDLE_INVALID', `${file} is not an ovcache bundle (no ${BUNDLE_INDEX})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(head.indexText);
  } catch (error) {
    throw new OvcacheError('OVCACHE_BUNDLE_INVALID', `${file} is not an ovcache bundle (${BUNDLE_INDEX}: ${(error as Error).message})`);
  }
  const problem = indexProblem(parsed);
  if (problem) throw new OvcacheError('OVCACHE_BUNDLE_INVALID', `${file} is not an ovcache bundle: ${problem}`);
  return parsed as BundleIndex;
}

/**
 * With trust, before extraction: every entry of the index must be signed by a trusted key over
 * its manifest as found in the archive; an index with no entry has nothing signed and is refused.
 * Throws OVCACHE_BUNDLE_UNTRUSTED naming each refused entry; nothing has been written yet.
 */
export function preverifyBundle(index: BundleIndex, head: BundleHead, trust: ResolvedTrust, file: string): void {
  if (index.entries.length === 0)
    throw new OvcacheError(
      'OVCACHE_BUNDLE_UNTRUSTED',
      `${file} is refused whole, nothing installed: its index lists no entry (unsigned: nothing in it is signed)`,
    );
  const bad: string[] = [];
  for (const e of index.entries) {
    const unsafe = entryNameProblem(e);
    const text = head.manifests.get(e.name);
    const read = unsafe || text === undefined ? undefined : parseManifest(text);
    if (unsafe) bad.push(`${e.name} (invalid: ${unsafe})`);
    else if (read?.status !== 'ok') bad.push(`${e.name} (bad-signature: its manifest is ${text === undefined ? 'missing' : 'invalid'})`);
    else {
      const check = verifyEntry(e.signature, statementFields(e.name, read.manifest, e.files), trust.trusted);
      if (!check.ok) bad.push(`${e.name} (${check.refusal}: ${check.detail})`);
    }
  }
  if (bad.length > 0) throw new OvcacheError('OVCACHE_BUNDLE_UNTRUSTED', `${file} is refused whole, nothing installed: ${bad.join('; ')}`);
}

/** The most bytes an extraction of this bundle may write: the index, the entries' manifests and the files it lists. */
export function extractionBudget(index: BundleIndex, head: BundleHead): number {
  let total = Buffer.byteLength(head.indexText ?? '');
  for (const e of index.entries) {
    total += Buffer.byteLength(head.manifests.get(e.name) ?? '');
    for (const f of e.files) total += f.bytes;
  }
  return total;
}
