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
import { OvcacheError } from '../errors';
import { logger } from '../log';
import {
  archiveSubfolders,
  buildSubfolders,
  compareInstallRootNames,
  libraryFileName,
  libraryNamePattern,
  matchLibraryName,
  rankLibraryNames,
} from './library-names';
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

export type ProbeOutcome = 'found' | 'missing' | 'not-a-library' | 'unreadable' | 'skipped';

export interface Probe {
  /** Where the path came from: 'libraryPath option', 'OPENVINO_LIB_PATH', 'INTEL_OPENVINO_DIR', ... */
  source: string;
  /** The file or folder looked at. */
  path: string;
  outcome: ProbeOutcome;
  /** Why, or for 'found' in a folder, the file chosen. */
  detail?: string;
}

export interface FinderResult {
  /** Absolute path of the library file to open. */
  libraryPath: string;
  /** The source of the probe that found it. */
  source: string;
  /** Every probe, in order, ending with the one that found it. */
  probes: Probe[];
}

/** OVCACHE_RUNTIME_NOT_FOUND, with every probe made. */
export class RuntimeNotFoundError extends OvcacheError {
  readonly probes: Probe[];

  constructor(message: string, probes: Probe[]) {
    super('OVCACHE_RUNTIME_NOT_FOUND', message);
    this.name = 'RuntimeNotFoundError';
    this.probes = probes;
  }
}

/** Probe sources, as they appear in Probe.source and in messages. */
export const SOURCE = {
  option: 'libraryPath option',
  libPath: 'OPENVINO_LIB_PATH',
  intelDir: 'INTEL_OPENVINO_DIR',
  installDir: 'OPENVINO_INSTALL_DIR',
  buildDir: 'OPENVINO_BUILD_DIR',
  virtualEnv: 'VIRTUAL_ENV',
  condaSite: 'CONDA_PREFIX',
  condaLib: 'CONDA_PREFIX lib',
  python: 'python site-packages',
  system: 'system library folder',
  installRoot: 'default install root',
} as const;

