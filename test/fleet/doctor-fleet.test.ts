// `ovcache doctor --fleet <file>` says who hands out leases, and says plainly that S3 leases are
// unverified (no conditional-write S3 server runs in the tests) and to use the Redis coordinator;
// docs/fleet.md says the same (issue 21 item 14).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';
import type { DoctorFleet } from '../../lib/cli/commands/doctor-fleet';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

describe('ovcache doctor --fleet', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-doctor-fleet-');
  });
  afterEach(() => removeDir(tmp));

  function doctor(manifest: string, json: boolean): { status: number | null; stdout: string; stderr: string } {
    const file = path.join(tmp, 'warm.yaml');
    fs.writeFileSync(file, manifest);
    const args = [CLI, 'doctor', '--dir', path.join(tmp, 'cache'), '--fleet', file, ...(json ? ['--json'] : [])];
    return spawnSync(process.execPath, args, { env: { ...process.env, OPENVINO_LIB_PATH: STAND_IN }, encoding: 'utf8' });
  }

  const S3_MANIFEST = 'models:\n  - model: a.xml\ntiers:\n  - s3: { bucket: models, prefix: prod, endpoint: "http://127.0.0.1:9000" }\n';

  it('an S3 tier without a coordinator: S3 leases are reported UNVERIFIED, steering to the Redis coordinator', () => {
    const text = doctor(S3_MANIFEST, false);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /tier {4}s3:\/\/models\/prod\//);
    assert.match(text.stdout, /leases {2}conditional writes on the S3 tier at s3:\/\/models\/prod\//);
    assert.match(
      text.stdout,
      /warning S3 leases are UNVERIFIED: .* Use the Redis coordinator: coordinator: \{ redis: 'redis:\/\/host:6379' \}\./,
    );
    const json = doctor(S3_MANIFEST, true);
    const fleet = (JSON.parse(json.stdout) as { fleet: DoctorFleet }).fleet;
    assert.deepEqual(fleet.leases, { kind: 's3', where: 's3://models/prod/', verified: false });
    assert.equal(fleet.warnings.length, 1);
  });

  it('with coordinator: { redis } the leases are Redis ones, verified, and nothing is warned (no password shown)', () => {
    const r = doctor(`${S3_MANIFEST}coordinator: { redis: "redis://user:s3cret@10.0.0.5:6379" }\n`, true);
    assert.equal(r.status, 0, r.stderr);
    const fleet = (JSON.parse(r.stdout) as { fleet: DoctorFleet }).fleet;
    assert.deepEqual(fleet.leases, { kind: 'redis', where: 'redis://10.0.0.5:6379', verified: true });
    assert.deepEqual(fleet.warnings, []);
    assert.doesNotMatch(r.stdout, /s3cret/);
  });

  it('docs/fleet.md says S3 leases are unverified and steers fleets to the Redis coordinator', () => {
    const page = fs.readFileSync(path.join(ROOT, 'docs', 'fleet.md'), 'utf8').replace(/\s+/g, ' ');
    assert.match(page, /S3 leases are unverified: no S3 server that enforces conditional writes runs in ovcache's tests/);
    assert.match(page, /use `coordinator: \{ redis \}` for any fleet on S3/);
  });
});
