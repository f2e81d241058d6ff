#!/usr/bin/env node
// Rewrites tsc's dist/lib/index.js so that the parts of the package a process may never use load
// on first use of one of their names (CommonJS only; the ES module facade reads every name, so an
// `import` loads them all). `require('ovcache')` then loads the runtime and the model cache; the
// registry, the result cache, the fleet, signing, rewarm and the folder scans wait until a
// program touches one of their exports. Each name stays the same object as its module's export.
//
// tsc emits, for `export { A } from './x'`:
//   var x_1 = require("./x");
//   Object.defineProperty(exports, "A", { enumerable: true, get: function () { return x_1.A; } });
// and this script turns the first line into a loader and each getter into a call of it. A line
// it does not recognise fails the build, so a change in tsc's output cannot silently undo this.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Module paths (as index.ts names them) loaded on first use; everything else loads at import. */
const DEFERRED = [
  /^\.\/registry\//,
  /^\.\/results\//,
  /^\.\/fleet\//,
  /^\.\/trust\//,
  /^\.\/rewarm\//,
  /^\.\/history\//,
  /^\.\/adapters\//,
  /^\.\/cache\/scan$/,
  /^\.\/cache\/verify$/,
  /^\.\/format\/units$/,
];

function deferIndex(file) {
  const source = fs.readFileSync(file, 'utf8');
  if (source.includes('_loaded ??= require(')) return 0; // rewritten already (tsc did not run since)
  if (source.includes('__exportStar(require(')) throw new Error(`${file}: \`export *\` cannot be deferred; name the exports in index.ts`);
  const deferred = [];
  let text = source.replace(/^var (\w+) = require\("([^"]+)"\);$/gm, (line, name, request) => {
    if (!DEFERRED.some((pattern) => pattern.test(request))) return line;
    deferred.push(name);
    return `var ${name}_loaded; const ${name} = () => (${name}_loaded ??= require(${JSON.stringify(request)}));`;
  });
  for (const name of deferred) {
    const getter = new RegExp(`return ${name}\\.(\\w+); \\}`, 'g');
    const uses = text.match(new RegExp(`\\b${name}\\b`, 'g')).length;
    let getters = 0;
    text = text.replace(getter, (_match, exported) => {
      getters++;
      return `return ${name}().${exported}; }`;
    });
    // The loader's own line names it once; every other use must be a rewritten getter.
    if (getters === 0 || uses !== getters + 1) throw new Error(`${file}: ${name} is used other than in export getters`);
  }
  if (deferred.length === 0) throw new Error(`${file}: found no deferred module; did tsc's output change?`);
  fs.writeFileSync(file, text);
  return deferred.length;
}

const index = path.resolve(__dirname, '..', 'dist', 'lib', 'index.js');
const count = deferIndex(index);
if (process.argv.includes('--verbose')) console.log(`lazy-index: ${count} modules of ${index} load on first use`);
