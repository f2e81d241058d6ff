// Debug logging. Off by default; turn it on with DEBUG=ovcache:* (all parts) or a part such
// as DEBUG=ovcache:finder, or with OVCACHE_DEBUG=1 (same as DEBUG=ovcache:*).
// The `debug` package (with ms and supports-color) is loaded only when one of those variables is
// set when ovcache is imported, or when loadDebug() is called: until then every logger does
// nothing, and `debug.enable()` from a host's code does not reach ovcache's loggers.
import type createDebugType from 'debug';

export type Logger = (format: string, ...args: unknown[]) => void;

let createDebug: typeof createDebugType | undefined;

/** Loads `debug` (once); OVCACHE_DEBUG=1 enables every ovcache part. */
export function loadDebug(): typeof createDebugType {
  if (createDebug) return createDebug;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for (above)
  createDebug = require('debug') as typeof createDebugType;
  if (isTruthyFlag(process.env.OVCACHE_DEBUG)) createDebug.enable([process.env.DEBUG, 'ovcache:*'].filter(Boolean).join(','));
  return createDebug;
}

if (process.env.DEBUG || isTruthyFlag(process.env.OVCACHE_DEBUG)) loadDebug();

/** A part's logger: silent while `debug` is not loaded, then as `debug` says for `ovcache:<part>`. */
export function logger(part: string): Logger {
  let instance: Logger | undefined;
  return (format, ...args) => {
    if (!createDebug) return;
    instance ??= createDebug(`ovcache:${part}`);
    instance(format, ...args);
  };
}

/** "1", "true", "yes", "on" (any case) are true; anything else, or unset, is false. */
export function isTruthyFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
