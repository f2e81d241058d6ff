// Where no prebuild fits and nothing was built from source, loading the addon fails with
// OVCACHE_ADDON_NOT_FOUND and says how to build it (scripts/pack-check.sh then follows it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { ROOT, makeTempDir, removeDir } from '../helpers/paths';

describe('no addon for this platform', function () {
  let empty: string;
  beforeEach(() => (empty = makeTempDir('ovcache-no-addon-')));
  afterEach(() => removeDir(empty));

  it('throws OVCACHE_ADDON_NOT_FOUND naming the platform and the build command', function () {
    const script =
      'try { require(process.argv[1]).loadNativeBinding(); console.log("{}") }' +
      ' catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }';
    const env: NodeJS.ProcessEnv = { ...process.env, OVCACHE_PREBUILD: empty }; // node-gyp-build: look in `empty` only
    delete env.OVCACHE_NATIVE_BINDING;
    const r = spawnSync(process.execPath, ['-e', script, path.join(ROOT, 'dist', 'lib', 'runtime', 'binding.js')], {
      env,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const { code, message } = JSON.parse(r.stdout) as { code?: string; message?: string };
    assert.equal(code, 'OVCACHE_ADDON_NOT_FOUND');
    assert.match(message ?? '', new RegExp(`No prebuilt binary fits ${process.platform}-${process.arch}`));
    assert.match(message ?? '', /run `npm rebuild ovcache` in your project/);
    assert.match(message ?? '', /`npm install-scripts approve ovcache`/);
  });
});
