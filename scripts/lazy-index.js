#!/usr/bin/env node
// Rewrites tsc's dist/lib/index.js so that the parts of the package a process may never use load
// on first use of one of their names (CommonJS only; the ES module facade reads every name, so an
// `import` loads them all). `require('ovcache')` then loads the runtime and the model cache; the
// registry, the result cache, the fleet, signing, rewarm, the history reader and the folder
// checks wait until a program touches one of their exports. Each name stays the same object as
// its module's export.
//
// tsc emits, for `export { A } from './x'`:
//   var x_1 = require("./x");
//   Object.defineProperty(exports, "A", { enumerable: true, get: function () { return x_1.A; } });
// and this script turns the first line into a module that loads on the first read of one of its
// names (a Proxy over `require`), leaving the getters as tsc wrote them: Node's ESM loader
// (cjs-module-lexer) still finds every name when a program imports this file by its path. It
// fails the build when a deferred module is used other than in those getters or is still
// required at import in a form it does not rewrite, so a change in index.ts or in tsc's output
// cannot silently load a deferred part at start-up.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Module paths (as index.ts names them) loaded on first use; everything else loads at import. */
const DEFERRED = ['registry', 'results', 'fleet', 'trust', 'rewarm', 'history', 'adapters', 'cache/verify'];
const MARK = '// rewritten by scripts/lazy-index.js';
/** `./fleet`, `./fleet/x`, `./fleet.js`, `./fleet/index.js`: any spelling of a deferred folder or file. */
const isDeferred = (request) =>
  DEFERRED.some((part) => request === `./${part}` || request.startsWith(`./${part}/`) || request === `./${part}.js`);

/** Loads the module on the first read of one of its names. */
const LOADER = 'const deferredModule = (load) => { let m; return new Proxy({}, { get: (_, name) => (m ??= load())[name] }); };';

function deferIndex(file) {
  const source = fs.readFileSync(file, 'utf8');
  if (source.startsWith(`"use strict";${LOADER}\n`)) return 0; // rewritten already (tsc did not run since)
  if (!source.startsWith('"use strict";\n') || source.includes('\r'))
    throw new Error(`${file}: expected tsc's output with LF line ends and no BOM ("use strict"; first)`);
  if (source.includes('deferredModule')) throw new Error(`${file}: already names deferredModule; rename it in this script`);
  const deferred = [];
  let text = source.replace(/^var (\w+) = require\("([^"]+)"\);$/gm, (line, name, request) => {
    if (!isDeferred(request)) return line;
    deferred.push(name);
    return `var ${name} = deferredModule(() => require(${JSON.stringify(request)}));`;
  });
  for (const name of deferred) {
    const uses = text.match(new RegExp(`\\b${name}\\b`, 'g')).length;
    const getters = (text.match(new RegExp(`get: function \\(\\) \\{ return ${name}\\.\\w+; \\}`, 'g')) ?? []).length;
    // The loader's own line names it once; every other use must be an export's getter.
    if (getters === 0 || uses !== getters + 1) throw new Error(`${file}: ${name} is used other than in export getters`);
  }
  // Every require of a deferred module must now sit in a loader.
  for (const [line, request] of text.matchAll(/^.*require\("([^"]+)"\).*$/gm)) {
    if (isDeferred(request) && !line.includes('deferredModule(() => require('))
      throw new Error(`${file}: ${request} is still loaded at import (a form of export this script does not rewrite)`);
  }
  if (deferred.length === 0) throw new Error(`${file}: found no deferred module; did tsc's output change?`);
  // The loader on the first line, the mark before the source map's comment: every line tsc
  // wrote keeps its number.
  text = `"use strict";${LOADER}\n${text.slice('"use strict";\n'.length)}`;
  const map = text.lastIndexOf('//# sourceMappingURL=');
  text = map >= 0 ? `${text.slice(0, map)}${MARK}\n${text.slice(map)}` : `${text}${MARK}\n`;
  fs.writeFileSync(file, text);
  return deferred.length;
}

// The file to rewrite: dist/lib/index.js, or the one given (the tests give their own).
const index =
  process.argv[2] && !process.argv[2].startsWith('--')
    ? path.resolve(process.argv[2])
    : path.resolve(__dirname, '..', 'dist', 'lib', 'index.js');
const count = deferIndex(index);
if (process.argv.includes('--verbose')) console.log(`lazy-index: ${count} modules of ${index} load on first use`);
