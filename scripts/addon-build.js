#!/usr/bin/env node
// Builds the addon from binding.gyp, the one description of how it is compiled (flags,
// NAPI_VERSION). Every build of it made in this repository goes through here (a user's build
// from source is node-gyp-build's, run by scripts/install.js, from the same binding.gyp):
//   node scripts/addon-build.js             build/Release/ovcache.node, when a native/ file or
//                                           binding.gyp is newer than it (npm run build does this)
//   node scripts/addon-build.js --force     the same, always
//   node scripts/addon-build.js --prebuild  prebuilds/<platform>-<arch>/ (prebuildify), built in
//                                           out/prebuild/ so build/ is left as it is
// Other builds (the sanitizer run) stage a project folder with stageProject() and compile it
// with buildAddon(), adding only their own compiler flags.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { nodeGypEnv } = require('./install.js');

const ROOT = path.resolve(__dirname, '..');
/** Where node-gyp writes the addon in a project folder (node-gyp-build loads it before prebuilds/). */
const ADDON = path.join('build', 'Release', 'ovcache.node');

/** The node-gyp bundled with the npm installed beside `nodeBin` (a node executable). */
function bundledNodeGyp(nodeBin) {
  return path.join(path.dirname(nodeBin), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
}

/**
 * node-gyp's script as npm runs it for scripts, else the copy bundled with the npm beside this
 * node or beside a node on PATH (CI's extra Node lines come without npm); undefined if none.
 */
function nodeGypScript(env) {
  const onPath = (env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'node'));
  const candidates = [
    env.npm_config_node_gyp,
    bundledNodeGyp(process.execPath),
    ...onPath.filter((f) => fs.existsSync(f)).map(bundledNodeGyp),
  ];
  return candidates.find((file) => file && fs.existsSync(file));
}

/** Runs a command with inherited output; returns its exit status. */
function run(cmd, args, { cwd, env }) {
  const result = spawnSync(cmd, args, { cwd, env, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/**
 * The addon's inputs: binding.gyp, every file under native/ and the folders themselves (a
 * folder's time changes when a file is added, removed or renamed in it).
 */
function inputsOf(root) {
  const files = [path.join(root, 'binding.gyp')];
  const walk = (dir) => {
    files.push(dir);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else files.push(file);
    }
  };
  walk(path.join(root, 'native'));
  return files;
}

/** Why the addon in `root` must be rebuilt, or undefined when it is newer than every input. */
function staleReason(root = ROOT) {
  const addon = path.join(root, ADDON);
  if (!fs.existsSync(addon)) return `${ADDON} does not exist`;
  const builtAt = fs.statSync(addon).mtimeMs;
  const newer = inputsOf(root).find((file) => fs.statSync(file).mtimeMs > builtAt);
  return newer ? `${path.relative(root, newer)} is newer than ${ADDON}` : undefined;
}

/**
 * node-gyp configure + build in `projectDir` (configure again each time: it lists native/*.cc).
 * Afterwards the addon's time is the build's start, so a file edited during the build counts
 * as newer and an unchanged relink (make found nothing to do) does not count as stale.
 */
function buildAddon(projectDir = ROOT, env = nodeGypEnv()) {
  const startedAt = new Date();
  const script = nodeGypScript(env);
  const [cmd, pre] = script ? [process.execPath, [script]] : ['node-gyp', []];
  const options = { cwd: projectDir, env };
  const status = run(cmd, [...pre, 'configure'], options) || run(cmd, [...pre, 'build', '--jobs', 'max'], options);
  if (status !== 0) return status;
  fs.utimesSync(path.join(projectDir, ADDON), startedAt, startedAt);
  return 0;
}

/**
 * A project folder that builds the addon from the real binding.gyp and native/ (a copy of the
 * former, a link to the latter) without touching build/: node-gyp always writes into ./build.
 */
function stageProject(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of ['binding.gyp', 'package.json']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  const link = path.join(dir, 'native');
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(path.join(ROOT, 'native'), link, 'junction');
  return dir;
}

function prebuild() {
  const stage = stageProject(path.join(ROOT, 'out', 'prebuild'));
  const env = nodeGypEnv();
  const script = nodeGypScript(env);
  const args = [require.resolve('prebuildify/bin.js'), '--napi', '--strip', '--cwd', stage, '--out', ROOT];
  if (script) args.push('--node-gyp', script);
  return run(process.execPath, args, { cwd: ROOT, env });
}

module.exports = { ADDON, ROOT, buildAddon, inputsOf, stageProject, staleReason };

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.includes('--prebuild')) process.exit(prebuild());
  const reason = argv.includes('--force') ? 'rebuild forced (--force)' : staleReason();
  if (reason === undefined) {
    console.log(`addon: ${ADDON} is up to date`);
    process.exit(0);
  }
  console.log(`addon: rebuilding (${reason})`);
  process.exit(buildAddon());
}
