// Finds OpenVINO's C API library (libopenvino_c.so*, libopenvino_c*.dylib, openvino_c.dll).
// Synchronous and side-effect free apart from reading the file system and, late in the
// search, asking python where its site-packages are. It never opens the library: the loader
// does that, and reports load failures itself.
//
// Order, first hit wins (docs/runtime-discovery.md is the user-facing copy; keep them in step):
//   1. the libraryPath option (authoritative: when given, nothing else is searched)
//   2. OPENVINO_LIB_PATH (file or folder)
//   3. INTEL_OPENVINO_DIR, OPENVINO_INSTALL_DIR (archive layout), OPENVINO_BUILD_DIR (build layout)
//   4. LD_LIBRARY_PATH / DYLD_LIBRARY_PATH / PATH entries
//   5. VIRTUAL_ENV wheel, CONDA_PREFIX wheel, CONDA_PREFIX lib, python installations' wheel
//   6. system library folders
//   7. default install roots (/opt/intel/openvino*, newest first)
// Invariants: every path is probed at most once; every probe is logged and recorded in order.
import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../log';
import { archiveSubfolders, buildSubfolders, compareInstallRootNames, libraryNamePattern } from './library-names';
import { defaultInstallRoots, libraryPathVariable, programFilesX86, systemLibraryDirs } from './library-folders';
import { notFoundMessage, RuntimeNotFoundError } from './finder-report';
import { SOURCE, type Probe } from './probe';
import { isDirectory, ProbeSearch, type Candidate } from './probe-search';
import { pythonSitePackages } from './python-site';

export { parseSoVersion } from './library-names';
export { pythonSitePackages } from './python-site';

const log = logger('finder');

export interface FinderOptions {
  /** The library file, or a folder holding it. When given, it is the only place searched. */
  libraryPath?: string;
  /** Environment to read the variables from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default: process.platform. Decides file names, variables and folders. */
  platform?: NodeJS.Platform;
  /** Default: process.arch. Decides archive and system subfolders. */
  arch?: string;
  /** site-packages folders of the python installations. Default: asks python3 / python. */
  pythonSitePackages?: () => string[];
  /** System library folders. Default: per platform and arch (see systemLibraryDirs). */
  systemLibDirs?: string[];
  /** Install roots to search last, in order. Default: /opt/intel/openvino* newest first. */
  defaultInstallRoots?: string[];
}

export interface FinderResult {
  /** Absolute path of the library file to open. */
  libraryPath: string;
  /** The source of the probe that found it. */
  source: string;
  /** Every probe, in order, ending with the one that found it. */
  probes: Probe[];
}

/** Find the C API library; throws RuntimeNotFoundError (OVCACHE_RUNTIME_NOT_FOUND) when none. */
export function findRuntimeLibrary(options: FinderOptions = {}): FinderResult {
  const ctx: Context = {
    env: options.env ?? process.env,
    platform: options.platform ?? process.platform,
    arch: options.arch ?? process.arch,
    options,
  };
  const search = new ProbeSearch(ctx.platform);
  log('searching for %s (platform %s, arch %s)', libraryNamePattern(ctx.platform), ctx.platform, ctx.arch);
  for (const candidate of candidates(ctx, search)) {
    const found = search.probe(candidate);
    if (found !== undefined) {
      log('using %s (via %s)', found, candidate.source);
      return { libraryPath: found, source: candidate.source, probes: search.probes };
    }
  }
  const message = notFoundMessage(search.probes, ctx.platform, options.libraryPath !== undefined);
  log('not found after %d probes', search.probes.length);
  throw new RuntimeNotFoundError(message, search.probes);
}

interface Context {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
  options: FinderOptions;
}

