// Debug logging. Off by default; turn it on with DEBUG=ovcache:* (all parts) or a part such
// as DEBUG=ovcache:finder, or with OVCACHE_DEBUG=1 (same as DEBUG=ovcache:*).
import createDebug from 'debug';

if (isTruthyFlag(process.env.OVCACHE_DEBUG)) {
  createDebug.enable([process.env.DEBUG, 'ovcache:*'].filter(Boolean).join(','));
}

export type Logger = (format: string, ...args: unknown[]) => void;

export function logger(part: string): Logger {
  return createDebug(`ovcache:${part}`);
}

/** "1", "true", "yes", "on" (any case) are true; anything else, or unset, is false. */
export function isTruthyFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
