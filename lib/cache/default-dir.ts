// Where the cache lives when no `dir` is given:
//   OVCACHE_DIR, else the platform's user cache folder + "ovcache":
//   Linux/BSD  $XDG_CACHE_HOME (when absolute) or ~/.cache
//   macOS      ~/Library/Caches
//   Windows    %LOCALAPPDATA%, or ~\AppData\Local
import os from 'node:os';
import path from 'node:path';

export interface DefaultDirInput {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
}

export interface DefaultDir {
  dir: string;
  /** What chose it: "OVCACHE_DIR", "XDG_CACHE_HOME", "LOCALAPPDATA" or "home". */
  source: string;
}

export function defaultCacheDir(input: DefaultDirInput = {}): DefaultDir {
  const env = input.env ?? process.env;
  const platform = input.platform ?? process.platform;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const home = input.home ?? os.homedir();
  const fromEnv = env.OVCACHE_DIR?.trim();
  if (fromEnv) return { dir: p.resolve(fromEnv), source: 'OVCACHE_DIR' };
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA?.trim();
    if (local && p.isAbsolute(local)) return { dir: p.join(local, 'ovcache'), source: 'LOCALAPPDATA' };
    return { dir: p.join(home, 'AppData', 'Local', 'ovcache'), source: 'home' };
  }
  if (platform === 'darwin') return { dir: p.join(home, 'Library', 'Caches', 'ovcache'), source: 'home' };
  const xdg = env.XDG_CACHE_HOME?.trim();
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg && p.isAbsolute(xdg)) return { dir: p.join(xdg, 'ovcache'), source: 'XDG_CACHE_HOME' };
  return { dir: p.join(home, '.cache', 'ovcache'), source: 'home' };
}
