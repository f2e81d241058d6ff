// scripts/lazy-index.js: the build step that makes `require('ovcache')` load the registry, the
// result cache, the fleet and the rest on first use. It must rewrite what tsc emits for
// `export { A } from './x'` and fail the build, leaving the file as it was, on any other use of
// a deferred module (which would otherwise load it at import without anyone noticing).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeDir, ROOT } from '../helpers/paths';

const SCRIPT = path.join(ROOT, 'scripts', 'lazy-index.js');

/** tsc's CommonJS output for re-exports: `export { Fleet, FLEET_NAME } from './fleet/fleet'` and an eager `export { Core } from './openvino/core'`. */
const REEXPORTS = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Core = exports.FLEET_NAME = exports.Fleet = void 0;
var fleet_1 = require("./fleet/fleet");
Object.defineProperty(exports, "Fleet", { enumerable: true, get: function () { return fleet_1.Fleet; } });
Object.defineProperty(exports, "FLEET_NAME", { enumerable: true, get: function () { return fleet_1.FLEET_NAME; } });
var core_1 = require("./openvino/core");
Object.defineProperty(exports, "Core", { enumerable: true, get: function () { return core_1.Core; } });
//# sourceMappingURL=index.js.map
`;

describe('scripts/lazy-index.js (the build step behind a lazy require of ovcache)', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('ovcache-lazy-index-');
    fs.mkdirSync(path.join(dir, 'fleet'));
    fs.mkdirSync(path.join(dir, 'openvino'));
    fs.writeFileSync(
      path.join(dir, 'fleet', 'fleet.js'),
      `globalThis.fleetLoads = (globalThis.fleetLoads ?? 0) + 1;\nexports.Fleet = class Fleet {};\nexports.FLEET_NAME = 'fleet';\n`,
    );
    fs.writeFileSync(path.join(dir, 'openvino', 'core.js'), `exports.Core = class Core {};\n`);
  });
  afterEach(() => removeDir(dir));

  const rewrite = (source: string) => {
    const file = path.join(dir, 'index.js');
    fs.writeFileSync(file, source);
    const run = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
    return { run, file, after: fs.readFileSync(file, 'utf8') };
  };

  it('rewrites a deferred re-export to load on the first read of one of its names; an eager one loads at import; twice is harmless', () => {
    const { run, file, after } = rewrite(REEXPORTS);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(after.split('\n').length, REEXPORTS.split('\n').length + 1, 'one line added (the mark): tsc lines keep their numbers');
    const again = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(fs.readFileSync(file, 'utf8'), after);
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `const m = require(${JSON.stringify(file)});
         const before = globalThis.fleetLoads ?? 0;
         const names = Object.keys(m).join(',');
         const Fleet = m.Fleet;
         console.log(JSON.stringify({ before, names, after: globalThis.fleetLoads, same: Fleet === require(${JSON.stringify(path.join(dir, 'fleet', 'fleet.js'))}).Fleet, name: m.FLEET_NAME, loads: globalThis.fleetLoads }));`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(probe.status, 0, probe.stderr);
    assert.deepEqual(JSON.parse(probe.stdout), {
      before: 0,
      names: 'Fleet,FLEET_NAME,Core',
      after: 1,
      same: true,
      name: 'fleet',
      loads: 1,
    });
  });

  // Node 24 adds a 'module.exports' name to a CommonJS module's namespace; it is not ours to count.
  it('an ES module importing the rewritten file by its path still sees every name', () => {
    const { run, file } = rewrite(REEXPORTS);
    assert.equal(run.status, 0, run.stderr);
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import * as m from ${JSON.stringify(file)}; console.log(Object.keys(m).filter((n) => n !== 'module.exports').sort().join(','));`,
      ],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(probe.status, 0, probe.stderr);
    assert.equal(probe.stdout.trim(), 'Core,FLEET_NAME,Fleet,__esModule,default');
  });

  const refused: Array<[string, string]> = [
    // `import { FLEET_NAME } from './fleet/fleet'` used in the index itself: loaded at import.
    ['a deferred module also imported for use', REEXPORTS.replace('//# source', 'exports.Core.fleet = fleet_1.FLEET_NAME;\n//# source')],
    // `export * as fleet from './fleet/fleet'`
    ['export * as', REEXPORTS.replace('//# source', 'exports.fleet = __importStar(require("./fleet/fleet"));\n//# source')],
    // `export * from './fleet/fleet'`
    ['export *', REEXPORTS.replace('//# source', '__exportStar(require("./fleet/fleet"), exports);\n//# source')],
    // Another emit of the same re-export (a future tsc).
    ['a const require', REEXPORTS.replace('var fleet_1 = require', 'const fleet_1 = require')],
    // `export { Fleet } from './fleet'`: the folder's index, another spelling of a deferred part.
    ['the folder itself', REEXPORTS.replace('//# source', 'var fleet_2 = require("./fleet");\nexports.other = fleet_2;\n//# source')],
    // tsc --newLine crlf, --emitBOM
    ['CRLF line ends', REEXPORTS.replace(/\n/g, '\r\n')],
    ['a BOM', `\uFEFF${REEXPORTS}`],
  ];
  for (const [what, source] of refused) {
    it(`fails the build and leaves the file as it was: ${what}`, () => {
      const { run, after } = rewrite(source);
      assert.notEqual(run.status, 0, `accepted: ${after}`);
      assert.match(run.stderr, /fleet|LF line ends/);
      assert.equal(after, source);
    });
  }
});
