// A bundle: chosen cache entries in one .tar.gz, for baking a warm cache into an image.
//   ovcache-bundle.json            index: format, and per entry its folder name, key, build,
//                                  device identity and every file's size and sha256
//   entries/<name>/<file>          the entry's files
//   entries/<name>/ovcache-entry.json   its manifest
import { isPlainFileName } from '../cache/entry/layout';
import type { KeyParts } from '../cache/key';
import type { RemoteFile } from './remote-manifest';
import type { EntrySignature } from '../trust/signature';

export const BUNDLE_INDEX = 'ovcache-bundle.json';
export const BUNDLE_FORMAT = 1;

export interface BundleEntry {
  name: string;
  key: string;
  model: string;
  buildNumber: string;
  device: KeyParts['device'];
  files: RemoteFile[];
  /** Set by `pack --sign`: the signature of the entry's statement (lib/trust), checked by `unpack --trust`. */
  signature?: EntrySignature;
}

export interface BundleIndex {
  format: number;
  createdAt: string;
  entries: BundleEntry[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The index's shape (entries are checked one by one against their manifests when unpacked). */
export function indexProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'the index is not a JSON object';
  if (v.format !== BUNDLE_FORMAT) return `unknown bundle format ${JSON.stringify(v.format)}`;
  if (!Array.isArray(v.entries)) return 'entries is not a list';
  for (const e of v.entries) {
    if (!isObject(e) || typeof e.name !== 'string' || typeof e.key !== 'string' || !Array.isArray(e.files) || !isObject(e.device))
      return 'an entry of the index is malformed';
  }
  return undefined;
}

/** Why an index entry names something outside its own folder (its folder or a file name is not plain), or null. */
export function entryNameProblem(e: BundleEntry): string | null {
  if (!isPlainFileName(e.name)) return `its folder name ${JSON.stringify(e.name)} is not a plain name`;
  const bad = e.files.find((f) => !isObject(f) || !isPlainFileName(f.name));
  return bad ? `it lists ${JSON.stringify(isObject(bad) ? bad.name : bad)}, not a plain file name` : null;
}
