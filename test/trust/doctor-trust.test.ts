// `ovcache doctor` reports trust: the key ids OVCACHE_SIGNING_KEY / OVCACHE_TRUSTED_KEYS load, and
// for a path that does not load, its coded error and a nonzero exit (review f, F3).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { DoctorTrust } from '../../lib/cli/commands/doctor-trust';
import { writeKeyPair } from '../../lib/trust/keygen';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

describe('ovcache doctor: trust', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-doctor-trust-');
  });
  afterEach(() => removeDir(tmp));

  function doctor(env: Record<string, string>, json = false) {
    const base = { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN };
    const args = [CLI, 'doctor', '--dir', path.join(tmp, 'cache'), ...(json ? ['--json'] : [])];
    return spawnSync(process.execPath, args, { env: { ...base, ...env }, encoding: 'utf8' });
  }

  it('key paths that do not load: each coded error is printed and doctor exits nonzero', () => {
    const r = doctor({ OVCACHE_TRUSTED_KEYS: '/nonexistent.pem', OVCACHE_SIGNING_KEY: '/also-missing.pem' });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /ERROR OVCACHE_SIGNING_KEY: \[OVCACHE_TRUST_KEY_INVALID\] .*also-missing\.pem/);
    assert.match(r.stdout, /ERROR OVCACHE_TRUSTED_KEYS: \[OVCACHE_TRUST_KEY_INVALID\] .*nonexistent\.pem/);
    const json = JSON.parse(doctor({ OVCACHE_TRUSTED_KEYS: '/nonexistent.pem' }, true).stdout) as { ok: boolean; trust: DoctorTrust };
    assert.equal(json.ok, false);
    assert.deepEqual(
      json.trust.errors.map((e) => [e.variable, e.code]),
      [['OVCACHE_TRUSTED_KEYS', 'OVCACHE_TRUST_KEY_INVALID']],
    );
  });

  it('keys that load: their ids are listed and doctor exits 0; without either variable it says entries are used unverified', () => {
    const keys = writeKeyPair(path.join(tmp, 'keys'));
    const r = doctor({ OVCACHE_SIGNING_KEY: keys.privateKeyPath, OVCACHE_TRUSTED_KEYS: keys.publicKeyPath });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`signs with {2}${keys.keyId}\\n {2}trusts {6}${keys.keyId}`));
    const none = doctor({});
    assert.equal(none.status, 0);
    assert.match(
      none.stdout,
      /Trust:\n {2}none \(OVCACHE_SIGNING_KEY and OVCACHE_TRUSTED_KEYS unset\): tier entries and bundles are used unverified/,
    );
  });
});
