// Locates the compiled addon via node-gyp-build: build/Release first (a build from source),
// then prebuilds/<platform>-<arch>/ (shipped; loads with no install script run at all).
// Tests and sanitizer runs inject another build with the `nativeBinding` option or the
// OVCACHE_NATIVE_BINDING environment variable (a path to a .node file).
import path from 'node:path';
import { OvcacheError } from '../errors';
import type { NativeBinding } from './native-binding';

/** The package root: dist/lib/runtime -> three levels up. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');

let defaultBinding: NativeBinding | undefined;

export function loadNativeBinding(injected?: string | NativeBinding): NativeBinding {
  if (injected !== undefined && typeof injected !== 'string') return injected;
  const explicit = injected ?? process.env.OVCACHE_NATIVE_BINDING;
  if (explicit) return requireBinding(path.resolve(explicit));
  if (!defaultBinding) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const nodeGypBuild = require('node-gyp-build') as (root: string) => NativeBinding;
      defaultBinding = nodeGypBuild(PACKAGE_ROOT);
    } catch (error) {
      throw new OvcacheError(
        'OVCACHE_ADDON_NOT_FOUND',
        `The ovcache native addon could not be loaded: ${(error as Error).message}\n` +
          `No prebuilt binary fits ${process.platform}-${process.arch} and none was built from source. ` +
          'To build it: install a C++17 compiler, make and Python 3, then run `npm rebuild ovcache` in your project ' +
          '(if your npm blocks dependency install scripts, allow this one first: `npm install-scripts approve ovcache`). ' +
          'See docs/troubleshooting.md.',
        { cause: error },
      );
    }
  }
  return defaultBinding;
}

function requireBinding(file: string): NativeBinding {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as NativeBinding;
  } catch (error) {
    throw new OvcacheError('OVCACHE_ADDON_NOT_FOUND', `The native addon at ${file} could not be loaded: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
