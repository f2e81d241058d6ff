// File names of OpenVINO's C API library and how to pick one among several in a folder.
// Pure: no file system access. The finder (finder.ts) does the looking.
//
// Names per platform (CMake SOVERSION/VERSION, cmake/developer_package/version.cmake upstream):
//   Linux   libopenvino_c.so, libopenvino_c.so.2541 (SONAME), libopenvino_c.so.2025.4.1
//   macOS   libopenvino_c.dylib, libopenvino_c.2541.dylib, libopenvino_c.2025.4.1.dylib
//   Windows openvino_c.dll
// The SONAME suffix is major+minor+patch with the leading "20" dropped (2025.4.1 -> 2541).

export type LibraryName =
  | { kind: 'unversioned'; fileName: string }
  /** `soversion` is the SONAME number; a dotted name (2025.4.1) is converted to it. */
  | { kind: 'versioned'; fileName: string; soversion: number; dotted: boolean };

const LINUX = /^libopenvino_c\.so(?:\.(\d+(?:\.\d+)*))?$/;
const MACOS = /^libopenvino_c(?:\.(\d+(?:\.\d+)*))?\.dylib$/;
const WINDOWS = /^openvino_c\.dll$/i;

/** The unversioned file name the platform's loader looks for, e.g. "libopenvino_c.so". */
export function libraryFileName(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'openvino_c.dll';
  if (platform === 'darwin') return 'libopenvino_c.dylib';
  return 'libopenvino_c.so';
}

/** A glob-like pattern for messages: "libopenvino_c.so[.<version>]". */
export function libraryNamePattern(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'openvino_c.dll';
  if (platform === 'darwin') return 'libopenvino_c[.<version>].dylib';
  return 'libopenvino_c.so[.<version>]';
}

/**
 * The SONAME number in a C API library file name, or null when the name carries no version
 * (or is not the C API library). Works for Linux and macOS names:
 *   libopenvino_c.so.2541 -> 2541, libopenvino_c.so.2025.4.1 -> 2541,
 *   libopenvino_c.2640.dylib -> 2640, libopenvino_c.so -> null, openvino_c.dll -> null.
 */
export function parseSoVersion(fileName: string): number | null {
  const m = LINUX.exec(fileName) ?? MACOS.exec(fileName);
  const suffix = m?.[1];
  if (suffix === undefined) return null;
  return toSoversion(suffix);
}

/** "2541" -> 2541; "2025.4.1" -> 2541 (the number CMake would give it as SOVERSION). */
function toSoversion(suffix: string): number {
  const parts = suffix.split('.');
  if (parts.length === 1) return Number(suffix);
  const joined = parts.join('').replace(/^20/, '');
  return Number(joined);
}

/** Classify a directory entry name; null when it is not the C API library for the platform. */
export function matchLibraryName(fileName: string, platform: NodeJS.Platform): LibraryName | null {
  if (platform === 'win32') return WINDOWS.test(fileName) ? { kind: 'unversioned', fileName } : null;
  // macOS file systems are case-insensitive by default, but the loader's names are lower case.
  const m = (platform === 'darwin' ? MACOS : LINUX).exec(fileName);
  if (!m) return null;
  const suffix = m[1];
  if (suffix === undefined) return { kind: 'unversioned', fileName };
  return { kind: 'versioned', fileName, soversion: toSoversion(suffix), dotted: suffix.includes('.') };
}

/**
 * Best first: the unversioned name, then versioned names by SONAME number, highest first
 * (numeric, so 2541 > 251 > 2410, which string order gets wrong). For one version the SONAME
 * form (.2541) comes before the dotted form (.2025.4.1): it is what the wheel ships and
 * what programs linked against OpenVINO load.
 */
export function compareLibraryNames(a: LibraryName, b: LibraryName): number {
  if (a.kind !== b.kind) return a.kind === 'unversioned' ? -1 : 1;
  if (a.kind === 'unversioned' || b.kind === 'unversioned') return a.fileName.localeCompare(b.fileName);
  if (a.soversion !== b.soversion) return b.soversion - a.soversion;
  if (a.dotted !== b.dotted) return a.dotted ? 1 : -1;
  return a.fileName.localeCompare(b.fileName);
}

/** The library names among `fileNames`, best first (see compareLibraryNames). */
export function rankLibraryNames(fileNames: readonly string[], platform: NodeJS.Platform): LibraryName[] {
  const found: LibraryName[] = [];
  for (const name of fileNames) {
    const match = matchLibraryName(name, platform);
    if (match) found.push(match);
  }
  return found.sort(compareLibraryNames);
}

/**
 * The archive's library folder name for a Node arch, as OpenVINO's CMake names it
 * (ARCH_FOLDER): x86_64 -> intel64 everywhere; 64-bit ARM -> aarch64 on Linux (the lower-cased
 * CMAKE_SYSTEM_PROCESSOR), arm64 on macOS and Windows.
 */
export function archiveArchFolder(platform: NodeJS.Platform, arch: string): string {
  switch (arch) {
    case 'x64':
      return 'intel64';
    case 'ia32':
      return 'ia32';
    case 'arm64':
      return platform === 'linux' ? 'aarch64' : 'arm64';
    case 'arm':
      return platform === 'win32' ? 'arm' : 'armv7l';
    default:
      return arch;
  }
}

/** Subfolders of an archive install (or the root itself, '.') that hold the C API library. */
export function archiveSubfolders(platform: NodeJS.Platform, arch: string): string[] {
  const folder = archiveArchFolder(platform, arch);
  if (platform === 'win32') return [`runtime/bin/${folder}/Release`, '.'];
  if (platform === 'darwin') return [`runtime/lib/${folder}/Release`, 'runtime/lib/universal2/Release', '.'];
  return [`runtime/lib/${folder}`, '.'];
}

/**
 * Where an OpenVINO source build puts its binaries (OUTPUT_ROOT/bin/<arch folder>/<config>);
 * the folder given may be the build folder or the source tree.
 */
export function buildSubfolders(platform: NodeJS.Platform, arch: string): string[] {
  const folder = archiveArchFolder(platform, arch);
  return [`bin/${folder}/Release`, `bin/${folder}/RelWithDebInfo`, `bin/${folder}`, '.'];
}

/** Compare "openvino_2025.4.1"-style folder names: the plain name first, then newest first. */
export function compareInstallRootNames(a: string, b: string): number {
  const va = versionParts(a);
  const vb = versionParts(b);
  for (let i = 0; i < Math.min(va.length, vb.length); i++) {
    const d = (vb[i] ?? 0) - (va[i] ?? 0);
    if (d !== 0) return d;
  }
  // "openvino" before "openvino_2025" before "openvino_2025.4.1": the shorter names are the
  // links an install makes to its newest release.
  if (va.length !== vb.length) return va.length - vb.length;
  return a.localeCompare(b);
}

function versionParts(name: string): number[] {
  return (name.match(/\d+/g) ?? []).map(Number);
}