/** Lazily, so python is only asked when everything before it missed. */
function* candidates(ctx: Context, search: ProbeSearch): Generator<Candidate> {
  const { env, platform, arch, options } = ctx;
  if (options.libraryPath !== undefined) {
    yield { source: SOURCE.option, path: options.libraryPath, kind: 'path' };
    return;
  }
  const libPath = nonEmpty(env.OPENVINO_LIB_PATH);
  if (libPath) yield { source: SOURCE.libPath, path: libPath, kind: 'path' };

  for (const [source, subfolders] of [
    [SOURCE.intelDir, archiveSubfolders(platform, arch)],
    [SOURCE.installDir, archiveSubfolders(platform, arch)],
    [SOURCE.buildDir, buildSubfolders(platform, arch)],
  ] as const) {
    const root = nonEmpty(env[source]);
    if (root) yield* underRoot(source, root, subfolders, search);
  }

  const pathVar = libraryPathVariable(platform);
  const entries = nonEmpty(env[pathVar]);
  if (entries) {
    for (const entry of entries.split(platform === 'win32' ? ';' : ':')) {
      if (entry === '') continue;
      if (!isAbsolute(entry, platform)) {
        search.record({ source: pathVar, path: entry, outcome: 'skipped', detail: 'relative entry; only absolute folders are searched' });
        continue;
      }
      yield { source: pathVar, path: entry, kind: 'folder' };
    }
  }

  const venv = nonEmpty(env.VIRTUAL_ENV);
  if (venv) yield* wheelFolders(SOURCE.virtualEnv, sitePackagesOf(venv, platform, search, SOURCE.virtualEnv));
  const conda = nonEmpty(env.CONDA_PREFIX);
  if (conda) {
    yield* wheelFolders(SOURCE.condaSite, sitePackagesOf(conda, platform, search, SOURCE.condaSite));
    yield { source: SOURCE.condaLib, path: path.join(conda, platform === 'win32' ? 'Library/bin' : 'lib'), kind: 'folder' };
  }
  let sitePackages: string[];
  try {
    sitePackages = (options.pythonSitePackages ?? (() => pythonSitePackages(platform, env)))();
  } catch (error) {
    search.record({ source: SOURCE.python, path: 'python', outcome: 'skipped', detail: (error as Error).message });
    sitePackages = [];
  }
  yield* wheelFolders(SOURCE.python, sitePackages);

  for (const dir of options.systemLibDirs ?? systemLibraryDirs(platform, arch)) {
    yield { source: SOURCE.system, path: dir, kind: 'folder' };
  }

  const roots = options.defaultInstallRoots ?? defaultInstallRoots(platform, env);
  if (options.defaultInstallRoots === undefined && roots.length === 0) {
    const pattern = platform === 'win32' ? path.join(programFilesX86(env), 'Intel', 'openvino*') : '/opt/intel/openvino*';
    search.record({ source: SOURCE.installRoot, path: pattern, outcome: 'missing', detail: 'no such folder' });
  }
  for (const root of roots) yield* underRoot(SOURCE.installRoot, root, archiveSubfolders(platform, arch), search);
}

/** An install root's library subfolders; one 'missing' probe when the root itself is absent. */
function* underRoot(source: string, root: string, subfolders: readonly string[], search: ProbeSearch): Generator<Candidate> {
  if (!isDirectory(root)) {
    search.record({ source, path: root, outcome: 'missing', detail: 'no such folder' });
    return;
  }
  for (const sub of subfolders) yield { source, path: sub === '.' ? root : path.join(root, sub), kind: 'folder' };
}

function* wheelFolders(source: string, sitePackages: readonly string[]): Generator<Candidate> {
  for (const dir of sitePackages) yield { source, path: path.join(dir, 'openvino', 'libs'), kind: 'folder' };
}

/** site-packages of a virtualenv or conda prefix: lib/python3.*\/site-packages, Lib/site-packages on Windows. */
function sitePackagesOf(prefix: string, platform: NodeJS.Platform, search: ProbeSearch, source: string): string[] {
  if (platform === 'win32') return [path.join(prefix, 'Lib', 'site-packages')];
  const lib = path.join(prefix, 'lib');
  let names: string[];
  try {
    names = fs.readdirSync(lib).filter((n) => /^python3(\.\d+)?t?$/.test(n));
  } catch {
    names = [];
  }
  if (names.length === 0) {
    search.record({ source, path: path.join(lib, 'python3.*', 'site-packages'), outcome: 'missing', detail: 'no python3.* folder' });
    return [];
  }
  names.sort(compareInstallRootNames);
  return names.map((n) => path.join(lib, n, 'site-packages'));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isAbsolute(entry: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' ? path.win32.isAbsolute(entry) || path.isAbsolute(entry) : path.posix.isAbsolute(entry);
}
