// What one look at a path found, and where the path came from: the finder's record, which
// its report (finder-report.ts) and `ovcache doctor` print.
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
