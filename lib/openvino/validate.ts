// Argument checks shared by the public API. One message format everywhere:
//   Expected <what> for <name> but received <value> of type <type>
// Native code only ever sees values that passed these checks.
import { OvcacheError } from '../errors';

export function describeValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function') shown = '[function]';
  else if (value === null || value === undefined || typeof value !== 'object') shown = String(value);
  else {
    try {
      const json = JSON.stringify(value);
      shown = json.length > 60 ? `${json.slice(0, 57)}...` : json;
    } catch {
      shown = Object.prototype.toString.call(value);
    }
  }
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `${shown} of type ${type}`;
}

export function invalidArgument(what: string, name: string, value: unknown): OvcacheError {
  return new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Expected ${what} for ${name} but received ${describeValue(value)}`);
}

export function expectString(value: unknown, name: string, what = 'a non-empty string'): string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) throw invalidArgument(what, name, value);
  return value;
}

export function expectPlainObject(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument('an object', name, value);
  return value as Record<string, unknown>;
}

export function expectIntegerInRange(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw invalidArgument(`an integer ${range}`, name, value);
  }
  return value;
}

/** Rejects option names that are not in `known`, suggesting the nearest known one. */
export function rejectUnknownOptions(options: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const hint = nearest(name, known);
    throw new OvcacheError(
      'OVCACHE_UNKNOWN_OPTION',
      `Unknown option "${name}" for ${where}${hint ? `: did you mean "${hint}"?` : ''} Known options: ${known.join(', ')}`,
    );
  }
}

/** The closest candidate within an edit distance of a third of the name, if any. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
