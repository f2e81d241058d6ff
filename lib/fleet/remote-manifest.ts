// The remote manifest: one published entry on a tier. It carries the local entry manifest
// (what the entry is), the uploadId its files live under and a sha256 per file, so a reader
// checks every byte it copies down. Parsed tolerantly: anything malformed is a reason, never
// a throw, and never an entry.
import os from 'node:os';
import { deriveKey, isKey } from '../cache/key';
import { isPlainFileName } from '../cache/entry/layout';
import { manifestProblem, type EntryManifest } from '../cache/entry/manifest';
import type { EntrySignature } from '../trust/signature';

export const REMOTE_FORMAT = 1;

/** A tier's manifest larger than this is refused unread (a real one is a few KiB). */
export const MAX_REMOTE_MANIFEST_BYTES = 1024 * 1024;

export interface RemoteFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface RemoteManifest {
  format: number;
  key: string;
  /** The entry folder name (entryName(parts, key)). */
  name: string;
  uploadId: string;
  files: RemoteFile[];
  entry: EntryManifest;
  publishedAt: string;
  publisher: { hostname: string; pid: number };
  /** Set by a publisher with a signing key (lib/trust): checked by readers with trusted keys, ignored by others. */
  signature?: EntrySignature;
}

export type RemoteRead = { status: 'ok'; manifest: RemoteManifest } | { status: 'invalid'; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The plain-file-name rule, shared with entry manifests and bundles (one function: layout.ts). */
export { isPlainFileName };

const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*-[0-9a-f]{12}$/;
const UPLOAD_ID = /^[0-9a-f]{16,64}$/;

function fileProblem(f: unknown): string | undefined {
  if (!isObject(f) || !isPlainFileName(f.name)) return 'a file name is not a plain name';
  if (typeof f.bytes !== 'number' || !Number.isSafeInteger(f.bytes) || f.bytes < 0) return `${f.name}: bytes is not a count`;
  if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) return `${f.name}: sha256 is not a digest`;
  return undefined;
}

/** Checks a remote manifest for `key`: its shape, and that its parts really hash to the key. */
export function parseRemoteManifest(text: string, key: string): RemoteRead {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (error) {
    return { status: 'invalid', reason: `not JSON (${(error as Error).message})` };
  }
  if (!isObject(m)) return { status: 'invalid', reason: 'not a JSON object' };
  if (m.format !== REMOTE_FORMAT) return { status: 'invalid', reason: `unknown format ${JSON.stringify(m.format)}` };
  if (!isKey(m.key) || m.key !== key) return { status: 'invalid', reason: 'key does not match' };
  if (typeof m.name !== 'string' || !ENTRY_NAME.test(m.name) || !m.name.endsWith(key.slice(0, 12)))
    return { status: 'invalid', reason: 'name is not an entry folder name' };
  if (typeof m.uploadId !== 'string' || !UPLOAD_ID.test(m.uploadId)) return { status: 'invalid', reason: 'uploadId is malformed' };
  if (!Array.isArray(m.files) || m.files.length === 0) return { status: 'invalid', reason: 'files is not a list' };
  for (const f of m.files) {
    const problem = fileProblem(f);
    if (problem) return { status: 'invalid', reason: problem };
  }
  const entryProblem = manifestProblem(m.entry);
  if (entryProblem) return { status: 'invalid', reason: `entry manifest: ${entryProblem}` };
  const entry = m.entry as EntryManifest;
  // The key is a digest of the parts: a manifest whose parts hash elsewhere is for another key.
  if (entry.key !== key || deriveKey(entry.parts) !== key) return { status: 'invalid', reason: 'entry parts do not hash to the key' };
  if (!entry.complete) return { status: 'invalid', reason: 'entry is not complete' };
  const names = new Set((m.files as RemoteFile[]).map((f) => f.name));
  if (!entry.files.every((f) => names.has(f.name))) return { status: 'invalid', reason: 'a file of the entry is not published' };
  return { status: 'ok', manifest: m as unknown as RemoteManifest };
}

export function remoteManifestText(fields: Omit<RemoteManifest, 'format' | 'publishedAt' | 'publisher'>): string {
  const manifest: RemoteManifest = {
    format: REMOTE_FORMAT,
    ...fields,
    publishedAt: new Date().toISOString(),
    publisher: { hostname: os.hostname(), pid: process.pid },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
