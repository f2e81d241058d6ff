#!/usr/bin/env node
// npm "install" script (shipped): loads a prebuilt addon when one fits this platform, else
// compiles it with node-gyp (binding.gyp) into build/Release. The package also works when this
// script never runs (`--ignore-scripts`, npm's script approvals): ovcache loads the prebuild at
// run time. Points node-gyp at the running Node's own headers when they are installed beside
// it, so that no header download is ever attempted.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** `base` plus npm_config_nodedir = the running Node's prefix when its headers are there. */
function nodeGypEnv(base = process.env) {
  const env = { ...base };
  if (!env.npm_config_nodedir) {
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  }
  return env;
}

module.exports = { nodeGypEnv };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const result = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], {
    cwd: root,
    env: nodeGypEnv(),
    stdio: 'inherit',
  });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}
