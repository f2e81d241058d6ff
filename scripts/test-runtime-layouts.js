#!/usr/bin/env node
// Installs the stand-in runtime (built by build-test-runtime.js into out/test-runtime/, split as
// Intel ships OpenVINO) into each way Intel ships it, under out/layouts/ by default. Test
// infrastructure only. Every layout is a copy of the same libraries; what differs is where the
// files sit, how they are named and whether they carry an RPATH:
//
//   archive  <root>/runtime/lib/intel64/ (C library, core, plugins; versioned files plus the
//            soname and dev symlinks) and <root>/runtime/3rdparty/tbb/lib/ (TBB), no RUNPATH
//            anywhere (checked on Intel's 2024.6.0 archive); <root>/setupvars.sh sets
//            INTEL_OPENVINO_DIR and LD_LIBRARY_PATH as upstream's scripts/setupvars/setupvars.sh.
//   wheel    <venv>/lib/python3.11/site-packages/openvino/libs/: every library copied under its
//            soname (no symlinks), TBB beside them, each with DT_RPATH $ORIGIN (upstream's
//            src/bindings/python/wheel/setup.py: resolve_symlinks renames libX.so.Y.Z to
//            libX.so.Y; set_rpath runs `patchelf --set-rpath $ORIGIN --force-rpath` on them).
//   apt      <fake root>/usr/lib/<multiarch>/: versioned files + soname links (the runtime
//            package has no dev link), plugins in openvino-<version>/ (OV_CPACK_PLUGINSDIR of
//            cmake/developer_package/packaging/common-libraries.cmake), TBB from libtbb12.
//   yum      <fake root>/usr/lib64/, as apt.
//   conda    <prefix>/lib/, as apt (conda-forge.cmake sets the same plugins folder).
//
// `omit` leaves parts out to test failures: 'core', 'tbb', 'cpu-plugin', 'gpu-plugin'.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const VERSION = '2025.4.0';
const SOVERSION = '2540';
const TBB_VERSION = '12.13';
const LAYOUT_KINDS = ['archive', 'wheel', 'apt', 'yum', 'conda'];
const PYTHON = 'python3.11';

function multiarch(arch = process.arch) {
  return arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
}

/** The archive's arch folder for this machine (library-names.ts archiveArchFolder, Linux). */
function archFolder(arch = process.arch) {
  return arch === 'arm64' ? 'aarch64' : 'intel64';
}

/** The library files of one build, by part. `dir` is out/test-runtime or its rpath-origin/. */
function parts(dir) {
  return {
    c: { real: path.join(dir, `libopenvino_c.so.${VERSION}`), soname: `libopenvino_c.so.${SOVERSION}`, dev: 'libopenvino_c.so' },
    core: { real: path.join(dir, `libopenvino.so.${VERSION}`), soname: `libopenvino.so.${SOVERSION}`, dev: 'libopenvino.so' },
    tbb: { real: path.join(dir, `libtbb.so.${TBB_VERSION}`), soname: 'libtbb.so.12', dev: 'libtbb.so' },
    'cpu-plugin': { real: path.join(dir, 'libopenvino_intel_cpu_plugin.so') },
    'gpu-plugin': { real: path.join(dir, 'libopenvino_intel_gpu_plugin.so') },
  };
}

