// `ovcache unpack`: verifies a bundle and installs its entries into a cache folder. Each entry
// must be whole (its manifest hashes to its key, every file has the size and sha256 of the
// index) or it is refused; an entry for another OpenVINO build or another device than this
// machine's is refused unless force (the key could never match here, so it would only take room).
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { deriveKey, type KeyParts } from '../cache/key';
import { entryName } from '../cache/entry/name';
import { MANIFEST_FILE, readManifest, type EntryManifest } from '../cache/entry/manifest';
import { OvcacheError } from '../errors';
import { removeWhenQuiet } from '../fs/remove-when-quiet';
import { logger } from '../log';
import { BUNDLE_INDEX, entryNameProblem, indexProblem, type BundleEntry, type BundleIndex } from './bundle-format';
import { ensureCacheDir, inheritedMode } from '../cache/cache-dir';
import { errnoCode, isNoSpaceError } from '../fs/errno';
import { extractionBudget, headIndex, preverifyBundle, readBundleHead } from './bundle-preflight';
import { installEntry, makeStaging, normalizeModes, removeStaging } from './install-entry';
import { digestEntryFiles } from './transfer';
import { verifyEntry, type TrustRefusal } from '../trust/signature';
import { statementFields } from '../trust/statement';
import { trustLocalEntry } from '../trust/local-entry';
import type { ResolvedTrust } from '../trust/trust-options';

const log = logger('fleet');
/** tar's own default: more than this is no bundle ovcache wrote. */
const DEFAULT_MAX_RATIO = 1000;

/** What this machine would put in a key; null when no runtime was found. */
export interface LocalIdentity {
  buildNumber: string;
  device(name: string): KeyParts['device'];
}

export interface UnpackedEntry {
  name: string;
  key: string;
  model: string;
  device: string;
  /** Bytes of the entry's files, as the bundle's index lists them. */
  bytes: number;
  status: 'installed' | 'present' | 'refused' | 'invalid' | 'busy';
  reason: string | null;
  /** With trust: the key id that signed the entry. */
  signedBy?: string;
  /** With trust: why the entry (and so the bundle) was refused. */
  refusal?: TrustRefusal;
}

export interface UnpackReport {
  dir: string;
  entries: UnpackedEntry[];
}

export interface UnpackOptions {
  /** Install entries for another build or device, and replace complete local ones. */
  force?: boolean;
  /**
   * Refuse the bundle as a decompression bomb once it expands more than this many times its
   * compressed size (default 1000, tar's; compiled blobs compress a few times at most).
   */
  maxDecompressionRatio?: number;
  /** Trusted keys (unpack --trust): every entry must be signed by one and match what was signed, or the whole bundle is refused. */
  trust?: ResolvedTrust | undefined;
  /** Once the bundle is extracted: before each entry is checked (done 0) and before each is installed (done: those handled so far); last (total, total). */
  onProgress?: (done: number, total: number, label: string) => void;
}

function mismatch(e: BundleEntry, local: LocalIdentity | null): string | null {
  if (!local) return 'no OpenVINO runtime found to compare the build and device with';
  if (e.buildNumber !== local.buildNumber) return `made by OpenVINO ${e.buildNumber}, this runtime is ${local.buildNumber}`;
  const here = local.device(e.device.name);
  if (here.fullName !== e.device.fullName || here.architecture !== e.device.architecture)
    return `made for ${e.device.name} "${e.device.fullName}", this machine's is "${here.fullName}"`;
  return null;
}

async function readIndex(staging: string, file: string): Promise<BundleIndex> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.promises.readFile(path.join(staging, BUNDLE_INDEX), 'utf8'));
  } catch (error) {
    throw new OvcacheError('OVCACHE_BUNDLE_INVALID', `${file} is not an ovcache bundle (${BUNDLE_INDEX}: ${(error as Error).message})`);
  }
  const problem = indexProblem(parsed);
  if (problem) throw new OvcacheError('OVCACHE_BUNDLE_INVALID', `${file} is not an ovcache bundle: ${problem}`);
  return parsed as BundleIndex;
}

/** Where the index's build or device differs from the entry manifest's key parts, or null. */
function indexDisagrees(e: BundleEntry, parts: KeyParts): string | null {
  if (e.buildNumber !== parts.runtime.buildNumber)
    return `the index says OpenVINO ${e.buildNumber}, its manifest ${parts.runtime.buildNumber}`;
  const [a, b] = [e.device, parts.device];
  if (a.name !== b.name || a.fullName !== b.fullName || (a.architecture ?? null) !== (b.architecture ?? null))
    return `the index says device ${a.name} "${a.fullName}", its manifest ${b.name} "${b.fullName}"`;
  return null;
}

