import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { installStandIn } from '../helpers/layouts';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

/** An environment with no OpenVINO anywhere the finder looks (bar system folders, empty here). */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  return env;
}

describe('ovcache doctor', () => {
  it('reports the library, version and devices as JSON, exit 0', () => {
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--json'], { env: bareEnv({ OPENVINO_LIB_PATH: STAND_IN }), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      library: { path: string; foundVia: string; standIn: boolean };
      version: { buildNumber: string; supported: boolean };
      devices: Array<{ name: string; canCache: boolean; fullName: string }>;
    };
    assert.equal(report.ok, true);
    assert.equal(report.library.path, STAND_IN);
    assert.equal(report.library.foundVia, 'OPENVINO_LIB_PATH');
    assert.equal(report.library.standIn, true);
    assert.match(report.version.buildNumber, /^20\d\d\./);
    assert.equal(report.version.supported, true);
    const cpu = report.devices.find((d) => d.name === 'CPU');
    assert.ok(cpu && cpu.canCache && cpu.fullName.length > 0);
  });

  it('lists GPU when the runtime has one', () => {
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--json'], {
      env: bareEnv({ OPENVINO_LIB_PATH: STAND_IN, OV_STUB_DEVICES: 'CPU,GPU' }),
      encoding: 'utf8',
    });
    const report = JSON.parse(r.stdout) as { devices: Array<{ name: string; architecture?: string }> };
    assert.deepEqual(
      report.devices.map((d) => d.name),
      ['CPU', 'GPU'],
    );
    assert.ok(report.devices[1]?.architecture);
  });

  it('says the stand-in is not OpenVINO in human output', () => {
    const r = spawnSync(process.execPath, [CLI, 'doctor'], { env: bareEnv({ OPENVINO_LIB_PATH: STAND_IN }), encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /TEST STAND-IN, not OpenVINO/);
    assert.match(r.stdout, /Devices:\n {2}CPU/);
  });

  it('exits 1 naming what it tried and OPENVINO_LIB_PATH when no runtime exists', () => {
    const empty = makeTempDir();
    try {
      const r = spawnSync(process.execPath, [CLI, 'doctor'], {
        env: bareEnv({ OPENVINO_LIB_PATH: empty, LD_LIBRARY_PATH: empty }),
        encoding: 'utf8',
      });
      assert.equal(r.status, 1);
      assert.match(r.stdout, /OVCACHE_RUNTIME_NOT_FOUND/);
      assert.match(r.stdout, /OPENVINO_LIB_PATH/);
      assert.ok(r.stdout.includes(empty), 'the probed folder is listed');
      assert.match(r.stdout, /pip install openvino/);
    } finally {
      removeDir(empty);
    }
  });

  it('exits 2 on an unknown command', () => {
    const r = spawnSync(process.execPath, [CLI, 'doctr'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command/);
  });
  it('finds openvino-node (here the double over the stand-in) and reports its runtime and devices, even with no C library', () => {
    const double = path.join(ROOT, 'dist', 'test', 'openvino-node', 'double', 'module.js');
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--json'], { env: bareEnv({ OVCACHE_OPENVINO_NODE: double }), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      library?: unknown;
      openvinoNode: {
        found: boolean;
        path: string;
        runtime: { buildNumber: string; standIn: boolean };
        devices: Array<{ name: string; canCache: boolean }>;
      };
    };
    assert.equal(report.ok, true);
    assert.equal(report.library, undefined, "ovcache's own binding found no library");
    assert.equal(report.openvinoNode.found, true);
    assert.equal(report.openvinoNode.path, double);
    assert.match(report.openvinoNode.runtime.buildNumber, /^20\d\d\./);
    assert.equal(report.openvinoNode.runtime.standIn, true);
    assert.deepEqual(
      report.openvinoNode.devices.map((d) => [d.name, d.canCache]),
      [['CPU', true]],
    );
    const human = spawnSync(process.execPath, [CLI, 'doctor'], { env: bareEnv({ OVCACHE_OPENVINO_NODE: double }), encoding: 'utf8' });
    assert.match(
      human.stdout,
      /openvino-node: .*module\.js\n +OpenVINO 20\d\d\.[^;]+; use it with new ModelCache\(\{ core: fromOpenvinoNode/,
    );
  });

  it('says why openvino-node is not usable when it is not installed', () => {
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--json'], { env: bareEnv({ OPENVINO_LIB_PATH: STAND_IN }), encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as { openvinoNode: { found: boolean; code: string; reason: string } };
    assert.equal(report.openvinoNode.found, false);
    assert.equal(report.openvinoNode.code, 'OVCACHE_OPENVINO_NODE_NOT_FOUND');
    assert.match(report.openvinoNode.reason, /openvino-node package is not installed/);
  });
});

describe('ovcache doctor when no runtime loads (issue 23)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-doctor-');
  });
  afterEach(() => removeDir(tmp));

  /** The lines before the openvino-node section: the runtime part of the report. */
  function runtimePart(stdout: string): string[] {
    const lines = stdout.split('\n');
    return lines.slice(
      0,
      lines.findIndex((l) => l.startsWith('openvino-node:')),
    );
  }

  it('lists what it searched when OPENVINO_LIB_PATH found a library that fails to load, and names the missing dependency', () => {
    const layout = installStandIn('archive', tmp, ['tbb']);
    const r = spawnSync(process.execPath, [CLI, 'doctor'], { env: bareEnv({ OPENVINO_LIB_PATH: layout.libraryDir }), encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stdout, /nothing was searched/);
    assert.match(
      r.stdout,
      new RegExp(
        `Runtime search:\\n {2}OPENVINO_LIB_PATH +${layout.libraryDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +found \\(libopenvino_c\\.so\\)`,
      ),
    );
    assert.match(r.stdout, /\[OVCACHE_RUNTIME_LOAD_FAILED\]/);
    assert.match(r.stdout, /Missing dependency: libtbb\.so\.12 \(needed by .*libopenvino\.so\.2540\)/);
    const json = spawnSync(process.execPath, [CLI, 'doctor', '--json'], {
      env: bareEnv({ OPENVINO_LIB_PATH: layout.libraryDir }),
      encoding: 'utf8',
    });
    const report = JSON.parse(json.stdout) as {
      probes: Array<{ source: string; outcome: string }>;
      error: { code: string; missing: string };
    };
    assert.deepEqual(
      report.probes.map((p) => [p.source, p.outcome]),
      [['OPENVINO_LIB_PATH', 'found']],
    );
    assert.equal(report.error.missing, 'libtbb.so.12');
  });

  it('a runtime that lists no device (its CPU plugin file is missing) is not ok: exit 1, and the report says which files are missing', () => {
    const layout = installStandIn('apt', tmp, ['cpu-plugin']);
    const r = spawnSync(process.execPath, [CLI, 'doctor'], { env: bareEnv({ OPENVINO_LIB_PATH: layout.libraryPath }), encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /none: the runtime lists no device/);
    assert.match(r.stdout, /libopenvino_intel_cpu_plugin\.so/);
    const json = spawnSync(process.execPath, [CLI, 'doctor', '--json'], {
      env: bareEnv({ OPENVINO_LIB_PATH: layout.libraryPath }),
      encoding: 'utf8',
    });
    const report = JSON.parse(json.stdout) as { ok: boolean; devices: unknown[] };
    assert.equal(report.ok, false);
    assert.deepEqual(report.devices, []);
  });

  it('without any runtime prints its search once in at most 15 lines, ending with how to try the stand-in', () => {
    const dirs = Array.from({ length: 9 }, (_, i) => path.join(tmp, `lib${i}`));
    const r = spawnSync(process.execPath, [CLI, 'doctor'], {
      env: bareEnv({ LD_LIBRARY_PATH: dirs.join(':'), OPENVINO_LIB_PATH: path.join(tmp, 'nope') }),
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    const part = runtimePart(r.stdout);
    assert.ok(part.length <= 15, `${part.length} lines:\n${part.join('\n')}`);
    assert.match(part[0] ?? '', /^No OpenVINO runtime \[OVCACHE_RUNTIME_NOT_FOUND\]/);
    assert.equal(r.stdout.split(path.join(tmp, 'nope')).length - 1, 1, 'OPENVINO_LIB_PATH is listed once');
    assert.match(r.stdout, new RegExp(`LD_LIBRARY_PATH +${dirs[0]} \\.\\.\\. ${dirs[8]} +missing \\(9 folders, none has it\\)`));
    assert.match(part.join('\n'), /pip install openvino/);
    assert.match(part[part.length - 2] ?? '', /Try ovcache without OpenVINO on the repository's test stand-in/);
    assert.match(part[part.length - 1] ?? '', /OPENVINO_LIB_PATH=out\/test-runtime\/libopenvino_c\.so npx ovcache doctor$/);
  });
});
