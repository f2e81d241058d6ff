// Copying one entry between the local cache and a tier. Publish: digest every file, upload
// the files under a fresh uploadId, then the remote manifest LAST. Pull: read the manifest,
// check it belongs to the key and holds the wanted form, download into a staging folder,
// check each file's size and sha256, then install atomically. A file whose bytes differ from
// its digest refuses the whole entry: nothing of it reaches the local cache.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { entryName } from '../cache/entry/name';
import { sha256File } from '../cache/fingerprint';
import { readManifest, type EntryManifest, type EntrySource } from '../cache/entry/manifest';
import { OvcacheError } from '../errors';
import { SizeRefusedError } from '../fs/open-regular';
import { withDeadline } from './deadline';
import { installEntry, makeStaging, removeStaging, type InstallStatus } from './install-entry';
import { parseRemoteManifest, remoteManifestText, type RemoteFile, type RemoteManifest } from './remote-manifest';
import { sameSource } from '../cache/entry/usable';
import { UploadGoneError, type Tier } from './tier';
import { mayVouchFor } from '../trust/vouch';
import { CHANGED_WHILE_READ, entryUnchanged, folderIdentity } from '../trust/entry-identity';
import { signEntry, verifyEntry, type TrustRefusal } from '../trust/signature';
import { statementFields } from '../trust/statement';
import { trustLocalEntry } from '../trust/local-entry';
import type { ResolvedTrust } from '../trust/trust-options';

/** A file transfer gets the call deadline plus one second per 8 MiB. */
const TRANSFER_BYTES_PER_SECOND = 8 * 1024 * 1024;

export function transferDeadline(timeoutMs: number, bytes: number): number {
  return timeoutMs + Math.ceil((bytes / TRANSFER_BYTES_PER_SECOND) * 1000);
}

/** Size and sha256 of each file of a local entry; a missing or resized file is the entry's problem, not a tier's. */
export async function digestEntryFiles(entryDir: string, listed: Array<{ name: string; bytes: number }>): Promise<RemoteFile[]> {
  const files: RemoteFile[] = [];
  for (const f of listed) {
    const full = path.join(entryDir, f.name);
    const size = (await fs.promises.stat(full).catch(() => undefined))?.size;
    if (size === undefined) throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `${full} is gone`);
    if (size !== f.bytes)
      throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `${full} is ${size} bytes, its manifest says ${f.bytes}: not a complete entry`);
    files.push({ name: f.name, bytes: size, sha256: await sha256File(full) });
  }
  return files;
}

/** 'not-signed': the signer may not vouch for this entry (lib/trust/vouch.ts); nothing was uploaded. */
export type PublishStatus = 'published' | 'present' | 'not-signed';

/** The trust check of a parsed remote manifest (before any download): ok with the signer, or the refusal. */
function checkRemote(remote: RemoteManifest, trust: ResolvedTrust): ReturnType<typeof verifyEntry> {
  return verifyEntry(remote.signature, statementFields(remote.name, remote.entry, remote.files), trust.trusted);
}

/**
 * Publishes the complete local entry in `entryDir` to `tier`; 'present' when the tier already has
 * it (with trust: has it signed by a trusted key; an unsigned or untrusted one is replaced). With
 * a signing key the remote manifest carries the signature of the files just digested.
 * `replace`: publish even over a valid manifest (its files were refused when copied down).
 */
export async function publishEntry(
  tier: Tier,
  entryDir: string,
  timeoutMs: number,
  trust?: ResolvedTrust,
  replace = false,
): Promise<{ status: PublishStatus; bytes: number; reason?: string }> {
  const folder = await folderIdentity(entryDir).catch(() => undefined);
  const read = await readManifest(entryDir);
  if (!folder || read.status !== 'ok' || !read.manifest.complete)
    throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `No complete entry to publish in ${entryDir}`);
  const entry = read.manifest;
  if (trust?.signer) {
    const vouch = mayVouchFor(trust.signer, trust.trusted, entry.origin);
    if (!vouch.ok) return { status: 'not-signed', bytes: 0, reason: vouch.reason };
  }
  const existing = await withDeadline(`${tier.name} manifest`, timeoutMs, (s) => tier.getManifest(entry.key, s));
  if (existing !== undefined && !replace) {
    const parsed = parseRemoteManifest(existing, entry.key);
    if (parsed.status === 'ok' && (!trust || checkRemote(parsed.manifest, trust).ok)) return { status: 'present', bytes: 0 };
  }
  const files = await digestEntryFiles(entryDir, entry.files);
  if (trust?.signer) {
    // The check above and the digests must be of one entry: a swap in between is never signed.
    const now = await readManifest(entryDir);
    if (!(await entryUnchanged(entryDir, folder, entry, now.status === 'ok' ? now.manifest : undefined)))
      return { status: 'not-signed', bytes: 0, reason: CHANGED_WHILE_READ };
  }
  const uploadId = crypto.randomBytes(16).toString('hex');
  for (const f of files) {
    await withDeadline(`${tier.name} upload of ${f.name}`, transferDeadline(timeoutMs, f.bytes), (s) =>
      tier.upload(entry.key, uploadId, f.name, path.join(entryDir, f.name), s),
    );
  }
  // Last: until this PUT / rename, no reader knows the files exist.
  const name = path.basename(entryDir);
  const { origin: _origin, ...published } = entry; // where this copy came from is not the tier's business
  const signature = trust?.signer ? signEntry(trust.signer, statementFields(name, published, files)) : undefined;
  const text = remoteManifestText({ key: entry.key, name, uploadId, files, entry: published, ...(signature ? { signature } : {}) });
  await withDeadline(`${tier.name} manifest`, timeoutMs, (s) => tier.putManifest(entry.key, text, s));
  return { status: 'published', bytes: files.reduce((n, f) => n + f.bytes, 0) };
}

