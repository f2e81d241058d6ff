#!/usr/bin/env node
// Refuses (exit 1) unless prebuilds/<target>/ holds a Node-API addon for every target named
// on the command line. The release job runs it before publishing. A Node-API prebuild is any
// .node file without an ABI tag: prebuildify 6 --napi names it <name>.node, older ones
// <name>.napi.node; <name>.abi115.node would load under one Node ABI only.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(process.argv.includes('--root') ? process.argv[process.argv.indexOf('--root') + 1] : path.join(__dirname, '..'));
const targets = process.argv.slice(2).filter((a, i, all) => a !== '--root' && all[i - 1] !== '--root');
if (targets.length === 0) {
  console.error('usage: check-prebuilds.js <platform-arch>... [--root DIR]');
  process.exit(2);
}
const missing = [];
for (const target of targets) {
  const dir = path.join(root, 'prebuilds', target);
  const addons = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.node$/.test(f) && !/\.abi\d+\./.test(f)) : [];
  if (addons.length === 0) missing.push(target);
  else console.log(`prebuild ${target}: ${addons.join(', ')}`);
}
if (missing.length > 0) {
  console.error(`missing prebuilds for: ${missing.join(', ')} - refusing to publish`);
  process.exit(1);
}
console.log(`all ${targets.length} prebuilds present`);
