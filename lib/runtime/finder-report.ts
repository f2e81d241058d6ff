// The finder's report: its probes as aligned text, the fix for each way of installing
// OpenVINO, and the one error that carries both when nothing was found.
import { OvcacheError } from '../errors';
import { libraryFileName, libraryNamePattern } from './library-names';
import type { Probe } from './probe';

/** OVCACHE_RUNTIME_NOT_FOUND, with every probe made. */
export class RuntimeNotFoundError extends OvcacheError {
  /** Every place searched (the message lists them already); not enumerable, so `JSON.stringify` and spreads leave it out. */
  declare readonly probes: Probe[];

  constructor(message: string, probes: Probe[]) {
    super('OVCACHE_RUNTIME_NOT_FOUND', message);
    this.name = 'RuntimeNotFoundError';
    // Not enumerable: an uncaught error prints its message once, not the list again as an object.
    Object.defineProperty(this, 'probes', { value: probes, enumerable: false, writable: true, configurable: true });
  }
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

/** The not-found message: what was searched, in order, then how to fix it. */
export function notFoundMessage(probes: readonly Probe[], platform: NodeJS.Platform, explicit: boolean): string {
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