/** The entry's reason to be refused as damaged, or null when it is whole. */
async function damage(e: BundleEntry, dir: string): Promise<string | null> {
  const read = await readManifest(dir);
  if (read.status !== 'ok') return `manifest ${read.status}${read.status === 'invalid' ? `: ${read.reason}` : ''}`;
  const m = read.manifest;
  if (m.key !== e.key || deriveKey(m.parts) !== e.key) return 'its manifest does not hash to its key';
  if (entryName(m.parts, e.key) !== e.name) return 'its folder name does not match its manifest';
  // The build and device checks read the index: it must say what the (hashed) manifest says.
  const lie = indexDisagrees(e, m.parts);
  if (lie) return lie;
  if (!m.complete) return 'incomplete';
  const listed = new Set(e.files.map((f) => f.name));
  if (m.files.length !== e.files.length || !m.files.every((f) => listed.has(f.name))) return 'its files differ from the index';
  const present = (await fs.promises.readdir(dir)).filter((n) => n !== MANIFEST_FILE);
  if (present.some((n) => !listed.has(n))) return 'it holds files the index does not list';
  let files;
  try {
    files = await digestEntryFiles(dir, e.files);
  } catch (error) {
    return (error as Error).message;
  }
  const bad = files.find((f, i) => f.sha256 !== e.files[i]?.sha256);
  return bad ? `${bad.name}: sha256 does not match the index` : null;
}

/** With trust: the signer's key id, or why the entry is refused (checked against the signed digests, before its bytes). */
async function untrusted(e: BundleEntry, dir: string, trust: ResolvedTrust): Promise<string | { refusal: TrustRefusal; detail: string }> {
  const read = await readManifest(dir);
  if (read.status !== 'ok') return { refusal: 'bad-signature', detail: `its manifest is ${read.status}` };
  const check = verifyEntry(e.signature, statementFields(e.name, read.manifest, e.files), trust.trusted);
  return check.ok ? check.keyId : check;
}

/** A 'present' row reports the entry in place, never the bundle's: its signer (none when compiled here). */
async function describePresent(row: UnpackedEntry, entryDir: string): Promise<void> {
  const read = await readManifest(entryDir);
  const origin = read.status === 'ok' ? read.manifest.origin : undefined;
  if (origin?.signedBy) row.signedBy = origin.signedBy;
  else delete row.signedBy;
}

/** A bundle must be a regular file: a FIFO with no writer would hang tar for ever, a pipe or folder is no archive. */
function checkBundleFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (error) {
    throw new OvcacheError(
      'OVCACHE_BUNDLE_INVALID',
      `Cannot read bundle ${file} (${errnoCode(error) ?? (error as Error).message}); give the path of a .tar.gz written by "ovcache pack"`,
      { cause: error },
    );
  }
  if (!st.isFile())
    throw new OvcacheError(
      'OVCACHE_BUNDLE_INVALID',
      `${file} is ${st.isDirectory() ? 'a folder' : 'not a regular file (a pipe, FIFO or device)'}; give the path of a .tar.gz written by "ovcache pack" (save a piped bundle to a file first)`,
    );
}

