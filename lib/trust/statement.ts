// The canonical statement a signature covers: one entry's identity and every byte of it.
//
//   ovcache-signed-entry/1\n<canonical JSON>
//
// The JSON is canonicalJson (sorted keys, no whitespace), the same encoding the cache key is
// the digest of: equal entries give equal text on every machine, and names with any character
// need no escaping rules of our own (a line format would). The prefix versions the statement
// and separates it from anything else the key might sign. It holds:
//   signer    the key id of the signing key: a signature made by one key, carried over to a
//             manifest that names another, verifies against a statement that differs
//   key, name, parts   the cache key, the entry folder and the parts that hash to the key
//             (model digests, inputs, config, OpenVINO build, device identity)
//   files     every file's name, size and sha256, sorted by name: other bytes, other statement
//   sources, covers, weightless   what decides which compiles load the entry
// Fields left out (times, hit counts, writer, modelPaths, timings) decide nothing a load does.
import { canonicalJson, type KeyParts } from '../cache/key';
import type { EntryManifest } from '../cache/entry/manifest';

export const STATEMENT_VERSION = 1;
export const STATEMENT_PREFIX = `ovcache-signed-entry/${STATEMENT_VERSION}\n`;

export interface SignedFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface StatementFields {
  key: string;
  name: string;
  parts: KeyParts;
  files: SignedFile[];
  sources: EntryManifest['sources'];
  covers?: EntryManifest['covers'];
  weightless?: EntryManifest['weightless'];
}

/** The fields of an entry manifest the statement covers, with its files' digests. */
export function statementFields(name: string, entry: EntryManifest, files: SignedFile[]): StatementFields {
  return {
    key: entry.key,
    name,
    parts: entry.parts,
    files,
    sources: entry.sources,
    ...(entry.covers !== undefined ? { covers: entry.covers } : {}),
    ...(entry.weightless !== undefined ? { weightless: entry.weightless } : {}),
  };
}

/** The bytes signed: deterministic for equal fields, whatever the order of files or object keys. */
export function statementBytes(fields: StatementFields, signerKeyId: string): Buffer {
  const files = [...fields.files]
    .map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const body = {
    signer: signerKeyId,
    key: fields.key,
    name: fields.name,
    parts: fields.parts,
    files,
    sources: fields.sources,
    covers: fields.covers ?? null,
    weightless: fields.weightless ?? null,
  };
  return Buffer.from(STATEMENT_PREFIX + canonicalJson(body), 'utf8');
}
