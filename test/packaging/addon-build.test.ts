// The addon build cannot go stale: `npm test` (pretest -> build -> build:addon) rebuilds
// build/Release/ovcache.node when a native/ file or binding.gyp is newer than it, and that
// fresh build is the one node-gyp-build loads, even with a prebuild beside it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT, makeTempDir, removeDir } from '../helpers/paths';

interface AddonBuild {
  ADDON: string;
  staleReason(root: string): string | undefined;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const addonBuild = require(path.join(ROOT, 'scripts', 'addon-build.js')) as AddonBuild;
const ADDON = addonBuild.ADDON;

function setTime(file: string, secondsAgo: number): void {
  const at = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, at, at);
}

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A native/ source that, once the addon is loaded, has set OVCACHE_BUILD_MARKER to `value`. */
function markerSource(value: string): string {
  return [
    '// Written by test/packaging/addon-build.test.ts into a temporary copy of the project.',
    '#include <cstdlib>',
    'namespace {',
    `[[maybe_unused]] const int kMarker = setenv("OVCACHE_BUILD_MARKER", "${value}", 1);`,
    '}  // namespace',
    '',
  ].join('\n');
}

describe('addon build: never stale', function () {
  let tmp: string;
  beforeEach(() => (tmp = makeTempDir('ovcache-addon-build-')));
  afterEach(() => removeDir(tmp));

  it('npm test builds the addon first, rebuilding only when stale', function () {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(scripts.pretest, 'npm run build');
    assert.match(scripts.build ?? '', /^npm run build:addon &&/);
    assert.equal(scripts['build:addon'], 'node scripts/addon-build.js');
  });

  describe('staleReason', function () {
    beforeEach(function () {
      write(path.join(tmp, 'binding.gyp'), '{}');
      write(path.join(tmp, 'native', 'a.cc'), '');
      write(path.join(tmp, 'native', 'sub', 'b.h'), '');
      for (const file of ['binding.gyp', 'native/a.cc', 'native/sub/b.h', 'native/sub', 'native']) setTime(path.join(tmp, file), 60);
    });

    it('names a missing addon', function () {
      assert.match(addonBuild.staleReason(tmp) ?? '', /ovcache\.node does not exist/);
    });

    it('is undefined when the addon is newer than every input', function () {
      setTime(write(path.join(tmp, ADDON), ''), 30);
      assert.equal(addonBuild.staleReason(tmp), undefined);
    });

    it('names native/ when a source was removed from it', function () {
      setTime(write(path.join(tmp, ADDON), ''), 30);
      fs.rmSync(path.join(tmp, 'native', 'a.cc'));
      assert.equal(addonBuild.staleReason(tmp), `native is newer than ${ADDON}`);
    });

    for (const input of ['native/a.cc', 'native/sub/b.h', 'binding.gyp']) {
      it(`names ${input} when it is newer than the addon`, function () {
        setTime(write(path.join(tmp, ADDON), ''), 30);
        setTime(path.join(tmp, input), 10);
        assert.equal(addonBuild.staleReason(tmp), `${path.normalize(input)} is newer than ${ADDON}`);
      });
    }
  });

  describe('in a copy of the project', function () {
    this.timeout(300000);

    /** Runs the build step (what `npm run build:addon` runs) in the copy; returns its output. */
    function buildStep(): string {
      const r = spawnSync(process.execPath, [path.join('scripts', 'addon-build.js')], { cwd: tmp, encoding: 'utf8' });
      assert.equal(r.status, 0, `addon-build failed:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    }

    /** What a fresh process loads through node-gyp-build (the package's loader): [marker, file]. */
    function loaded(): [string, string] {
      const script =
        "const load = require('node-gyp-build'); const file = load.resolve(process.argv[1]); require(file);" +
        "console.log(JSON.stringify([process.env.OVCACHE_BUILD_MARKER ?? '', file]))";
      const r = spawnSync(process.execPath, ['-e', script, tmp], { cwd: tmp, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as [string, string];
    }

    beforeEach(function () {
      // The real sources, the current build and the build's packages, times and relative paths
      // kept (the compile commands stay the same): only what the test changes compiles.
      const entries = ['binding.gyp', 'package.json', 'native', 'build', 'scripts/addon-build.js', 'scripts/install.js'];
      for (const entry of [...entries, 'node_modules/node-addon-api', 'node_modules/node-gyp-build']) {
        if (fs.existsSync(path.join(ROOT, entry))) {
          fs.cpSync(path.join(ROOT, entry), path.join(tmp, entry), { recursive: true, preserveTimestamps: true });
        }
      }
    });

    it('an edited native/ file is compiled and loaded before any prebuild', function () {
      const marker = path.join(tmp, 'native', 'zz_build_marker.cc');
      write(marker, markerSource('first')); // a new file: native/ itself is newer
      assert.match(buildStep(), /addon: rebuilding \(native is newer/);
      assert.deepEqual(loaded(), ['first', path.join(tmp, ADDON)]);

      // A prebuild of the first code beside the build: node-gyp-build must still load the build.
      const prebuilds = path.join(tmp, 'prebuilds', `${process.platform}-${process.arch}`);
      fs.mkdirSync(prebuilds, { recursive: true });
      fs.copyFileSync(path.join(tmp, ADDON), path.join(prebuilds, 'ovcache.node'));

      write(marker, markerSource('second'));
      assert.match(buildStep(), /addon: rebuilding \(native[/\\]zz_build_marker\.cc is newer/);
      assert.deepEqual(loaded(), ['second', path.join(tmp, ADDON)]);

      const builtAt = fs.statSync(path.join(tmp, ADDON)).mtimeMs;
      assert.match(buildStep(), /addon: build[/\\]Release[/\\]ovcache\.node is up to date/);
      assert.equal(fs.statSync(path.join(tmp, ADDON)).mtimeMs, builtAt, 'an up-to-date addon was rebuilt');
    });
  });
});
