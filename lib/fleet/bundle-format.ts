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

/** Why one file of an index entry is malformed, or undefined. */
function fileProblem(f: unknown, where: string): string | undefined {
  if (!isObject(f)) return `${where} is not an object`;
  if (typeof f.name !== 'string') return `${where}.name is not a string`;
  if (typeof f.bytes !== 'number' || !Number.isSafeInteger(f.bytes) || f.bytes < 0) return `${where}.bytes is not a whole number of bytes`;
  if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) return `${where}.sha256 is not a sha256 (64 hex digits)`;
  return undefined;
}

/** Why one entry of the index is malformed (a field unpack reads is missing or of the wrong type), or undefined. */
function entryProblem(e: unknown, where: string): string | undefined {
  if (!isObject(e)) return `${where} is not an object`;
  for (const field of ['name', 'key', 'model', 'buildNumber'] as const)
    if (typeof e[field] !== 'string') return `${where}.${field} is not a string`;
  if (!isObject(e.device)) return `${where}.device is not an object`;
  if (typeof e.device.name !== 'string') return `${where}.device.name is not a string`;
  if (typeof e.device.fullName !== 'string') return `${where}.device.fullName is not a string`;
  if (e.device.architecture !== undefined && typeof e.device.architecture !== 'string')
    return `${where}.device.architecture is not a string`;
  if (!Array.isArray(e.files)) return `${where}.files is not a list`;
  const names = new Set<string>();
  for (const [i, f] of e.files.entries()) {
    const problem = fileProblem(f, `${where}.files[${i}]`);
    if (problem) return problem;
    const name = (f as RemoteFile).name;
    if (names.has(name)) return `${where}.files lists ${JSON.stringify(name)} twice`;
    names.add(name);
  }
  return undefined;
}

/**
 * The index's shape: every field unpack later reads, with the field named (entries are then
 * checked one by one against their manifests when unpacked). An entry listed twice is refused.
 */
export function indexProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'the index is not a JSON object';
  if (v.format !== BUNDLE_FORMAT) return `unknown bundle format ${JSON.stringify(v.format)}`;
  if (!Array.isArray(v.entries)) return 'entries is not a list';
  const names = new Set<string>();
  for (const [i, e] of v.entries.entries()) {
    const problem = entryProblem(e, `entries[${i}]`);
    if (problem) return problem;
    const name = (e as BundleEntry).name;
    if (names.has(name)) return `entries lists ${JSON.stringify(name)} twice`;
    names.add(name);
  }
  return undefined;
}

/** Why an index entry names something outside its own folder (its folder or a file name is not plain), or null. */
export function entryNameProblem(e: BundleEntry): string | null {
  if (!isPlainFileName(e.name)) return `its folder name ${JSON.stringify(e.name)} is not a plain name`;
  const bad = e.files.find((f) => !isObject(f) || !isPlainFileName(f.name));
  return bad ? `it lists ${JSON.stringify(isObject(bad) ? bad.name : bad)}, not a plain file name` : null;
}
