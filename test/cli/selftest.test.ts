// `ovcache selftest` on the stand-in (out/test-runtime/libopenvino_c.so, one shared object: the
// stand-in in Intel's layouts is not on this branch): it runs every case of lib/selftest/cases.ts
// on every device, exits 0 only when all passed, names a failing case and exits 1, says a skip
// plainly, and needs nothing from the repository beyond the package's own files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SelftestSkip } from '../../lib/selftest/case';
import { SELFTEST_CASES } from '../../lib/selftest/cases';
import { formatSelftest } from '../../lib/selftest/report';
import { runSelftest, type SelftestReport } from '../../lib/selftest/run';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

/** No OpenVINO anywhere the finder looks but where `extra` points. */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

function selftest(args: string[], env: Record<string, string>, cli = CLI): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, 'selftest', ...args], { env: bareEnv(env), encoding: 'utf8', timeout: 120000 });
}

describe('ovcache selftest', function () {
  this.timeout(180000);

  it('passes every case on every device the stand-in lists (CPU, GPU), exit 0, with the JSON report', () => {
    const r = selftest(['--json'], { OPENVINO_LIB_PATH: STAND_IN, OV_STUB_DEVICES: 'CPU,GPU' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as SelftestReport;
    assert.equal(report.ok, true);
    assert.equal(report.ovcache, (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    assert.equal(report.node, process.version);
    assert.match(report.os, /^linux /);
    assert.equal(report.runtime?.libraryPath, STAND_IN);
    assert.equal(report.runtime?.foundVia, 'OPENVINO_LIB_PATH');
    assert.equal(report.runtime?.standIn, true);
    assert.equal(report.runtime?.supported, true);
    assert.match(report.runtime?.buildNumber ?? '', /^20\d\d\.\d+/);
    assert.deepEqual(
      report.devices.map((d) => [d.name, d.canCache]),
      [
        ['CPU', true],
        ['GPU', true],
      ],
    );
    const names = SELFTEST_CASES.map((c) => c.name);
    assert.deepEqual(
      report.results.map((x) => `${x.device} ${x.name}`),
      ['CPU', 'GPU'].flatMap((d) => names.map((n) => `${d} ${n}`)),
    );
    assert.ok(
      report.results.every((x) => x.status === 'pass' && typeof x.ms === 'number' && x.reason === undefined),
      'every case passed',
    );
    assert.deepEqual(report.summary, { ...report.summary, passed: 2 * names.length, failed: 0, skipped: 0, total: 2 * names.length });
    const coldWarm = report.results.find((x) => x.name.startsWith('cold/warm'));
    assert.equal(typeof coldWarm?.details?.coldMs, 'number');
    assert.equal(typeof coldWarm?.details?.warmMs, 'number');
  });

  it('prints the report for an issue: versions, library, stand-in warning, devices, one line per case, totals; leaves no temp file', () => {
    const tmp = makeTempDir('ovcache-selftest-tmp-');
    let r: ReturnType<typeof selftest>;
    try {
      r = selftest([], { OPENVINO_LIB_PATH: STAND_IN, TMPDIR: tmp });
      // ovcache-<uid>/reshaped is ModelCache's own reshaped-IR folder (lib/cache/warm/warm-path.ts), kept as in any use.
      assert.deepEqual(
        fs.readdirSync(tmp).filter((f) => !/^ovcache-\d+$/.test(f)),
        [],
        "the self-test's models and scratch folders are removed",
      );
    } finally {
      removeDir(tmp);
    }
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ovcache selftest\novcache: {2}\d+\.\d+\.\d+\nNode: {5}v\d+/);
    assert.match(r.stdout, /OpenVINO: 20\d\d\.\d+\.\d+\S* \(supported\), element numbering (legacy|modern)\n/);
    assert.ok(r.stdout.includes(`Library:  ${STAND_IN} (found via OPENVINO_LIB_PATH)`));
    assert.match(r.stdout, /TEST STAND-IN, not OpenVINO: timings are SIMULATED/);
    assert.match(r.stdout, /Devices:\n {2}CPU /);
    assert.equal(r.stdout.match(/^ {2}PASS CPU /gm)?.length, SELFTEST_CASES.length);
    assert.match(r.stdout, /PASS CPU +\d+ ms {2}cold\/warm: .*\(coldMs=[\d.]+, warmMs=[\d.]+\)/);
    assert.match(
      r.stdout,
      new RegExp(`Summary: {2}${SELFTEST_CASES.length} passed, 0 failed, 0 skipped of ${SELFTEST_CASES.length} in \\d+ ms`),
    );
    assert.match(r.stdout, /Result: {3}PASSED: every case on every device\n$/);
  });

  it('a failing case (OV_STUB_FAIL=compile) exits 1, marks it FAIL with OpenVINO text and names it in the result', () => {
    const r = selftest([], { OPENVINO_LIB_PATH: STAND_IN, OV_STUB_FAIL: 'compile' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /FAIL CPU +\d+ ms {2}infers the MLP with the same numbers as the JS reference\n {9}\[OV_GENERAL_ERROR\] .*OV_STUB_FAIL=compile/,
    );
    assert.match(r.stdout, /PASS CPU +\d+ ms {2}reads the fixture IR\n/, 'reading does not compile: it still passes');
    assert.match(r.stdout, /Result: {3}FAILED: CPU: infers the MLP with the same numbers as the JS reference; /);
    const json = JSON.parse(selftest(['--json'], { OPENVINO_LIB_PATH: STAND_IN, OV_STUB_FAIL: 'compile' }).stdout) as SelftestReport;
    assert.equal(json.ok, false);
    const failed = json.results.find((x) => x.name === 'infers the MLP with the same numbers as the JS reference');
    assert.equal(failed?.status, 'fail');
    assert.match(failed?.reason ?? '', /OV_STUB_FAIL=compile/);
  });

  it('--device runs only the devices named', () => {
    const r = selftest(['--json', '--device', 'GPU'], { OPENVINO_LIB_PATH: STAND_IN, OV_STUB_DEVICES: 'CPU,GPU' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as SelftestReport;
    assert.deepEqual([...new Set(report.results.map((x) => x.device))], ['GPU']);
  });

  it('with no runtime, exits 1 and says no runtime was tested', () => {
    const empty = makeTempDir();
    try {
      const r = selftest([], { OPENVINO_LIB_PATH: empty, LD_LIBRARY_PATH: empty });
      assert.equal(r.status, 1);
      assert.match(r.stdout, /OpenVINO: none loaded: \[OVCACHE_RUNTIME_NOT_FOUND\]/);
      assert.match(r.stdout, /Result: {3}FAILED: no runtime to test/);
    } finally {
      removeDir(empty);
    }
  });

  it('a skipped case is reported as SKIP with its reason, and the run is not ok', async () => {
    const report = await runSelftest({
      library: STAND_IN,
      devices: ['CPU'],
      cases: [
        { name: 'passes', run: () => Promise.resolve() },
        {
          name: 'needs something this device lacks',
          run: () => Promise.reject(new SelftestSkip('CPU lacks it')),
        },
      ],
    });
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.results.map((x) => [x.name, x.status, x.reason]),
      [
        ['passes', 'pass', undefined],
        ['needs something this device lacks', 'skip', 'CPU lacks it'],
      ],
    );
    const text = formatSelftest(report);
    assert.match(text, /SKIP CPU +\d+ ms {2}needs something this device lacks\n {9}skipped: CPU lacks it/);
    assert.match(text, /Result: {3}NOT EVERYTHING WAS CHECKED: 1 case\(s\) skipped/);
  });

  it('runs from the package files alone (dist/lib, package.json, the addon): no test fixture or script of the repository', () => {
    const pkg = makeTempDir('ovcache-selftest-pkg-');
    try {
      fs.cpSync(path.join(ROOT, 'dist', 'lib'), path.join(pkg, 'dist', 'lib'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
      fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, 'build', 'Release', 'ovcache.node'), path.join(pkg, 'build', 'Release', 'ovcache.node'));
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
      const r = selftest(['--json'], { OPENVINO_LIB_PATH: STAND_IN }, path.join(pkg, 'dist', 'lib', 'cli', 'main.js'));
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as SelftestReport;
      assert.equal(report.summary.passed, SELFTEST_CASES.length);
    } finally {
      removeDir(pkg);
    }
  });
});
