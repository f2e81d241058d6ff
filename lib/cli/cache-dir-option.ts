// What the cache commands share: the --dir / --json / --library options, the folder they
// resolve to (--dir, else OVCACHE_DIR, else the default folder), argument parsers that turn a
// bad size or duration into a usage error (exit 2, the parser's message), and the runtime
// build used for stale checks.
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { defaultCacheDir } from '../cache/default-dir';
import { logger } from '../log';
import { loadOpenVINOSync } from '../openvino/openvino';
import { parseDuration, parseSize, sizeUnitsOf, type SizeUnits } from '../format/units';

const log = logger('cli');

export interface CacheCommandOptions {
  dir?: string;
  json?: boolean;
  library?: string;
}

export interface ResolvedCacheDir {
  dir: string;
  /** "--dir", "OVCACHE_DIR", "XDG_CACHE_HOME", "LOCALAPPDATA" or "home". */
  source: string;
}

/** Adds --dir and --json to a cache command. */
export function withCacheOptions(command: Command): Command {
  return command
    .option('--dir <path>', 'the cache folder (default: OVCACHE_DIR, else the user cache folder + "ovcache")')
    .option('--json', 'print JSON');
}

/** Adds --library, for commands that compare entries with the runtime's build. */
export function withLibraryOption(command: Command): Command {
  return command.option('--library <path>', 'the OpenVINO C library whose build decides what is stale (default: the one ovcache finds)');
}

export function resolveCacheDir(opts: { dir?: string }, env: Record<string, string | undefined> = process.env): ResolvedCacheDir {
  if (opts.dir !== undefined) return { dir: path.resolve(opts.dir), source: '--dir' };
  return defaultCacheDir({ env });
}

/** commander argParser over a parser of ovcache's own: its error becomes a usage error with the same message. */
function parsedArgument(parse: (value: string, name: string) => number, name: string): (value: string) => number {
  return (value) => {
    try {
      return parse(value, name);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** A size ("20GB", "512 MiB"). */
export function sizeArgument(name: string): (value: string) => number {
  return parsedArgument(parseSize, name);
}

/** A size the output echoes in the units it was given in ("100MB" is shown as "100 MB", not "95.4 MiB"). */
export interface GivenSize {
  bytes: number;
  units: SizeUnits;
}

export function givenSizeArgument(name: string): (value: string) => GivenSize {
  const bytes = sizeArgument(name);
  return (value) => ({ bytes: bytes(value), units: sizeUnitsOf(value) });
}

/** A duration ("30d", "12h"). */
export function durationArgument(name: string): (value: string) => number {
  return parsedArgument(parseDuration, name);
}

export function countArgument(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`Expected a whole number (0 or more) for ${name} but received "${value}"`);
    }
    return n;
  };
}

export interface RuntimeBuild {
  buildNumber: string | null;
  /** Why there is none: no runtime was found (stale-by-version is then not checked). */
  error: string | null;
}

/** The build of the runtime ovcache would use, or null with the reason; never throws. */
export function runtimeBuild(opts: { library?: string }): RuntimeBuild {
  try {
    const ov = loadOpenVINOSync(opts.library ? { libraryPath: opts.library, skipVersionCheck: true } : { skipVersionCheck: true });
    return { buildNumber: ov.version.buildNumber, error: null };
  } catch (error) {
    log('no runtime for stale checks: %s', (error as Error).message);
    return { buildNumber: null, error: (error as Error).message };
  }
}

/** Writes a value as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
