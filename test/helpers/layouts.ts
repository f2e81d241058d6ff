// The stand-in installed as Intel ships OpenVINO (archive, pip wheel, APT, YUM, conda), for
// tests of the finder and the loader. scripts/test-runtime-layouts.js does the installing; this
// file types it and adds the finder options that find each layout and nothing else.
import fs from 'node:fs';
import path from 'node:path';
import type { FinderOptions } from '../../lib/runtime/finder';
import { OUT, ROOT, TEST_RUNTIME_DIR } from './paths';

export type LayoutKind = 'archive' | 'wheel' | 'apt' | 'yum' | 'conda';
/** Parts a test can leave out of a fresh layout to see the failure. */
export type LayoutPart = 'core' | 'tbb' | 'cpu-plugin' | 'gpu-plugin';

export interface StandInLayout {
  kind: LayoutKind;
  /** What a user points a variable at: the archive root, the venv, the fake root, the conda prefix. */
  root: string;
  /** The folder holding the C library. */
  libraryDir: string;
  /** The C library file the finder picks in libraryDir. */
  libraryPath: string;
  /** The variables that make the finder look there (INTEL_OPENVINO_DIR, VIRTUAL_ENV, CONDA_PREFIX). */
  env: Record<string, string>;
  /** APT/YUM: the fake system library folders, for FinderOptions.systemLibDirs. */
  systemLibDirs?: string[];
}

interface LayoutsScript {
  LAYOUT_KINDS: LayoutKind[];
  VERSION: string;
  SOVERSION: string;
  layoutPaths(kind: LayoutKind, dir: string): StandInLayout;
  installLayout(kind: LayoutKind, dir: string, options?: { runtimeDir?: string; omit?: LayoutPart[] }): StandInLayout;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const script = require(path.join(ROOT, 'scripts', 'test-runtime-layouts.js')) as LayoutsScript;

export const LAYOUT_KINDS: readonly LayoutKind[] = script.LAYOUT_KINDS;
/** The stand-in's release (the file names' version) and soname number. */
export const STAND_IN_VERSION = script.VERSION;
export const STAND_IN_SOVERSION = script.SOVERSION;
/** Where npm run build:test-runtime installs every layout. */
export const LAYOUTS_DIR = path.join(OUT, 'layouts');

/**
 * Installs the stand-in in `kind`'s layout under `dir` (a fresh folder), optionally without
 * some parts. Use for tests that change or break a layout; standInLayout() for the built ones.
 */
export function installStandIn(kind: LayoutKind, dir: string, omit: LayoutPart[] = []): StandInLayout {
  return script.installLayout(kind, dir, { runtimeDir: TEST_RUNTIME_DIR, omit });
}

/** The layout npm run build:test-runtime installed under out/layouts/<kind>/ (read-only: do not change it). */
export function standInLayout(kind: LayoutKind): StandInLayout {
  const layout = script.layoutPaths(kind, path.join(LAYOUTS_DIR, kind));
  if (!fs.existsSync(layout.libraryPath)) {
    throw new Error(`${layout.libraryPath} is missing: run npm run build:test-runtime`);
  }
  return layout;
}

/**
 * Finder options that find `layout` and nothing from the machine: its variables only, no
 * python, no real system folders, no /opt/intel.
 */
export function hermeticFinder(layout: StandInLayout, env: Record<string, string> = layout.env): FinderOptions {
  return {
    env,
    platform: 'linux',
    arch: process.arch,
    pythonSitePackages: () => [],
    systemLibDirs: layout.systemLibDirs ?? [],
    defaultInstallRoots: [],
  };
}
