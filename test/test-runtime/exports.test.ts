// The stand-in exports every C function and property key that native/ov_c_api.h declares,
// so the addon's run-time symbol table resolves completely against it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, STAND_IN } from '../helpers/paths';

function declaredNames(): string[] {
  const header = fs.readFileSync(path.join(ROOT, 'native', 'ov_c_api.h'), 'utf8');
  const functions = [...header.matchAll(/OVC_CALL\s+(ov_\w+)\s*\(/g)].map((m) => m[1] as string);
  const keys = [...header.matchAll(/extern const char\*\s+(ov_property_key_\w+);/g)].map((m) => m[1] as string);
  return [...functions, ...keys];
}

describe('stand-in exports', () => {
  it('nm -D lists every function and property key of native/ov_c_api.h', function () {
    const nm = spawnSync('nm', ['-D', '--defined-only', STAND_IN], { encoding: 'utf8' });
    if (nm.error) this.skip(); // no binutils: the symbol table test in test/native covers loading
    const exported = new Set(nm.stdout.split('\n').map((line) => line.trim().split(/\s+/).pop()));
    const names = declaredNames();
    assert.ok(names.length > 90, `only ${names.length} declarations parsed from the header`);
    const missing = names.filter((n) => !exported.has(n));
    assert.deepEqual(missing, [], `declared but not exported: ${missing.join(', ')}`);
  });
});
