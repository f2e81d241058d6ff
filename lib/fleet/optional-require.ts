// The object-store and Redis clients are optional peer dependencies: loaded only when a tier
// or coordinator needs them, with a clear error naming the package to install otherwise.
import { OvcacheError } from '../errors';

export function requireOptional<T>(name: string, why: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    // Only this package missing; a broken install of it (a dependency of its own missing) is rethrown.
    if (e.code !== 'MODULE_NOT_FOUND' || !e.message.includes(`'${name}'`)) throw error;
    throw new OvcacheError(
      'OVCACHE_PEER_MISSING',
      `${why} needs the npm package ${name}, an optional peer dependency: npm install ${name}`,
      {
        cause: error,
      },
    );
  }
}
