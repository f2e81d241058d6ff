// The addon's loader (native/platform_dl.cc) against glibc, through out/test-runtime/loader_probe:
// a program with no RPATH that loads a library with plain dlopen (the old loader), with
// ovcache's loader, or after opening given dependencies by full path. Issue 23: Intel's
// libopenvino_c.so.<version> needs libopenvino.so.<soversion> and carries no RUNPATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { userEnv } from '../helpers/layout-child';
import { LAYOUT_KINDS, STAND_IN_SOVERSION, installStandIn, standInLayout } from '../helpers/layouts';
import { TEST_RUNTIME_DIR, makeTempDir, removeDir } from '../helpers/paths';

const PROBE = path.join(TEST_RUNTIME_DIR, 'loader_probe');

interface ProbeResult {
  loaded: boolean;
  text?: string;
  missing?: string;
  neededBy?: string;
  searched?: string[];
  globalLeaks?: string[];
  devices?: string[];
  /** The libtbb files mapped in the process once loaded. */
  tbb?: string[];
}

function probe(mode: 'plain' | 'ovcache' | 'preload', lib: string, deps: string[] = [], env: Record<string, string> = {}): ProbeResult {
  const run = spawnSync(PROBE, [mode, lib, ...deps], { env: userEnv(env), encoding: 'utf8', timeout: 30000 });
  const line = (run.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`loader_probe exited with ${run.status ?? run.signal}: ${run.stderr}`);
  return JSON.parse(line) as ProbeResult;
}

