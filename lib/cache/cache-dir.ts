// The cache folder's layout, and creating it safely.
//
//   <dir>/CACHEDIR.TAG           standard tag: backup tools skip the folder
//   <dir>/entries/<entry>/       one folder per key: OpenVINO's CACHE_DIR for that compile,
//                                plus ovcache-entry.json (the manifest)
//   <dir>/fingerprints/          memoized file digests and model inputs (small JSON files)
//   <dir>/locks/<key>.lock       per-entry cross-process locks (proper-lockfile directories)
//
// Folders ovcache creates are owner-only (0700). An existing world-writable folder is refused:
// anyone could plant a compiled blob in it.
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../errors';

export const CACHEDIR_TAG = 'CACHEDIR.TAG';
export const CACHEDIR_TAG_CONTENT =
  'Signature: 8a477f597d28d172789f06886806bc55\n' +
  '# This file is a cache directory tag created by ovcache.\n' +
  '# For information about cache directory tags, see:\n' +
  '#\thttps://bford.info/cachedir/\n';

export interface CacheLayout {
  root: string;
  entries: string;
  fingerprints: string;
  locks: string;
}

export function cacheLayout(root: string): CacheLayout {
  return {
    root,
    entries: path.join(root, 'entries'),
    fingerprints: path.join(root, 'fingerprints'),
    locks: path.join(root, 'locks'),
  };
}

/** mkdir -p where every folder created gets mode 0700 (umask cannot widen it). */
export function makeOwnerOnlyDir(dir: string): void {
  const parent = path.dirname(dir);
  if (!fs.existsSync(dir)) {
    if (parent !== dir && !fs.existsSync(parent)) makeOwnerOnlyDir(parent);
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
      if (process.platform !== 'win32') fs.chmodSync(dir, 0o700);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function checkExistingRoot(root: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch (error) {
    throw new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `Cannot use cache folder ${root}: ${(error as Error).message}`, { cause: error });
  }
  if (!stat.isDirectory()) throw new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `Cache folder ${root} exists but is not a folder`);
  if (process.platform !== 'win32' && (stat.mode & 0o002) !== 0) {
    throw new OvcacheError(
      'OVCACHE_CACHE_DIR_INSECURE',
      `Cache folder ${root} is writable by every user, so anyone could plant a compiled model in it. ` +
        `Run "chmod o-w ${root}" or choose another folder.`,
    );
  }
}

/** Creates the folder (0700), its subfolders and CACHEDIR.TAG. Throws OvcacheError with a clear code. */
export function ensureCacheDir(root: string): CacheLayout {
  const layout = cacheLayout(root);
  try {
    makeOwnerOnlyDir(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const readOnly = code === 'EROFS' || code === 'EACCES' || code === 'EPERM';
    throw new OvcacheError(
      readOnly ? 'OVCACHE_CACHE_READ_ONLY' : 'OVCACHE_CACHE_DIR_INVALID',
      `Cannot create cache folder ${root}: ${(error as Error).message}` +
        (readOnly ? ' (use readOnly: true for a read-only cache, or another dir)' : ''),
      { cause: error },
    );
  }
  checkExistingRoot(root);
  try {
    for (const dir of [layout.entries, layout.fingerprints, layout.locks]) makeOwnerOnlyDir(dir);
    const tag = path.join(root, CACHEDIR_TAG);
    if (!fs.existsSync(tag)) {
      try {
        fs.writeFileSync(tag, CACHEDIR_TAG_CONTENT, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
      throw new OvcacheError(
        'OVCACHE_CACHE_READ_ONLY',
        `Cache folder ${root} is not writable (${code}); use readOnly: true to read it only`,
        {
          cause: error,
        },
      );
    }
    throw new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `Cannot prepare cache folder ${root}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return layout;
}
