// Small parsers for repeated CLI options (--shapes name=1,3,224,224  --config KEY=VALUE).
// They throw commander's InvalidArgumentError, so bad values exit 2 (usage) with the message.
import { InvalidArgumentError } from 'commander';

/** Collects repeated `name=value` options into a record. */
export function collectPairs(what: string): (value: string, previous: Record<string, string> | undefined) => Record<string, string> {
  return (value, previous) => {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) {
      throw new InvalidArgumentError(`Expected ${what} as name=value but received "${value}"`);
    }
    return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
  };
}

export function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`Expected a positive integer for ${name} but received "${value}"`);
    return n;
  };
}
