// `ovcache pack`: writes complete cache entries, their manifests and digests into one .tar.gz.
// The entries' files are hard-linked into a staging folder first (copied where links fail),
// so an eviction during the pack cannot tear an entry; the archive is written to a temp name
// and renamed, so a half-written bundle never has the final name.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { MANIFEST_FILE, readManifest } from '../cache/entry/manifest';
import type { ScannedEntry } from '../cache/scan';
import { OvcacheError } from '../errors';
import { BUNDLE_FORMAT, BUNDLE_INDEX, type BundleEntry, type BundleIndex } from './bundle-format';
import { makeStaging, removeStaging } from './install-entry';
import { digestEntryFiles } from './transfer';
import type { PublicKeyInfo, SigningKeyInfo } from '../trust/keys';
import { mayVouchFor } from '../trust/vouch';
import { CHANGED_WHILE_READ, entryUnchanged, folderIdentity } from '../trust/entry-identity';
import { signEntry } from '../trust/signature';
import { statementFields } from '../trust/statement';

export interface PackReport {
  file: string;
  entries: BundleEntry[];
  /** Bytes of the entries' files (before compression). */
  bytes: number;
  archiveBytes: number;
  /** Selected entries left out, with why (incomplete, stale, gone). */
  skipped: Array<{ name: string; reason: string }>;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.promises.link(from, to);
  } catch {
    await fs.promises.copyFile(from, to);
  }
}

/** Refuses a bundle path that cannot be written, with the path and the fix (never a raw ENOENT or EISDIR). */
function checkOutPath(file: string): void {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st?.isDirectory())
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `Cannot write the bundle to ${file}: it is a folder. Name the .tar.gz file to write, e.g. ${path.join(file, 'models-cache.tar.gz')}`,
    );
  const folder = path.dirname(file);
  const parent = fs.statSync(folder, { throwIfNoEntry: false });
  if (!parent?.isDirectory())
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `Cannot write the bundle to ${file}: ${folder} ${parent ? 'is not a folder' : 'does not exist'}. Create the folder first or choose another path.`,
    );
}

/**
 * `signer`: each entry's statement is signed (pack --sign), but only an entry the signer may
 * vouch for (lib/trust/vouch.ts; `trusted` besides the signer's own key): others are skipped.
 */
export async function packBundle(
  cacheDir: string,
  entries: ScannedEntry[],
  out: string,
  options: {
    signer?: SigningKeyInfo | undefined;
    trusted?: ReadonlyMap<string, PublicKeyInfo>;
    /** Before each entry is read (done so far, total, its name), and once before compressing. */
    onProgress?: (done: number, total: number, label: string) => void;
  } = {},
): Promise<PackReport> {
  const file = path.resolve(out);
  checkOutPath(file);
  const staging = makeStaging(cacheDir);
  const report: PackReport = { file, entries: [], bytes: 0, archiveBytes: 0, skipped: [] };
  try {
    for (const [done, e] of entries.entries()) {
      options.onProgress?.(done, entries.length, e.name);
      const folder = await folderIdentity(e.dir).catch(() => undefined);
      const read = await readManifest(e.dir);
      if (!folder || read.status !== 'ok' || !read.manifest.complete) {
        report.skipped.push({ name: e.name, reason: read.status === 'ok' ? 'incomplete' : `manifest ${read.status}` });
        continue;
      }
      const m = read.manifest;
      if (options.signer) {
        const vouch = mayVouchFor(options.signer, options.trusted ?? new Map(), m.origin);
        if (!vouch.ok) {
          report.skipped.push({ name: e.name, reason: vouch.reason });
          continue;
        }
      }
      const dest = path.join(staging, 'entries', e.name);
      await fs.promises.mkdir(dest, { recursive: true });
      try {
        for (const f of m.files) await linkOrCopy(path.join(e.dir, f.name), path.join(dest, f.name));
        await fs.promises.writeFile(path.join(dest, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
        const files = await digestEntryFiles(dest, m.files);
        if (options.signer) {
          // The vouch check and the files linked must be of one entry: a swap in between is never signed.
          const now = await readManifest(e.dir);
          if (!(await entryUnchanged(e.dir, folder, m, now.status === 'ok' ? now.manifest : undefined)))
            throw new Error(CHANGED_WHILE_READ);
        }
        report.entries.push({
          name: e.name,
          key: m.key,
          model: m.parts.model.name,
          buildNumber: m.parts.runtime.buildNumber,
          device: m.parts.device,
          files,
          ...(options.signer ? { signature: signEntry(options.signer, statementFields(e.name, m, files)) } : {}),
        });
        report.bytes += files.reduce((n, f) => n + f.bytes, 0);
      } catch (error) {
        await fs.promises.rm(dest, { recursive: true, force: true });
        report.skipped.push({ name: e.name, reason: (error as Error).message });
      }
    }
    if (report.entries.length === 0) {
      const why = report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
      throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `No complete entry to pack from ${cacheDir}${why ? ` (${why})` : ''}`);
    }
    options.onProgress?.(entries.length, entries.length, `compressing ${report.entries.length} into ${path.basename(file)}`);
    const index: BundleIndex = { format: BUNDLE_FORMAT, createdAt: new Date().toISOString(), entries: report.entries };
    await fs.promises.writeFile(path.join(staging, BUNDLE_INDEX), `${JSON.stringify(index, null, 2)}\n`);
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    try {
      await tar.c({ gzip: true, file: temp, cwd: staging, portable: true }, [BUNDLE_INDEX, 'entries']);
      await fs.promises.rename(temp, file);
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      throw error;
    }
    report.archiveBytes = (await fs.promises.stat(file)).size;
    return report;
  } finally {
    await removeStaging(staging);
  }
}
