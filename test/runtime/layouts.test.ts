// The stand-in installed as Intel ships OpenVINO (archive, pip wheel, APT, YUM, conda): in a
// fresh process with no LD_LIBRARY_PATH, the finder picks the C library and the loader opens
// it with its core, TBB and plugins, then mlp.xml compiles and infers (issue 23).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { findRuntimeLibrary } from '../../lib/runtime/finder';
import { runLayoutChild, type LayoutChildResult } from '../helpers/layout-child';
import {
  LAYOUT_KINDS,
  STAND_IN_SOVERSION,
  STAND_IN_VERSION,
  hermeticFinder,
  installStandIn,
  standInLayout,
  type StandInLayout,
} from '../helpers/layouts';
import { makeTempDir, removeDir } from '../helpers/paths';

function assertInferred(result: LayoutChildResult, layout: StandInLayout): void {
  assert.equal(result.error, undefined, `load or infer failed: ${JSON.stringify(result.error)}`);
  assert.equal(result.libraryPath, layout.libraryPath);
  assert.ok(result.devices?.includes('CPU'), `devices: ${JSON.stringify(result.devices)}`);
  const outputs = result.outputs ?? [];
  const expected = result.expected ?? [];
  assert.equal(outputs.length, 4);
  outputs.forEach((v, i) => assert.ok(Math.abs(v - (expected[i] ?? NaN)) < 1e-5, `output ${i}: ${v} vs ${expected[i]}`));
}

describe("the stand-in in Intel's layouts, loaded in a fresh process without LD_LIBRARY_PATH", function () {
  this.timeout(120000);

  const sources: Record<string, string> = {
    archive: 'INTEL_OPENVINO_DIR',
    wheel: 'VIRTUAL_ENV',
    apt: 'system library folder',
    yum: 'system library folder',
    conda: 'CONDA_PREFIX lib',
  };
  it("the finder alone, given only each layout's variables (or fake system folders), picks the C library there", () => {
    const picked = LAYOUT_KINDS.map((kind) => {
      const layout = standInLayout(kind);
      const found = findRuntimeLibrary(hermeticFinder(layout));
      return [kind, path.relative(layout.libraryDir, found.libraryPath), found.source];
    });
    assert.deepEqual(picked, [
      ['archive', 'libopenvino_c.so', 'INTEL_OPENVINO_DIR'],
      ['wheel', `libopenvino_c.so.${STAND_IN_SOVERSION}`, 'VIRTUAL_ENV'],
      ['apt', `libopenvino_c.so.${STAND_IN_SOVERSION}`, 'system library folder'],
      ['yum', `libopenvino_c.so.${STAND_IN_SOVERSION}`, 'system library folder'],
      ['conda', 'libopenvino_c.so', 'CONDA_PREFIX lib'],
    ]);
  });

  for (const kind of LAYOUT_KINDS) {
    it(`${kind}: found through ${sources[kind]}, loaded with its core, TBB and plugins, mlp.xml compiles and infers on CPU`, () => {
      const layout = standInLayout(kind);
      const result = runLayoutChild({ env: layout.env, ...(layout.systemLibDirs ? { systemLibDirs: layout.systemLibDirs } : {}) });
      assertInferred(result, layout);
      assert.equal(result.source, sources[kind]);
    });
  }

  it('archive: OPENVINO_LIB_PATH pointing at runtime/lib/intel64 (no setupvars.sh) loads and infers', () => {
    const layout = standInLayout('archive');
    const result = runLayoutChild({ env: { OPENVINO_LIB_PATH: layout.libraryDir } });
    assertInferred(result, layout);
    assert.equal(result.source, 'OPENVINO_LIB_PATH');
  });

  it('archive: after `source setupvars.sh` (INTEL_OPENVINO_DIR and LD_LIBRARY_PATH set by the script) loads and infers', () => {
    const layout = standInLayout('archive');
    const setupvars = path.join(layout.root, 'setupvars.sh');
    const result = runLayoutChild({ shellPrelude: `source ${JSON.stringify(setupvars)}` });
    assertInferred(result, layout);
    assert.equal(result.source, 'INTEL_OPENVINO_DIR');
  });

  it('wheel: the GPU plugin lists GPU when the stand-in has one (OV_STUB_DEVICES=CPU,GPU) and mlp.xml compiles on it', () => {
    const layout = standInLayout('wheel');
    const result = runLayoutChild({ env: { ...layout.env, OV_STUB_DEVICES: 'CPU,GPU' }, device: 'GPU' });
    assertInferred(result, layout);
    assert.deepEqual(result.devices, ['CPU', 'GPU']);
  });

  describe('a layout with a file missing fails with a coded error naming it', () => {
    let tmp: string;
    beforeEach(() => {
      tmp = makeTempDir('ovcache-layout-');
    });
    afterEach(() => removeDir(tmp));

    it('archive without runtime/3rdparty/tbb/lib/libtbb.so.12: OVCACHE_RUNTIME_LOAD_FAILED, missing libtbb.so.12, needed by the core', () => {
      const layout = installStandIn('archive', tmp, ['tbb']);
      const { error } = runLayoutChild({ env: layout.env });
      assert.equal(error?.code, 'OVCACHE_RUNTIME_LOAD_FAILED');
      assert.equal(error?.missing, 'libtbb.so.12');
      assert.equal(error?.neededBy, path.join(layout.libraryDir, `libopenvino.so.${STAND_IN_SOVERSION}`));
      assert.match(error?.message ?? '', /its dependency libtbb\.so\.12 \(needed by libopenvino\.so\.2540\) was found neither/);
      assert.match(error?.message ?? '', /runtime\/3rdparty\/tbb\/lib/);
      assert.match(error?.message ?? '', /apt install libtbb12/);
    });

    it(`wheel without libopenvino.so.${STAND_IN_SOVERSION}: OVCACHE_RUNTIME_LOAD_FAILED, missing the core, needed by the C library`, () => {
      const layout = installStandIn('wheel', tmp, ['core']);
      const { error } = runLayoutChild({ env: layout.env });
      assert.equal(error?.code, 'OVCACHE_RUNTIME_LOAD_FAILED');
      assert.equal(error?.missing, `libopenvino.so.${STAND_IN_SOVERSION}`);
      assert.equal(error?.neededBy, layout.libraryPath);
      assert.match(error?.message ?? '', /keep the runtime folder whole/);
    });

    it('apt without libopenvino_intel_cpu_plugin.so: the runtime loads, lists no CPU, and compiling on CPU fails OV_GENERAL_ERROR naming the plugin file', () => {
      const layout = installStandIn('apt', tmp, ['cpu-plugin']);
      assert.ok(!fs.existsSync(path.join(layout.libraryDir, `openvino-${STAND_IN_VERSION}`, 'libopenvino_intel_cpu_plugin.so')));
      const { error } = runLayoutChild({ env: layout.env, systemLibDirs: layout.systemLibDirs ?? [] });
      assert.equal(error?.code, 'OV_GENERAL_ERROR');
      assert.match(error?.message ?? '', /Device with "CPU" name is not registered/);
      assert.match(error?.message ?? '', /libopenvino_intel_cpu_plugin\.so/);
    });
  });
});
