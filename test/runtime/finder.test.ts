// The runtime finder on real temporary folders holding empty stand-in library files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { OvcacheError } from '../../lib/errors';
import { findRuntimeLibrary, parseSoVersion, pythonSitePackages, type FinderOptions } from '../../lib/runtime/finder';
import { describeProbes, RuntimeNotFoundError } from '../../lib/runtime/finder-report';
import { SOURCE, type Probe } from '../../lib/runtime/probe';
import { compareInstallRootNames, rankLibraryNames } from '../../lib/runtime/library-names';
import { loadDebug } from '../../lib/log';
import { makeTempDir, removeDir } from '../helpers/paths';

/** ovcache's `debug`, loaded (the package loads it only when the environment asks for logs). */
const createDebug = loadDebug();

/** Nothing from the machine: no variables, no python, no system folders, no install roots. */
const HERMETIC: FinderOptions = {
  env: {},
  platform: 'linux',
  arch: 'x64',
  pythonSitePackages: () => [],
  systemLibDirs: [],
  defaultInstallRoots: [],
};

function find(options: FinderOptions) {
  return findRuntimeLibrary({ ...HERMETIC, ...options });
}

function notFound(options: FinderOptions): RuntimeNotFoundError {
  try {
    find(options);
  } catch (error) {
    assert.ok(error instanceof RuntimeNotFoundError, `expected RuntimeNotFoundError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the finder to throw');
}

describe('runtime finder', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-finder-');
  });
  afterEach(() => removeDir(tmp));

  /** Create `rel` under tmp (folders included) as an empty file; returns its absolute path. */
  function touch(rel: string): string {
    const file = path.join(tmp, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    return file;
  }
  function mkdir(rel: string): string {
    const dir = path.join(tmp, rel);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  describe('parseSoVersion and name ranking', () => {
    const cases: Array<[string, number | null]> = [
      ['libopenvino_c.so.2541', 2541],
      ['libopenvino_c.so.2640', 2640],
      ['libopenvino_c.so.2025.4.1', 2541],
      ['libopenvino_c.2541.dylib', 2541],
      ['libopenvino_c.2025.4.1.dylib', 2541],
      ['libopenvino_c.so', null],
      ['libopenvino_c.dylib', null],
      ['openvino_c.dll', null],
      ['libopenvino.so.2541', null],
      ['libopenvino_c.so.2541.debug', null],
      ['libopenvino_c.so.abc', null],
    ];
    for (const [name, expected] of cases) {
      it(`parseSoVersion(${name}) is ${String(expected)}`, () => assert.equal(parseSoVersion(name), expected));
    }

    it('orders versions numerically, highest first (string order would put 999 first)', () => {
      const names = [
        'libopenvino_c.so.2410',
        'libopenvino_c.so.999',
        'libopenvino_c.so.251',
        'libopenvino_c.so.2541',
        'libopenvino_c.so.10000',
      ];
      assert.deepEqual(
        rankLibraryNames(names, 'linux').map((n) => n.fileName),
        ['libopenvino_c.so.10000', 'libopenvino_c.so.2541', 'libopenvino_c.so.2410', 'libopenvino_c.so.999', 'libopenvino_c.so.251'],
      );
      assert.deepEqual([...names].sort().reverse()[0], 'libopenvino_c.so.999', 'string order gets it wrong');
    });

    it('puts the unversioned name first and the SONAME form before the dotted form of one release', () => {
      const names = ['libopenvino_c.so.2025.4.1', 'libopenvino_c.so.2541', 'libopenvino.so', 'libopenvino_c.so', 'libopenvino_c.so.2640'];
      assert.deepEqual(
        rankLibraryNames(names, 'linux').map((n) => n.fileName),
        ['libopenvino_c.so', 'libopenvino_c.so.2640', 'libopenvino_c.so.2541', 'libopenvino_c.so.2025.4.1'],
      );
    });

    it('orders install roots: the plain name, then newest first', () => {
      const roots = ['openvino_2024.6.0', 'openvino_2025', 'openvino', 'openvino_2025.4.1', 'openvino_2025.10.0'];
      assert.deepEqual(roots.sort(compareInstallRootNames), [
        'openvino',
        'openvino_2025',
        'openvino_2025.10.0',
        'openvino_2025.4.1',
        'openvino_2024.6.0',
      ]);
    });
  });

  describe('search order', () => {
    // Each row puts a library where one source looks; with rows i..n present, row i must win.
    interface Row {
      source: string;
      setup: () => Partial<FinderOptions> & { env?: NodeJS.ProcessEnv };
    }
    const rows: Row[] = [
      { source: SOURCE.option, setup: () => ({ libraryPath: touch('option/libopenvino_c.so') }) },
      { source: SOURCE.libPath, setup: () => ({ env: { OPENVINO_LIB_PATH: touch('libpath/libopenvino_c.so.2541') } }) },
      {
        source: SOURCE.intelDir,
        setup: () => (touch('intel/runtime/lib/intel64/libopenvino_c.so.2541'), { env: { INTEL_OPENVINO_DIR: path.join(tmp, 'intel') } }),
      },
      {
        source: SOURCE.installDir,
        setup: () => (touch('inst/runtime/lib/intel64/libopenvino_c.so'), { env: { OPENVINO_INSTALL_DIR: path.join(tmp, 'inst') } }),
      },
      {
        source: SOURCE.buildDir,
        setup: () => (touch('build/bin/intel64/Release/libopenvino_c.so'), { env: { OPENVINO_BUILD_DIR: path.join(tmp, 'build') } }),
      },
      { source: 'LD_LIBRARY_PATH', setup: () => (touch('ld/libopenvino_c.so'), { env: { LD_LIBRARY_PATH: path.join(tmp, 'ld') } }) },
      {
        source: SOURCE.virtualEnv,
        setup: () => (
          touch('venv/lib/python3.12/site-packages/openvino/libs/libopenvino_c.so.2541'),
          { env: { VIRTUAL_ENV: path.join(tmp, 'venv') } }
        ),
      },
      {
        source: SOURCE.condaSite,
        setup: () => (
          touch('conda/lib/python3.11/site-packages/openvino/libs/libopenvino_c.so.2541'),
          { env: { CONDA_PREFIX: path.join(tmp, 'conda') } }
        ),
      },
      {
        source: SOURCE.condaLib,
        setup: () => (touch('conda2/lib/libopenvino_c.so.2541'), { env: { CONDA_PREFIX: path.join(tmp, 'conda2') } }),
      },
      {
        source: SOURCE.python,
        setup: () => (
          touch('py/site-packages/openvino/libs/libopenvino_c.so.2541'),
          { pythonSitePackages: () => [path.join(tmp, 'py/site-packages')] }
        ),
      },
      { source: SOURCE.system, setup: () => ({ systemLibDirs: [path.dirname(touch('usr/lib/x86_64-linux-gnu/libopenvino_c.so.2541'))] }) },
      {
        source: SOURCE.installRoot,
        setup: () => (
          touch('opt/openvino_2025/runtime/lib/intel64/libopenvino_c.so.2541'),
          { defaultInstallRoots: [path.join(tmp, 'opt/openvino_2025')] }
        ),
      },
    ];

    rows.forEach((row, i) => {
      it(`${row.source} beats every later source`, () => {
        const parts = rows.slice(i).map((r) => r.setup());
        // Earlier rows win where two rows set the same variable (the two CONDA_PREFIX rows).
        const env: NodeJS.ProcessEnv = Object.assign({}, ...parts.map((p) => p.env ?? {}).reverse());
        const options: FinderOptions = Object.assign({}, ...parts.reverse());
        const result = find({ ...options, env });
        assert.equal(result.source, row.source);
        assert.equal(result.probes.at(-1)?.outcome, 'found');
        assert.equal(result.probes.filter((p) => p.outcome === 'found').length, 1, 'stops at the first hit');
      });
    });

    it('with no explicit option, falls through a wrong OPENVINO_LIB_PATH and records it', () => {
      const lib = touch('ld/libopenvino_c.so');
      const wrong = path.join(tmp, 'nope/libopenvino_c.so');
      const result = find({ env: { OPENVINO_LIB_PATH: wrong, LD_LIBRARY_PATH: path.dirname(lib) } });
      assert.equal(result.libraryPath, lib);
      assert.deepEqual(result.probes[0], {
        source: 'OPENVINO_LIB_PATH',
        path: wrong,
        outcome: 'missing',
        detail: 'no such file or folder',
      });
    });

    it('treats the libraryPath option as authoritative: nothing else is searched', () => {
      touch('ld/libopenvino_c.so');
      const wrong = path.join(tmp, 'typo/libopenvino_c.so');
      const error = notFound({ libraryPath: wrong, env: { LD_LIBRARY_PATH: path.join(tmp, 'ld') } });
      assert.deepEqual(error.probes, [{ source: SOURCE.option, path: wrong, outcome: 'missing', detail: 'no such file or folder' }]);
      assert.match(error.message, /was not found at the libraryPath option/);
    });
  });

  describe('OPENVINO_LIB_PATH and the libraryPath option', () => {
    it('accepts a file', () => {
      const lib = touch('x/libopenvino_c.so.2541');
      assert.equal(find({ env: { OPENVINO_LIB_PATH: lib } }).libraryPath, lib);
    });

    it('accepts a folder and picks the library in it', () => {
      const lib = touch('x/libopenvino_c.so.2541');
      touch('x/libopenvino.so.2541');
      const result = find({ env: { OPENVINO_LIB_PATH: path.dirname(lib) } });
      assert.equal(result.libraryPath, lib);
      assert.deepEqual(result.probes, [
        { source: 'OPENVINO_LIB_PATH', path: path.dirname(lib), outcome: 'found', detail: 'libopenvino_c.so.2541' },
      ]);
    });

    it('accepts an explicitly named file of any name, noting it', () => {
      const lib = touch('build/libstand-in.so');
      const result = find({ libraryPath: lib });
      assert.equal(result.libraryPath, lib);
      assert.match(result.probes[0]?.detail ?? '', /accepted as given/);
    });

    it('resolves a relative libraryPath to an absolute path', () => {
      const lib = touch('rel/libopenvino_c.so');
      const relative = path.relative(process.cwd(), lib);
      assert.equal(find({ libraryPath: relative }).libraryPath, lib);
    });

    it('reports an empty folder as missing the library', () => {
      const dir = mkdir('empty');
      const error = notFound({ env: { OPENVINO_LIB_PATH: dir } });
      assert.deepEqual(error.probes, [
        { source: 'OPENVINO_LIB_PATH', path: dir, outcome: 'missing', detail: 'no libopenvino_c.so[.<version>] in it' },
      ]);
    });

    it('reports a dangling symlink as not a library', () => {
      const link = path.join(tmp, 'libopenvino_c.so');
      fs.symlinkSync(path.join(tmp, 'gone.so'), link);
      const error = notFound({ env: { OPENVINO_LIB_PATH: link } });
      assert.deepEqual(error.probes, [{ source: 'OPENVINO_LIB_PATH', path: link, outcome: 'not-a-library', detail: 'dangling symlink' }]);
    });
  });

  describe('archive layouts', () => {
    it('finds runtime/lib/intel64 on Linux x64', () => {
      const lib = touch('ov/runtime/lib/intel64/libopenvino_c.so.2541');
      const result = find({ env: { INTEL_OPENVINO_DIR: path.join(tmp, 'ov') } });
      assert.equal(result.libraryPath, lib);
      assert.equal(result.source, 'INTEL_OPENVINO_DIR');
    });

    it('finds runtime/lib/aarch64 on Linux arm64', () => {
      const lib = touch('ov/runtime/lib/aarch64/libopenvino_c.so.2541');
      touch('ov/runtime/lib/intel64/libopenvino_c.so.2541');
      assert.equal(find({ arch: 'arm64', env: { OPENVINO_INSTALL_DIR: path.join(tmp, 'ov') } }).libraryPath, lib);
    });

    it('finds runtime/bin/intel64/Release/openvino_c.dll on Windows', () => {
      const lib = touch('ov/runtime/bin/intel64/Release/openvino_c.dll');
      touch('ov/runtime/lib/intel64/Release/openvino_c.lib');
      assert.equal(find({ platform: 'win32', env: { INTEL_OPENVINO_DIR: path.join(tmp, 'ov') } }).libraryPath, lib);
    });

    it('finds runtime/lib/arm64/Release/libopenvino_c.<v>.dylib on macOS arm64', () => {
      const lib = touch('ov/runtime/lib/arm64/Release/libopenvino_c.2541.dylib');
      touch('ov/runtime/lib/arm64/Release/libopenvino_c.2025.4.1.dylib');
      assert.equal(find({ platform: 'darwin', arch: 'arm64', env: { INTEL_OPENVINO_DIR: path.join(tmp, 'ov') } }).libraryPath, lib);
    });

    it('finds the library in the root itself', () => {
      const lib = touch('ov/libopenvino_c.so');
      assert.equal(find({ env: { INTEL_OPENVINO_DIR: path.join(tmp, 'ov') } }).libraryPath, lib);
    });

    it('records one probe for a missing root instead of one per subfolder', () => {
      const root = path.join(tmp, 'absent');
      const error = notFound({ env: { INTEL_OPENVINO_DIR: root } });
      assert.deepEqual(error.probes, [{ source: 'INTEL_OPENVINO_DIR', path: root, outcome: 'missing', detail: 'no such folder' }]);
    });

    it('searches the default install roots in the order given', () => {
      const newer = touch('opt/openvino_2026.0.0/runtime/lib/intel64/libopenvino_c.so.2600');
      touch('opt/openvino_2025.4.1/runtime/lib/intel64/libopenvino_c.so.2541');
      const result = find({ defaultInstallRoots: [path.join(tmp, 'opt/openvino_2026.0.0'), path.join(tmp, 'opt/openvino_2025.4.1')] });
      assert.equal(result.libraryPath, newer);
      assert.equal(result.source, 'default install root');
    });
  });

  describe('library path variables', () => {
    it('searches LD_LIBRARY_PATH entries in order, skipping empty and relative ones', () => {
      const lib = touch('b/libopenvino_c.so.2541');
      touch('c/libopenvino_c.so');
      const a = path.join(tmp, 'a');
      const result = find({ env: { LD_LIBRARY_PATH: `${a}::relative/dir:${path.dirname(lib)}:${path.join(tmp, 'c')}` } });
      assert.equal(result.libraryPath, lib);
      assert.deepEqual(
        result.probes.map((p) => [p.path, p.outcome]),
        [
          [a, 'missing'],
          ['relative/dir', 'skipped'],
          [path.dirname(lib), 'found'],
        ],
      );
    });

    it('uses DYLD_LIBRARY_PATH on macOS and ignores LD_LIBRARY_PATH there', () => {
      const lib = touch('d/libopenvino_c.dylib');
      touch('l/libopenvino_c.so');
      const result = find({ platform: 'darwin', env: { LD_LIBRARY_PATH: path.join(tmp, 'l'), DYLD_LIBRARY_PATH: path.dirname(lib) } });
      assert.equal(result.libraryPath, lib);
      assert.equal(result.source, 'DYLD_LIBRARY_PATH');
    });

    it('uses PATH with ";" on Windows', () => {
      const lib = touch('w/openvino_c.dll');
      const result = find({ platform: 'win32', env: { PATH: `${path.join(tmp, 'none')};${path.dirname(lib)}` } });
      assert.equal(result.libraryPath, lib);
      assert.equal(result.source, 'PATH');
    });

    it('probes a folder listed twice once', () => {
      const dir = mkdir('dup');
      const lib = touch('later/libopenvino_c.so');
      const result = find({
        env: { LD_LIBRARY_PATH: `${dir}:${dir}/:${dir}`, OPENVINO_LIB_PATH: dir },
        systemLibDirs: [dir, path.dirname(lib)],
      });
      assert.equal(result.libraryPath, lib);
      assert.equal(result.probes.filter((p) => p.path === dir).length, 1);
      assert.equal(result.probes.length, 2);
    });
  });

  describe('python environments', () => {
    it('finds the wheel in VIRTUAL_ENV (only the versioned file, as the wheel ships it)', () => {
      const lib = touch('venv/lib/python3.12/site-packages/openvino/libs/libopenvino_c.so.2541');
      touch('venv/lib/python3.12/site-packages/openvino/libs/libopenvino.so.2541');
      const result = find({ env: { VIRTUAL_ENV: path.join(tmp, 'venv') } });
      assert.equal(result.libraryPath, lib);
      assert.equal(result.source, 'VIRTUAL_ENV');
    });

    it('finds the wheel in a Windows virtualenv (Lib/site-packages)', () => {
      const lib = touch('venv/Lib/site-packages/openvino/libs/openvino_c.dll');
      assert.equal(find({ platform: 'win32', env: { VIRTUAL_ENV: path.join(tmp, 'venv') } }).libraryPath, lib);
    });

    it('records a virtualenv with no python3.* folder', () => {
      mkdir('venv/lib');
      const error = notFound({ env: { VIRTUAL_ENV: path.join(tmp, 'venv') } });
      assert.deepEqual(error.probes, [
        {
          source: 'VIRTUAL_ENV',
          path: path.join(tmp, 'venv/lib/python3.*/site-packages'),
          outcome: 'missing',
          detail: 'no python3.* folder',
        },
      ]);
    });

    it('prefers the conda wheel over conda lib, and finds conda lib alone', () => {
      const wheel = touch('conda/lib/python3.11/site-packages/openvino/libs/libopenvino_c.so.2541');
      const lib = touch('conda/lib/libopenvino_c.so.2541');
      assert.equal(find({ env: { CONDA_PREFIX: path.join(tmp, 'conda') } }).libraryPath, wheel);
      fs.rmSync(wheel);
      const result = find({ env: { CONDA_PREFIX: path.join(tmp, 'conda') } });
      assert.equal(result.libraryPath, lib);
      assert.equal(result.source, 'CONDA_PREFIX lib');
    });

    it('finds conda lib on Windows in Library/bin', () => {
      const lib = touch('conda/Library/bin/openvino_c.dll');
      assert.equal(find({ platform: 'win32', env: { CONDA_PREFIX: path.join(tmp, 'conda') } }).libraryPath, lib);
    });

    it('searches the injected site-packages in order', () => {
      const second = touch('sp2/openvino/libs/libopenvino_c.so.2541');
      const result = find({ pythonSitePackages: () => [path.join(tmp, 'sp1'), path.join(tmp, 'sp2')] });
      assert.equal(result.libraryPath, second);
      assert.deepEqual(
        result.probes.map((p) => p.path),
        [path.join(tmp, 'sp1/openvino/libs'), path.join(tmp, 'sp2/openvino/libs')],
      );
    });

    it('records a failing python look-up as skipped and carries on', () => {
      const lib = touch('sys/libopenvino_c.so');
      const result = find({
        pythonSitePackages: () => {
          throw new Error('python3 timed out');
        },
        systemLibDirs: [path.join(tmp, 'sys')],
      });
      assert.equal(result.libraryPath, lib);
      assert.deepEqual(result.probes[0], {
        source: 'python site-packages',
        path: 'python',
        outcome: 'skipped',
        detail: 'python3 timed out',
      });
    });

    it('asks the python installations for their site-packages (an array, maybe empty)', function () {
      this.timeout(15000);
      const dirs = pythonSitePackages();
      assert.ok(Array.isArray(dirs) && dirs.every((d) => typeof d === 'string'));
    });
  });

  describe('file names in a folder', () => {
    it('picks the highest version numerically', () => {
      for (const v of ['2410', '251', '999', '2541']) touch(`v/libopenvino_c.so.${v}`);
      const result = find({ systemLibDirs: [path.join(tmp, 'v')] });
      assert.equal(path.basename(result.libraryPath), 'libopenvino_c.so.2541');
    });

    it('prefers the unversioned name when present', () => {
      touch('v/libopenvino_c.so.2640');
      const lib = touch('v/libopenvino_c.so');
      assert.equal(find({ systemLibDirs: [path.join(tmp, 'v')] }).libraryPath, lib);
    });

    it('skips a dangling unversioned symlink and takes the versioned file, saying so', () => {
      const dir = mkdir('v');
      fs.symlinkSync(path.join(dir, 'libopenvino_c.so.9999'), path.join(dir, 'libopenvino_c.so'));
      const lib = touch('v/libopenvino_c.so.2541');
      const result = find({ systemLibDirs: [dir] });
      assert.equal(result.libraryPath, lib);
      assert.deepEqual(result.probes, [
        {
          source: 'system library folder',
          path: dir,
          outcome: 'found',
          detail: 'libopenvino_c.so.2541; skipped libopenvino_c.so (dangling symlink)',
        },
      ]);
    });

    it('follows a valid symlink (the dev package link)', () => {
      const real = touch('v/libopenvino_c.so.2025.4.1');
      fs.symlinkSync(real, path.join(tmp, 'v/libopenvino_c.so'));
      assert.equal(find({ systemLibDirs: [path.join(tmp, 'v')] }).libraryPath, path.join(tmp, 'v/libopenvino_c.so'));
    });

    it('reports a folder holding only unusable entries as not-a-library and moves on', () => {
      const bad = mkdir('bad');
      fs.symlinkSync(path.join(bad, 'missing'), path.join(bad, 'libopenvino_c.so.2541'));
      mkdir('bad/libopenvino_c.so');
      const lib = touch('good/libopenvino_c.so');
      const result = find({ systemLibDirs: [bad, path.dirname(lib)] });
      assert.equal(result.libraryPath, lib);
      assert.deepEqual(result.probes[0], {
        source: 'system library folder',
        path: bad,
        outcome: 'not-a-library',
        detail: 'libopenvino_c.so (not a regular file), libopenvino_c.so.2541 (dangling symlink)',
      });
    });

    it('uses Windows names with platform win32 (case-insensitive) and ignores .so files', () => {
      touch('w/libopenvino_c.so');
      const lib = touch('w/OpenVINO_C.dll');
      assert.equal(find({ platform: 'win32', systemLibDirs: [path.join(tmp, 'w')] }).libraryPath, lib);
    });

    it('uses macOS names with platform darwin and ignores .so files', () => {
      touch('m/libopenvino_c.so');
      touch('m/libopenvino_c.2410.dylib');
      const lib = touch('m/libopenvino_c.2541.dylib');
      assert.equal(find({ platform: 'darwin', systemLibDirs: [path.join(tmp, 'm')] }).libraryPath, lib);
    });
  });

  describe('when nothing is found', () => {
    function failure(): { error: RuntimeNotFoundError; paths: string[] } {
      const paths = [path.join(tmp, 'a'), path.join(tmp, 'b'), path.join(tmp, 'sys')];
      mkdir('sys');
      const error = notFound({
        env: { OPENVINO_LIB_PATH: paths[0], LD_LIBRARY_PATH: paths[1] },
        systemLibDirs: [paths[2] ?? ''],
      });
      return { error, paths };
    }

    it('printed as Node prints an uncaught error, lists each searched place once (the probes are not an enumerable field)', () => {
      const { error, paths } = failure();
      const printed = inspect(error);
      for (const p of paths) assert.equal(printed.split(p).length - 1, 1, `${p} in:\n${printed}`);
      assert.deepEqual(Object.keys(error).sort(), ['code', 'name']);
    });

    it('throws OVCACHE_RUNTIME_NOT_FOUND with the probes attached', () => {
      const { error, paths } = failure();
      assert.ok(error instanceof OvcacheError);
      assert.equal(error.code, 'OVCACHE_RUNTIME_NOT_FOUND');
      assert.deepEqual(
        error.probes.map((p: Probe) => [p.source, p.path, p.outcome]),
        [
          ['OPENVINO_LIB_PATH', paths[0], 'missing'],
          ['LD_LIBRARY_PATH', paths[1], 'missing'],
          ['system library folder', paths[2], 'missing'],
        ],
      );
    });

    it('names every place searched and why', () => {
      const { error, paths } = failure();
      for (const p of paths) assert.ok(error.message.includes(p), `message names ${p}`);
      assert.ok(error.message.includes('no such file or folder'));
      assert.ok(error.message.includes('no libopenvino_c.so[.<version>] in it'));
      assert.ok(
        error.message.startsWith("OpenVINO's C API library (libopenvino_c.so[.<version>]) was not found. Places searched, in order:\n"),
      );
    });

    it('gives the fix for each cause (Linux)', () => {
      const lines = failure().error.message.split('\n');
      for (const line of [
        '  - Python wheel: pip install openvino',
        "  - APT (Ubuntu/Debian): add Intel's OpenVINO APT repository, then: sudo apt install openvino-<version>",
        '      (the C API library is in the libopenvino-<version> package, installed into the system library folders)',
        '  - Archive: extract it, then run: source <root>/setupvars.sh in the shell that starts node (sets INTEL_OPENVINO_DIR)',
        '  - Or point ovcache at the library: OPENVINO_LIB_PATH=/path/to/libopenvino_c.so (the file or its folder), or pass { libraryPath }',
        'Note: the openvino-node npm package does not ship the C API library; installing it does not help.',
        'Set DEBUG=ovcache:finder (or OVCACHE_DEBUG=1) to log every probe. See docs/runtime-discovery.md.',
      ]) {
        assert.ok(lines.includes(line), `message has the line ${JSON.stringify(line)}`);
      }
    });

    it('gives Windows fixes with platform win32', () => {
      const lines = notFound({ platform: 'win32' }).message.split('\n');
      assert.ok(
        lines.includes(
          '  - Or point ovcache at the library: set OPENVINO_LIB_PATH=C:\\path\\to\\openvino_c.dll (the file or its folder), or pass { libraryPath }',
        ),
      );
      assert.ok(lines.some((l) => l.includes('setupvars.bat')));
      assert.ok(!lines.some((l) => l.includes('apt install')));
    });

    it('says so when nothing at all was searched', () => {
      assert.match(notFound({}).message, /\n {2}\(nothing was searched\)\n/);
    });
  });

  describe('describeProbes', () => {
    it('aligns source, path and outcome columns', () => {
      const text = describeProbes([
        { source: 'OPENVINO_LIB_PATH', path: '/a', outcome: 'missing', detail: 'no such file or folder' },
        { source: 'PATH', path: '/much/longer/path', outcome: 'found', detail: 'openvino_c.dll' },
      ]);
      assert.equal(
        text,
        [
          '  OPENVINO_LIB_PATH  /a                 missing (no such file or folder)',
          '  PATH               /much/longer/path  found (openvino_c.dll)',
        ].join('\n'),
      );
    });
  });

  describe('debug log', () => {
    it('logs every probe under ovcache:finder', () => {
      const lines: string[] = [];
      const previousLog = createDebug.log;
      const previous = createDebug.disable();
      createDebug.enable('ovcache:finder');
      createDebug.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
      try {
        const lib = touch('l/libopenvino_c.so');
        find({ env: { OPENVINO_LIB_PATH: path.join(tmp, 'none'), LD_LIBRARY_PATH: path.dirname(lib) } });
      } finally {
        createDebug.log = previousLog;
        createDebug.disable();
        if (previous) createDebug.enable(previous);
      }
      assert.ok(lines.some((l) => l.includes('OPENVINO_LIB_PATH') && l.includes(path.join(tmp, 'none')) && l.includes('missing')));
      assert.ok(lines.some((l) => l.includes('LD_LIBRARY_PATH') && l.includes('found')));
    });
  });
});
