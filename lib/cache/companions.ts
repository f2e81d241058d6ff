// Extension point for services that run beside a ModelCache and live above lib/cache (the
// background rewarm, lib/rewarm/background.ts): the folder above registers a starter by name,
// ModelCache starts it when its option asks for it and stops it in dispose(). lib/cache never
// imports the folders above it.
import { OvcacheError } from '../errors';

export interface Companion {
  /** Stops the companion; resolves once it no longer touches the cache. */
  stop(): Promise<void>;
}

/** What a companion sees of its cache: the ModelCache itself, typed by the registering module. */
export type CompanionStarter = (cache: unknown) => Companion;

const starters = new Map<string, CompanionStarter>();

export function registerCompanion(name: string, start: CompanionStarter): void {
  starters.set(name, start);
}

export function startCompanion(name: string, cache: unknown): Companion {
  const start = starters.get(name);
  if (!start)
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `The ${name} option needs ovcache's ${name} module: import ModelCache from "ovcache"`,
    );
  return start(cache);
}
