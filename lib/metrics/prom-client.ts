// prom-client is an optional peer dependency: loaded here, on first use of ovcache/metrics, with
// one coded error that says how to install it when it is missing.
import type * as PromClient from 'prom-client';
import { OvcacheError } from '../errors';

export type PromClientModule = typeof PromClient;

const INSTALL = 'npm install prom-client';

/** The caller's prom-client (resolved from this package, so the app's copy is shared). */
export function loadPromClient(): PromClientModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as PromClientModule;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && /prom-client/.test(e.message)) {
      throw new OvcacheError(
        'OVCACHE_PEER_MISSING',
        `ovcache/metrics needs the prom-client package (version 15 or newer), an optional peer dependency: ${INSTALL}`,
        { cause: error },
      );
    }
    throw error;
  }
}