function copy(from, to) {
  if (!fs.existsSync(from)) throw new Error(`test-runtime-layouts: ${from} is missing; run npm run build:test-runtime`);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** The versioned file, its soname link and (with `dev`) the unversioned link, in `folder`. */
function installVersioned(part, folder, { dev }) {
  const file = path.basename(part.real);
  copy(part.real, path.join(folder, file));
  fs.symlinkSync(file, path.join(folder, part.soname));
  if (dev) fs.symlinkSync(part.soname, path.join(folder, part.dev));
}

const SETUPVARS = `#!/bin/bash
# Stand-in of OpenVINO's setupvars.sh (upstream scripts/setupvars/setupvars.sh): what it does for
# the C runtime. Source it: source setupvars.sh
INSTALLDIR="$( cd "$( dirname "\${BASH_SOURCE[0]:-$0}" )" >/dev/null 2>&1 && pwd )"
export INTEL_OPENVINO_DIR="$INSTALLDIR"
export OpenVINO_DIR="$INSTALLDIR/runtime/cmake"
export LD_LIBRARY_PATH="$INSTALLDIR/runtime/lib/ARCH:$INSTALLDIR/runtime/3rdparty/tbb/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "[setupvars.sh] OpenVINO environment initialized"
`;

/**
 * Where `kind`'s files sit under `dir`: `root` (what a user points a variable at), `libraryDir`,
 * `libraryPath` (the C library the finder picks there), `env` (the variables that make the
 * finder look there) and, for APT/YUM, `systemLibDirs` (the finder's option standing in for
 * /usr/lib...). Pure: no file system access.
 */
function layoutPaths(kind, dir, arch = process.arch) {
  const soname = `libopenvino_c.so.${SOVERSION}`;
  switch (kind) {
    case 'archive': {
      const root = path.join(dir, `openvino_${VERSION}`);
      const libraryDir = path.join(root, 'runtime', 'lib', archFolder(arch));
      return { kind, root, libraryDir, libraryPath: path.join(libraryDir, 'libopenvino_c.so'), env: { INTEL_OPENVINO_DIR: root } };
    }
    case 'wheel': {
      const root = path.join(dir, 'venv');
      const libraryDir = path.join(root, 'lib', PYTHON, 'site-packages', 'openvino', 'libs');
      return { kind, root, libraryDir, libraryPath: path.join(libraryDir, soname), env: { VIRTUAL_ENV: root } };
    }
    case 'conda': {
      const root = path.join(dir, 'env');
      const libraryDir = path.join(root, 'lib');
      return { kind, root, libraryDir, libraryPath: path.join(libraryDir, 'libopenvino_c.so'), env: { CONDA_PREFIX: root } };
    }
    case 'apt':
    case 'yum': {
      const root = path.join(dir, 'root');
      const libraryDir = kind === 'apt' ? path.join(root, 'usr', 'lib', multiarch(arch)) : path.join(root, 'usr', 'lib64');
      return { kind, root, libraryDir, libraryPath: path.join(libraryDir, soname), env: {}, systemLibDirs: [libraryDir] };
    }
    default:
      throw new Error(`unknown layout ${kind}; one of ${LAYOUT_KINDS.join(', ')}`);
  }
}

/** Installs one layout under `dir` (created; must not hold a previous copy); returns layoutPaths(). */
function installLayout(kind, dir, { runtimeDir = path.join(ROOT, 'out', 'test-runtime'), omit = [], arch = process.arch } = {}) {
  const keep = (name) => !omit.includes(name);
  const layout = layoutPaths(kind, dir, arch);
  const { root, libraryDir } = layout;
  const plain = parts(runtimeDir);
  const plugins = ['cpu-plugin', 'gpu-plugin'].filter(keep);
  fs.mkdirSync(libraryDir, { recursive: true });
  if (kind === 'archive') {
    const tbbDir = path.join(root, 'runtime', '3rdparty', 'tbb', 'lib');
    installVersioned(plain.c, libraryDir, { dev: true });
    if (keep('core')) installVersioned(plain.core, libraryDir, { dev: true });
    for (const p of plugins) copy(plain[p].real, path.join(libraryDir, path.basename(plain[p].real)));
    fs.mkdirSync(tbbDir, { recursive: true });
    if (keep('tbb')) installVersioned(plain.tbb, tbbDir, { dev: true });
    fs.writeFileSync(path.join(root, 'setupvars.sh'), SETUPVARS.replace('ARCH', archFolder(arch)), { mode: 0o755 });
  } else if (kind === 'wheel') {
    const withOrigin = parts(path.join(runtimeDir, 'rpath-origin'));
    const asSoname = (part) => copy(part.real, path.join(libraryDir, part.soname));
    asSoname(withOrigin.c);
    if (keep('core')) asSoname(withOrigin.core);
    if (keep('tbb')) asSoname(withOrigin.tbb);
    for (const p of plugins) copy(withOrigin[p].real, path.join(libraryDir, path.basename(withOrigin[p].real)));
  } else {
    // apt, yum, conda. conda packages ship the dev link too; the APT/YUM runtime packages do not.
    const dev = kind === 'conda';
    installVersioned(plain.c, libraryDir, { dev });
    if (keep('core')) installVersioned(plain.core, libraryDir, { dev });
    if (keep('tbb')) installVersioned(plain.tbb, libraryDir, { dev });
    const pluginDir = path.join(libraryDir, `openvino-${VERSION}`);
    for (const p of plugins) copy(plain[p].real, path.join(pluginDir, path.basename(plain[p].real)));
  }
  return layout;
}

/** Every layout, fresh, under `outDir` (out/layouts/<kind>/). */
function installAllLayouts({ outDir = path.join(ROOT, 'out', 'layouts'), runtimeDir } = {}) {
  fs.rmSync(outDir, { recursive: true, force: true });
  return LAYOUT_KINDS.map((kind) => installLayout(kind, path.join(outDir, kind), runtimeDir ? { runtimeDir } : {}));
}

module.exports = { LAYOUT_KINDS, VERSION, SOVERSION, layoutPaths, installLayout, installAllLayouts };

if (require.main === module) {
  for (const layout of installAllLayouts()) console.log(`test-runtime-layouts: ${layout.kind.padEnd(7)} ${layout.libraryPath}`);
}
