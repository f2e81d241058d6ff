// Where a platform keeps libraries: the loader's search variable, the system library folders
// and OpenVINO's default install roots. Reads the file system only to list install roots.
import fs from 'node:fs';
import path from 'node:path';
import { compareInstallRootNames } from './library-names';

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

export function programFilesX86(env: NodeJS.ProcessEnv): string {
  return env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)';
}
