// The fields a signed statement may hold, and nothing else. A field this version does not know
// is refused on signing and on verifying, even when it was signed: a reader must understand
// every field it accepts (a field a later version gives meaning to, signed by a key this reader
// trusts, would otherwise be vouched for without being checked). A field added after signing
// already fails: the statement includes every field, so the signature no longer verifies.
import type { StatementFields } from './statement';

type Shape = 'leaf' | { [field: string]: Shape } | { list: Shape } | { record: 'leaf' };

const FILE_IDENTITY: Shape = { role: 'leaf', sha256: 'leaf', size: 'leaf' };
const PARTS: Shape = {
  format: 'leaf',
  model: { name: 'leaf', files: { list: FILE_IDENTITY } },
  inputs: { list: { name: 'leaf', shape: 'leaf', elementType: 'leaf' } },
  device: { name: 'leaf', fullName: 'leaf', architecture: 'leaf' },
  config: { record: 'leaf' },
  runtime: { buildNumber: 'leaf' },
};
const SOURCE: Shape = { kind: 'leaf', xml: 'leaf', mtimeNs: 'leaf', size: 'leaf' };
const FIELDS: Shape = {
  key: 'leaf',
  name: 'leaf',
  parts: PARTS,
  files: { list: { name: 'leaf', bytes: 'leaf', sha256: 'leaf' } },
  sources: { list: SOURCE },
  covers: { variant: 'leaf', inputs: { record: 'leaf' }, auto: 'leaf' },
  weightless: { weights: { list: FILE_IDENTITY } },
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isList = (s: Shape): s is { list: Shape } => typeof s === 'object' && 'list' in s && Object.keys(s).length === 1;
const isRecord = (s: Shape): s is { record: 'leaf' } => typeof s === 'object' && 'record' in s && Object.keys(s).length === 1;

/** The path of the first field `value` holds that `shape` does not name, or of a leaf that is not a string, number or boolean. */
function unknownIn(value: unknown, shape: Shape, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (shape === 'leaf') return ['string', 'number', 'boolean'].includes(typeof value) ? undefined : at;
  if (isList(shape)) {
    if (!Array.isArray(value)) return at;
    for (const [i, item] of value.entries()) {
      const found = unknownIn(item, shape.list, `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(value)) return at;
  for (const [field, item] of Object.entries(value)) {
    const inner = isRecord(shape) ? shape.record : (shape as Record<string, Shape>)[field];
    if (inner === undefined || !Object.hasOwn(shape, isRecord(shape) ? 'record' : field)) return `${at}.${field}`;
    const found = unknownIn(item, inner, `${at}.${field}`);
    if (found) return found;
  }
  return undefined;
}

/** The first field of `fields` this version does not know (e.g. "parts.device.vendor"), or undefined. */
export function unknownStatementField(fields: StatementFields): string | undefined {
  return unknownIn(fields, FIELDS, 'statement');
}
