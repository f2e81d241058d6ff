// Runs every C test program of the stand-in runtime (out/test-runtime) with the fixtures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { FIXTURES, ROOT, TEST_RUNTIME_DIR as RUNTIME_DIR } from '../helpers/paths';

const TESTS_SRC = path.join(ROOT, 'test-runtime', 'tests');

describe('stand-in runtime C tests', function () {
  this.timeout(120000);
  const programs = fs.existsSync(TESTS_SRC)
    ? fs
        .readdirSync(TESTS_SRC)
        .filter((f) => f.endsWith('.c'))
        .map((f) => f.slice(0, -2))
        .sort()
    : [];

  it('finds the C test programs', function () {
    assert.ok(programs.length > 0, `no C tests in ${TESTS_SRC}`);
  });

  for (const name of programs) {
    it(name, function () {
      const exe = path.join(RUNTIME_DIR, name);
      assert.ok(fs.existsSync(exe), `${exe} is missing: run npm run build:test-runtime`);
      const env: NodeJS.ProcessEnv = { ...process.env, OVC_FIXTURES: FIXTURES };
      for (const k of Object.keys(env)) if (k.startsWith('OV_STUB_')) delete env[k];
      const r = spawnSync(exe, [], { env, encoding: 'utf8', timeout: 110000 });
      const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      assert.equal(r.status, 0, `${name} exited with ${r.status ?? r.signal}:\n${output}`);
    });
  }
});