describe('loading a runtime whose libraries sit in its own folders (native/platform_dl.cc)', function () {
  this.timeout(60000);
  before(function () {
    assert.ok(fs.existsSync(PROBE), `${PROBE} is missing: run npm run build:test-runtime`);
  });

  it(`plain dlopen (the loader before issue 23) fails on the archive: libopenvino.so.${STAND_IN_SOVERSION} cannot be found`, () => {
    const result = probe('plain', standInLayout('archive').libraryPath);
    assert.equal(result.loaded, false);
    assert.match(result.text ?? '', new RegExp(`^libopenvino\\.so\\.${STAND_IN_SOVERSION}: cannot open shared object file`));
  });

  it('glibc binds NEEDED sonames to libraries opened before by full path with RTLD_LOCAL (what the loader relies on)', () => {
    const layout = standInLayout('archive');
    const tbb = path.join(layout.root, 'runtime', '3rdparty', 'tbb', 'lib', 'libtbb.so.12');
    const core = path.join(layout.libraryDir, `libopenvino.so.${STAND_IN_SOVERSION}`);
    assert.equal(probe('preload', layout.libraryPath, [core]).loaded, false, 'the core alone needs TBB');
    const result = probe('preload', layout.libraryPath, [tbb, core]);
    assert.equal(result.loaded, true, result.text);
    assert.deepEqual(result.globalLeaks, []);
    assert.deepEqual(result.devices, ['CPU']);
  });

  for (const kind of LAYOUT_KINDS) {
    it(`${kind}: ovcache's loader opens the C library without LD_LIBRARY_PATH, puts no runtime symbol in the global scope, and the core finds its CPU plugin`, () => {
      const result = probe('ovcache', standInLayout(kind).libraryPath);
      assert.equal(result.loaded, true, result.text);
      assert.deepEqual(result.globalLeaks, []);
      assert.deepEqual(result.devices, ['CPU']);
    });
  }

  it('plain dlopen succeeds only on the wheel, whose libraries carry RPATH $ORIGIN as upstream sets it', () => {
    const plain = Object.fromEntries(LAYOUT_KINDS.map((kind) => [kind, probe('plain', standInLayout(kind).libraryPath).loaded]));
    assert.deepEqual(plain, { archive: false, wheel: true, apt: false, yum: false, conda: false });
  });

  it("searches the C library's folder, then the archive's runtime/3rdparty/tbb/lib", () => {
    const tmp = makeTempDir('ovcache-loader-');
    try {
      const layout = installStandIn('archive', tmp, ['tbb']);
      const result = probe('ovcache', layout.libraryPath);
      assert.equal(result.loaded, false);
      assert.equal(result.missing, 'libtbb.so.12');
      assert.equal(result.neededBy, path.join(layout.libraryDir, `libopenvino.so.${STAND_IN_SOVERSION}`));
      assert.deepEqual(result.searched, [layout.libraryDir, path.join(layout.root, 'runtime', '3rdparty', 'tbb', 'lib')]);
    } finally {
      removeDir(tmp);
    }
  });

  it("follows a symlink to the C library into its real folder and that folder's archive", () => {
    const tmp = makeTempDir('ovcache-loader-');
    try {
      const layout = standInLayout('archive');
      const link = path.join(tmp, 'libopenvino_c.so');
      fs.symlinkSync(layout.libraryPath, link);
      assert.equal(probe('plain', link).loaded, false);
      const result = probe('ovcache', link);
      assert.equal(result.loaded, true, result.text);
      assert.deepEqual(result.devices, ['CPU']);
      assert.deepEqual(result.globalLeaks, []);
    } finally {
      removeDir(tmp);
    }
  });

  it('uses a dependency the process already loaded under the same soname, from wherever it came', () => {
    const tmp = makeTempDir('ovcache-loader-');
    try {
      const layout = installStandIn('archive', tmp, ['tbb']);
      const elsewhere = path.join(tmp, 'elsewhere');
      fs.mkdirSync(elsewhere);
      fs.copyFileSync(path.join(TEST_RUNTIME_DIR, 'libtbb.so.12'), path.join(elsewhere, 'libtbb.so.12'));
      assert.equal(probe('ovcache', layout.libraryPath).loaded, false, 'no TBB in the layout');
      const result = probe('ovcache', layout.libraryPath, [path.join(elsewhere, 'libtbb.so.12')]);
      assert.equal(result.loaded, true, result.text);
      assert.deepEqual(result.devices, ['CPU']);
    } finally {
      removeDir(tmp);
    }
  });

  it("never preloads from an ancestor's 3rdparty/tbb/lib outside the archive's runtime/lib/<arch> layout (a /tmp/3rdparty planted by anyone)", () => {
    const tmp = makeTempDir('ovcache-loader-');
    try {
      const archive = installStandIn('archive', path.join(tmp, 'archive'));
      // A runtime copied to <tmp>/app/ov, its TBB in a system folder the loader is told of.
      const own = path.join(tmp, 'app', 'ov');
      fs.mkdirSync(own, { recursive: true });
      for (const name of fs.readdirSync(archive.libraryDir))
        fs.cpSync(path.join(archive.libraryDir, name), path.join(own, name), { recursive: true, dereference: true });
      const systemTbb = path.join(tmp, 'system-tbb');
      fs.mkdirSync(systemTbb);
      fs.copyFileSync(path.join(TEST_RUNTIME_DIR, 'libtbb.so.12'), path.join(systemTbb, 'libtbb.so.12'));
      // Planted two and three folders up, where the old loader looked.
      for (const up of [path.join(tmp, 'app'), tmp]) {
        fs.mkdirSync(path.join(up, '3rdparty', 'tbb', 'lib'), { recursive: true });
        fs.copyFileSync(path.join(TEST_RUNTIME_DIR, 'libtbb.so.12'), path.join(up, '3rdparty', 'tbb', 'lib', 'libtbb.so.12'));
      }
      const result = probe('ovcache', path.join(own, path.basename(archive.libraryPath)), [], { LD_LIBRARY_PATH: systemTbb });
      assert.equal(result.loaded, true, result.text);
      assert.deepEqual(result.tbb, [path.join(systemTbb, 'libtbb.so.12')]);
    } finally {
      removeDir(tmp);
    }
  });

  it('never preloads a library from a folder, or as a file, that another user could have written (world-writable, or owned by another user)', function () {
    const tmp = makeTempDir('ovcache-loader-');
    try {
      const layout = installStandIn('archive', tmp);
      const tbbDir = path.join(layout.root, 'runtime', '3rdparty', 'tbb', 'lib');
      assert.equal(probe('ovcache', layout.libraryPath).loaded, true, 'the layout loads as installed');
      fs.chmodSync(tbbDir, 0o777);
      const open = probe('ovcache', layout.libraryPath);
      assert.equal(open.loaded, false, 'TBB from a world-writable folder is not preloaded');
      assert.equal(open.missing, 'libtbb.so.12');
      fs.chmodSync(tbbDir, 0o755);
      fs.chmodSync(path.join(tbbDir, 'libtbb.so.12'), 0o666);
      assert.equal(probe('ovcache', layout.libraryPath).loaded, false, 'a world-writable library file is not preloaded');
      fs.chmodSync(path.join(tbbDir, 'libtbb.so.12'), 0o755);
      if (process.getuid?.() === 0) {
        fs.chownSync(path.join(tbbDir, 'libtbb.so.12'), 65534, 65534);
        assert.equal(probe('ovcache', layout.libraryPath).loaded, false, "another user's library file is not preloaded");
      }
    } finally {
      removeDir(tmp);
    }
  });

  it('a library that is not there is reported by path, with no missing dependency', () => {
    const result = probe('ovcache', '/nonexistent/libopenvino_c.so');
    assert.equal(result.loaded, false);
    assert.equal(result.missing, '');
    assert.match(result.text ?? '', /^\/nonexistent\/libopenvino_c\.so: cannot open shared object file/);
  });
});