/** A tier file that is a FIFO, device or symlink (lib/fs/open-regular.ts): refused, not a tier outage. */
const isUnsafePath = (error: unknown): boolean => (error as { code?: string } | null)?.code === 'OVCACHE_UNSAFE_PATH';

export type PullResult =
  | { status: 'miss'; reason: 'absent' | 'other-source' | `upload-gone: ${string}` }
  | { status: 'refused'; reason: string; refusal?: TrustRefusal }
  | { status: InstallStatus; bytes: number; signedBy: string | null };

export interface PullTarget {
  key: string;
  cacheDir: string;
  /** The compiled form wanted; an entry without it is a miss. */
  source?: EntrySource;
  lockTimeoutMs?: number;
  staleLockMs?: number;
  /** With trusted keys: only an entry signed by one of them, whose bytes match what was signed, is installed. */
  trust?: ResolvedTrust | undefined;
}

/** An aborted signal stops the pull at once, leaving nothing of it in the cache. */
export async function pullEntry(tier: Tier, target: PullTarget, timeoutMs: number, signal?: AbortSignal): Promise<PullResult> {
  const { key } = target;
  let text: string | undefined;
  try {
    text = await withDeadline(`${tier.name} manifest`, timeoutMs, (s) => tier.getManifest(key, s), signal);
  } catch (error) {
    if (isUnsafePath(error)) return { status: 'refused', reason: (error as Error).message };
    throw error;
  }
  if (text === undefined) return { status: 'miss', reason: 'absent' };
  const parsed = parseRemoteManifest(text, key);
  if (parsed.status !== 'ok') return { status: 'refused', reason: `remote manifest: ${parsed.reason}` };
  const remote = parsed.manifest;
  if (remote.name !== entryName(remote.entry.parts, key))
    return { status: 'refused', reason: 'remote manifest: name does not match its parts' };
  const wanted = target.source;
  if (wanted && !remote.entry.sources.some((s) => sameSource(s, wanted))) return { status: 'miss', reason: 'other-source' };
  let signedBy: string | null = null;
  if (target.trust) {
    const check = checkRemote(remote, target.trust);
    if (!check.ok) return { status: 'refused', reason: `${check.refusal}: ${check.detail}`, refusal: check.refusal };
    signedBy = check.keyId;
  }
  // From here every file's size and sha256 are the signed ones: the bytes written locally are checked against them.
  const staging = makeStaging(target.cacheDir);
  let handedOver = false;
  try {
    for (const f of remote.files) {
      const to = path.join(staging, f.name);
      try {
        await withDeadline(
          `${tier.name} download of ${f.name}`,
          transferDeadline(timeoutMs, f.bytes),
          (s) => tier.download(key, remote.uploadId, f.name, to, s, f.bytes),
          signal,
        );
      } catch (error) {
        if (error instanceof SizeRefusedError) return { status: 'refused', reason: `mismatch: ${error.message}`, refusal: 'mismatch' };
        if (isUnsafePath(error)) return { status: 'refused', reason: (error as Error).message };
        if (error instanceof UploadGoneError) return { status: 'miss', reason: `upload-gone: ${error.message}` };
        throw error;
      }
      const { size } = await fs.promises.stat(to);
      if (size !== f.bytes)
        return { status: 'refused', reason: `mismatch: ${f.name}: ${size} bytes, the manifest says ${f.bytes}`, refusal: 'mismatch' };
      const digest = await sha256File(to);
      if (digest !== f.sha256)
        return {
          status: 'refused',
          reason: `mismatch: ${f.name}: sha256 ${digest} does not match the manifest's ${f.sha256}`,
          refusal: 'mismatch',
        };
    }
    handedOver = true; // installEntry removes the staging folder in every case
    const installed = { ...remote.entry, origin: { from: tier.name, signedBy } };
    // With trust, an entry in place that no trusted key signed now is replaced by this verified one.
    const trust = target.trust;
    const keepPresent = trust ? (current: EntryManifest) => trustLocalEntry(current, trust).ok : undefined;
    const status = await installEntry(target.cacheDir, remote.name, staging, installed, { ...target, signal, keepPresent });
    return { status, bytes: remote.files.reduce((n, f) => n + f.bytes, 0), signedBy };
  } finally {
    if (!handedOver) await removeStaging(staging);
  }
}
