#!/usr/bin/env node
// Fetches openvino-node's PUBLISHED TypeScript declarations (types/*.d.ts of its npm tarball)
// into test/openvino-node/published-types/, for the conformance double that tsc checks against
// them. openvino-node is never installed: its postinstall downloads a runtime from a host these
// machines cannot reach, and npm before 11 has no way to skip one package's script. So the
// tarball is fetched with `npm pack` (which runs no script), its integrity checked against the
// registry's, and only the declarations kept. SOURCE.json records version, integrity and the
// sha256 of each file (test/openvino-node/published-types.test.ts checks them offline).
//   node scripts/openvino-node-types.js [version]          write (default: SOURCE.json's version)
//   node scripts/openvino-node-types.js --check [version]  fail when the published files differ
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tar = require('tar');

const TARGET = path.join(__dirname, '..', 'test', 'openvino-node', 'published-types');
const SOURCE = path.join(TARGET, 'SOURCE.json');

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const current = fs.existsSync(SOURCE) ? JSON.parse(fs.readFileSync(SOURCE, 'utf8')) : undefined;
  const version = args.find((a) => !a.startsWith('--')) ?? current?.version;
  if (!version) throw new Error('give a version: node scripts/openvino-node-types.js 2026.4.0');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openvino-node-types-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = JSON.parse(
      execFileSync(npm, ['pack', `openvino-node@${version}`, '--json', '--pack-destination', tmp], { encoding: 'utf8' }),
    )[0];
    const tarball = path.join(tmp, packed.filename);
    const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
    const registry = execFileSync(npm, ['view', `openvino-node@${version}`, 'dist.integrity'], { encoding: 'utf8' }).trim();
    if (integrity !== registry) throw new Error(`tarball integrity ${integrity} is not the registry's ${registry}`);
    tar.x({ file: tarball, cwd: tmp, sync: true, filter: (p) => /^package\/types\/[^/]+\.d\.ts$/.test(p) });
    const dir = path.join(tmp, 'package', 'types');
    const files = Object.fromEntries(
      fs
        .readdirSync(dir)
        .sort()
        .map((f) => [f, sha256(fs.readFileSync(path.join(dir, f)))]),
    );
    const source = { package: 'openvino-node', version: packed.version, integrity, files };
    if (check) {
      const same = current && JSON.stringify(current) === JSON.stringify(source);
      console.log(
        same ? `published-types match openvino-node@${packed.version}` : `published-types DIFFER from openvino-node@${packed.version}`,
      );
      process.exitCode = same ? 0 : 1;
      return;
    }
    fs.rmSync(TARGET, { recursive: true, force: true });
    fs.mkdirSync(TARGET, { recursive: true });
    for (const f of Object.keys(files)) fs.copyFileSync(path.join(dir, f), path.join(TARGET, f));
    fs.writeFileSync(SOURCE, `${JSON.stringify(source, null, 2)}\n`);
    console.log(`wrote ${Object.keys(files).join(', ')} of openvino-node@${packed.version} into ${path.relative(process.cwd(), TARGET)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