export async function unpackBundle(
  cacheDir: string,
  file: string,
  local: LocalIdentity | null,
  options: UnpackOptions = {},
): Promise<UnpackReport> {
  checkBundleFile(file);
  // The cache folder's rules (a file: OVCACHE_CACHE_DIR_INVALID; others can write it: _INSECURE) before anything is staged in it.
  ensureCacheDir(cacheDir);
  const maxDecompressionRatio = options.maxDecompressionRatio ?? DEFAULT_MAX_RATIO;
  // With trust, the index and manifests first, in memory: an unsigned or forged bundle is refused
  // before anything is written, and the extraction is held to the byte total the signed index lists.
  let budget = Infinity;
  if (options.trust) {
    const head = await readBundleHead(file, maxDecompressionRatio).catch((error: Error) => {
      throw new OvcacheError('OVCACHE_BUNDLE_INVALID', `${file} is not a readable .tar.gz: ${error.message}`, { cause: error });
    });
    const listed = headIndex(head, file);
    preverifyBundle(listed, head, options.trust, file);
    budget = extractionBudget(listed, head);
  }
  const staging = makeStaging(cacheDir);
  const report: UnpackReport = { dir: cacheDir, entries: [] };
  let extracted = false;
  try {
    let written = 0;
    let overBudget = false;
    try {
      // Only plain files and folders; tar itself refuses absolute paths and "..".
      await tar.x({
        file,
        cwd: staging,
        strict: true,
        // Never the archive's owners (as root tar would chown to them) nor its modes: fixed below.
        preserveOwner: false,
        maxDecompressionRatio,
        filter: (_p, entry) => {
          if (!('type' in entry) || (entry.type !== 'File' && entry.type !== 'Directory')) return false;
          // Invariant: the files written never total more than the index lists.
          if (entry.type === 'File' && (written += entry.size) > budget) overBudget = true;
          return !overBudget;
        },
      });
      extracted = true;
    } catch (error) {
      if (isNoSpaceError(error))
        throw new OvcacheError(
          'OVCACHE_DISK_FULL',
          `The volume of ${cacheDir} is full (${errnoCode(error)}) while unpacking ${file}: nothing was installed; free space there or unpack into another folder`,
          { cause: error },
        );
      throw new OvcacheError('OVCACHE_BUNDLE_INVALID', `${file} is not a readable .tar.gz: ${(error as Error).message}`, { cause: error });
    }
    if (overBudget)
      throw new OvcacheError(
        'OVCACHE_BUNDLE_UNTRUSTED',
        `${file} is refused whole, nothing installed: it holds more than the ${budget} bytes its signed index lists (mismatch: extraction stopped there)`,
      );
    const index = await readIndex(staging, file);
    // First every entry is checked; with trust, one that fails refuses the bundle before anything is installed.
    const whole: Array<{ e: BundleEntry; row: UnpackedEntry; dir: string }> = [];
    const progress = (done: number, label: string): void => options.onProgress?.(done, index.entries.length, label);
    for (const e of index.entries) {
      progress(0, `checking ${e.name}`); // nothing is done until installed: the count never runs back
      const row: UnpackedEntry = {
        name: e.name,
        key: e.key,
        model: e.model,
        device: e.device.name,
        bytes: e.files.reduce((n, f) => n + f.bytes, 0),
        status: 'refused',
        reason: null,
      };
      report.entries.push(row);
      const unsafe = entryNameProblem(e);
      if (unsafe) {
        [row.status, row.reason] = ['invalid', unsafe];
        continue;
      }
      const dir = path.join(staging, 'entries', e.name);
      if (!fs.existsSync(dir)) {
        [row.status, row.reason] = ['invalid', 'not in the archive'];
        continue;
      }
      if (options.trust) {
        const refused = await untrusted(e, dir, options.trust);
        if (typeof refused !== 'string') {
          [row.status, row.reason, row.refusal] = ['refused', `${refused.refusal}: ${refused.detail}`, refused.refusal];
          continue;
        }
        row.signedBy = refused;
      }
      const damaged = await damage(e, dir);
      if (damaged) {
        // With trust the digests were signed: other bytes mean the archive was changed after signing.
        [row.status, row.reason] = ['invalid', options.trust ? `mismatch: ${damaged}` : damaged];
        if (options.trust) row.refusal = 'mismatch';
        continue;
      }
      whole.push({ e, row, dir });
    }
    if (options.trust && whole.length < report.entries.length) {
      const bad = report.entries.filter((r) => !whole.some((w) => w.row === r));
      throw new OvcacheError(
        'OVCACHE_BUNDLE_UNTRUSTED',
        `${file} is refused whole, nothing installed: ${bad.map((r) => `${r.name} (${r.reason ?? 'refused'})`).join('; ')}`,
      );
    }
    for (const [done, { e, row, dir }] of whole.entries()) {
      progress(done, `installing ${e.name}`);
      const other = mismatch(e, local);
      if (other && !options.force) {
        row.reason = `${other} (--force installs it anyway)`;
        continue;
      }
      const read = await readManifest(dir);
      if (read.status !== 'ok') continue;
      await normalizeModes(dir, inheritedMode(cacheDir));
      const origin = { from: `bundle:${path.basename(file)}`, signedBy: row.signedBy ?? null };
      try {
        const trust = options.trust;
        // With trust, an entry in place that no trusted key signed (an earlier unverified unpack) is replaced.
        const keepPresent = trust ? (current: EntryManifest) => trustLocalEntry(current, trust).ok : undefined;
        row.status = await installEntry(
          cacheDir,
          e.name,
          dir,
          { ...read.manifest, origin },
          { replace: options.force === true, keepPresent },
        );
        row.reason = other;
        if (row.status === 'present') await describePresent(row, path.join(cacheDir, 'entries', e.name));
      } catch (error) {
        if ((error as { code?: string }).code !== 'OVCACHE_ENTRY_CONFLICT') throw error;
        [row.status, row.reason] = ['refused', (error as Error).message]; // the other key's entry is kept
      }
    }
    progress(index.entries.length, '');
    return report;
  } finally {
    await discardStaging(staging, !extracted);
  }
}

/**
 * Removes the staging folder in every case, never throwing over the error that ended the
 * unpack: after a stopped extraction, tar may still have writes queued, so wait for them first.
 */
async function discardStaging(staging: string, writesMayBePending: boolean): Promise<void> {
  if (writesMayBePending && !(await removeWhenQuiet(staging))) log('could not remove %s: writes kept landing in it', staging);
  await removeStaging(staging).catch((error: Error) => log('could not remove %s: %s', staging, error.message));
}