/** Find the C API library; throws RuntimeNotFoundError (OVCACHE_RUNTIME_NOT_FOUND) when none. */
export function findRuntimeLibrary(options: FinderOptions = {}): FinderResult {
  const ctx: Context = {
    env: options.env ?? process.env,
    platform: options.platform ?? process.platform,
    arch: options.arch ?? process.arch,
    options,
  };
  const search = new Search(ctx.platform);
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

/** A place to look. 'path' accepts a file or a folder (explicit settings); 'folder' only a folder. */
interface Candidate {
  source: string;
  path: string;
  kind: 'path' | 'folder';
}

/** Lazily, so python is only asked when everything before it missed. */
function* candidates(ctx: Context, search: Search): Generator<Candidate> {
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
function* underRoot(source: string, root: string, subfolders: readonly string[], search: Search): Generator<Candidate> {
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
function sitePackagesOf(prefix: string, platform: NodeJS.Platform, search: Search, source: string): string[] {
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

/** The variable the platform's loader searches: LD_LIBRARY_PATH, DYLD_LIBRARY_PATH or PATH. */
export function libraryPathVariable(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'PATH';
  if (platform === 'darwin') return 'DYLD_LIBRARY_PATH';
  return 'LD_LIBRARY_PATH';
}

/** Default system library folders. Linux: the multiarch folder of this arch first, then the generic ones. */
export function systemLibraryDirs(platform: NodeJS.Platform, arch: string): string[] {
  if (platform === 'win32') return [];
  if (platform === 'darwin') {
    return arch === 'arm64' ? ['/opt/homebrew/lib', '/usr/local/lib'] : ['/usr/local/lib', '/opt/homebrew/lib'];
  }
  const multiarch = arch === 'arm64' ? 'aarch64-linux-gnu' : arch === 'x64' ? 'x86_64-linux-gnu' : undefined;
  const dirs = multiarch ? [`/usr/lib/${multiarch}`, `/usr/local/lib/${multiarch}`, `/lib/${multiarch}`] : [];
  return [...dirs, '/usr/lib64', '/usr/lib', '/usr/local/lib64', '/usr/local/lib', '/lib64', '/lib'];
}

/** /opt/intel/openvino* (C:\Program Files (x86)\Intel\openvino* on Windows), newest first. */
export function defaultInstallRoots(platform: NodeJS.Platform, env: NodeJS.ProcessEnv = process.env): string[] {
  const parent = platform === 'win32' ? path.join(programFilesX86(env), 'Intel') : '/opt/intel';
  let names: string[];
  try {
    names = fs.readdirSync(parent).filter((n) => /^openvino/i.test(n));
  } catch {
    return [];
  }
  return names.sort(compareInstallRootNames).map((n) => path.join(parent, n));
}

function programFilesX86(env: NodeJS.ProcessEnv): string {
  return env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)';
}

/** Probes candidates, each path once, recording and logging every probe. */
class Search {
  readonly probes: Probe[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly platform: NodeJS.Platform) {}

  record(probe: Probe): void {
    this.probes.push(probe);
    log('%s %s: %s%s', probe.source, probe.path, probe.outcome, probe.detail ? ` (${probe.detail})` : '');
  }

  /** The library file's absolute path, or undefined. */
  probe(candidate: Candidate): string | undefined {
    const resolved = path.resolve(candidate.path);
    const key = this.platform === 'win32' ? resolved.toLowerCase() : resolved;
    if (this.seen.has(key)) {
      log('%s %s: already probed', candidate.source, resolved);
      return undefined;
    }
    this.seen.add(key);
    if (candidate.kind === 'folder') return this.probeFolder(candidate.source, resolved);

    const stat = statOrError(resolved);
    if (stat instanceof Error) return this.recordStatError(candidate.source, resolved, stat, 'no such file or folder');
    if (stat.isDirectory()) return this.probeFolder(candidate.source, resolved);
    if (!stat.isFile()) {
      this.record({ source: candidate.source, path: resolved, outcome: 'not-a-library', detail: 'not a regular file' });
      return undefined;
    }
    const named = matchLibraryName(path.basename(resolved), this.platform) !== null;
    this.record({
      source: candidate.source,
      path: resolved,
      outcome: 'found',
      ...(named ? {} : { detail: `accepted as given; not named ${libraryFileName(this.platform)}` }),
    });
    return resolved;
  }

  private probeFolder(source: string, dir: string): string | undefined {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') this.record({ source, path: dir, outcome: 'missing', detail: 'no such folder' });
      else if (code === 'ENOTDIR') this.record({ source, path: dir, outcome: 'missing', detail: 'not a folder' });
      else this.record({ source, path: dir, outcome: 'unreadable', detail: errorText(error) });
      return undefined;
    }
    const ranked = rankLibraryNames(names, this.platform);
    if (ranked.length === 0) {
      this.record({ source, path: dir, outcome: 'missing', detail: `no ${libraryNamePattern(this.platform)} in it` });
      return undefined;
    }
    const rejected: string[] = [];
    let unreadable = false;
    for (const { fileName } of ranked) {
      const file = path.join(dir, fileName);
      const stat = statOrError(file);
      if (!(stat instanceof Error) && stat.isFile()) {
        const skipped = rejected.length > 0 ? `; skipped ${rejected.join(', ')}` : '';
        this.record({ source, path: dir, outcome: 'found', detail: `${fileName}${skipped}` });
        return file;
      }
      if (stat instanceof Error && isPermissionError(stat)) unreadable = true;
      rejected.push(`${fileName} (${stat instanceof Error ? rejectionReason(file, stat) : 'not a regular file'})`);
    }
    this.record({ source, path: dir, outcome: unreadable ? 'unreadable' : 'not-a-library', detail: rejected.join(', ') });
    return undefined;
  }

  private recordStatError(source: string, file: string, error: NodeJS.ErrnoException, missingText: string): undefined {
    if (isPermissionError(error)) this.record({ source, path: file, outcome: 'unreadable', detail: errorText(error) });
    else if (error.code === 'ENOENT' && isSymlink(file))
      this.record({ source, path: file, outcome: 'not-a-library', detail: 'dangling symlink' });
    else if (error.code === 'ENOENT' || error.code === 'ENOTDIR')
      this.record({ source, path: file, outcome: 'missing', detail: missingText });
    else this.record({ source, path: file, outcome: 'unreadable', detail: errorText(error) });
    return undefined;
  }
}

function rejectionReason(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT' && isSymlink(file)) return 'dangling symlink';
  return errorText(error);
}

function statOrError(file: string): fs.Stats | NodeJS.ErrnoException {
  try {
    return fs.statSync(file);
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function isPermissionError(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EACCES' || error.code === 'EPERM';
}

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isAbsolute(entry: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' ? path.win32.isAbsolute(entry) || path.isAbsolute(entry) : path.posix.isAbsolute(entry);
}

/**
 * The probes as aligned text, one per line: source, path, outcome (detail). Used by the
 * not-found error and by `ovcache doctor`.
 */
export function describeProbes(probes: readonly Probe[]): string {
  if (probes.length === 0) return '  (nothing was searched)';
  const sourceWidth = Math.max(...probes.map((p) => p.source.length));
  const pathWidth = Math.min(72, Math.max(...probes.map((p) => p.path.length)));
  return probes
    .map((p) => {
      const outcome = p.detail ? `${p.outcome} (${p.detail})` : p.outcome;
      return `  ${p.source.padEnd(sourceWidth)}  ${p.path.padEnd(pathWidth)}  ${outcome}`.trimEnd();
    })
    .join('\n');
}

/** The fix for each way of installing OpenVINO, for the platform. One line per hint. */
export function fixHints(platform: NodeJS.Platform): string[] {
  const file = platform === 'win32' ? 'C:\\path\\to\\openvino_c.dll' : `/path/to/${libraryFileName(platform)}`;
  const hints = [
    '  - Python wheel: pip install openvino',
    '      (the library is in site-packages/openvino/libs; ovcache searches VIRTUAL_ENV, CONDA_PREFIX and the site-packages of python3)',
  ];
  if (platform === 'linux') {
    hints.push(
      "  - APT (Ubuntu/Debian): add Intel's OpenVINO APT repository, then: sudo apt install openvino-<version>",
      '      (the C API library is in the libopenvino-<version> package, installed into the system library folders)',
    );
  }
  if (platform === 'darwin') hints.push('  - Homebrew: brew install openvino');
  if (platform === 'win32') {
    hints.push(
      '  - Archive: extract it, then run <root>\\setupvars.bat (or setupvars.ps1) in the shell that starts node (sets INTEL_OPENVINO_DIR)',
    );
    hints.push(`  - Or point ovcache at the library: set OPENVINO_LIB_PATH=${file} (the file or its folder), or pass { libraryPath }`);
  } else {
    hints.push('  - Archive: extract it, then run: source <root>/setupvars.sh in the shell that starts node (sets INTEL_OPENVINO_DIR)');
    hints.push(`  - Or point ovcache at the library: OPENVINO_LIB_PATH=${file} (the file or its folder), or pass { libraryPath }`);
  }
  return hints;
}

function notFoundMessage(probes: readonly Probe[], platform: NodeJS.Platform, explicit: boolean): string {
  const what = `OpenVINO's C API library (${libraryNamePattern(platform)})`;
  const head = explicit
    ? `${what} was not found at the libraryPath option (only that path is searched when it is given):`
    : `${what} was not found. Places searched, in order:`;
  return [
    head,
    describeProbes(probes),
    '',
    'To fix, install OpenVINO one of these ways or point ovcache at it:',
    ...fixHints(platform),
    'Note: the openvino-node npm package does not ship the C API library; installing it does not help.',
    'Set DEBUG=ovcache:finder (or OVCACHE_DEBUG=1) to log every probe. See docs/runtime-discovery.md.',
  ].join('\n');
}
