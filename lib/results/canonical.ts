// Canonical JSON for the caller's parameters and metadata: object keys sorted at every level,
// numbers in JavaScript's shortest spelling (so 1, 1.0 and 1e0 are one value; -0 is 0), no
// whitespace. Anything JSON cannot carry faithfully is refused with a coded error naming its
// path, because silently dropping it (as JSON.stringify does) would let two different
// requests share a key.
import { OvcacheError, type OvcacheErrorCode } from '../errors';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A readable path to a nested value: params.prompt, params.sizes[2], params["a b"]. */
function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function refuse(code: OvcacheErrorCode, path: string, what: string): never {
  throw new OvcacheError(code, `${path} is ${what}, which canonical JSON cannot hold (use null, a string or a finite number instead)`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The canonical JSON text of value. Refuses undefined, NaN and +-Infinity, bigint, functions,
 * symbols, cycles and objects other than plain objects and arrays (Date, Map, typed arrays...),
 * throwing `code` with the path of the first offender.
 */
export function canonicalJsonStrict(value: unknown, rootName: string, code: OvcacheErrorCode): string {
  const seen = new Set<object>();
  const encode = (v: unknown, path: string): string => {
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(v)) refuse(code, path, String(v));
        return JSON.stringify(v === 0 ? 0 : v);
      case 'undefined':
        return refuse(code, path, 'undefined');
      case 'bigint':
        return refuse(code, path, `a bigint (${v}n)`);
      case 'function':
        return refuse(code, path, 'a function');
      case 'symbol':
        return refuse(code, path, 'a symbol');
    }
    if (v === null) return 'null';
    const object = v as object;
    if (seen.has(object)) refuse(code, path, 'a reference back to one of its own containers (a cycle)');
    seen.add(object);
    let text: string;
    if (Array.isArray(object)) {
      const items: string[] = [];
      for (let i = 0; i < object.length; i++) {
        // Holes read as undefined and are refused like undefined.
        items.push(encode(object[i] as unknown, child(path, i)));
      }
      text = `[${items.join(',')}]`;
    } else if (isPlainObject(object)) {
      const record = object as Record<string, unknown>;
      if (Object.getOwnPropertySymbols(record).length > 0) refuse(code, path, 'an object with symbol keys');
      const fields = Object.keys(record)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${encode(record[k], child(path, k))}`);
      text = `{${fields.join(',')}}`;
    } else {
      const name = (object.constructor as { name?: string } | undefined)?.name ?? 'unknown';
      refuse(code, path, `a ${name} object (only plain objects and arrays are accepted)`);
    }
    seen.delete(object);
    return text;
  };
  return encode(value, rootName);
}
