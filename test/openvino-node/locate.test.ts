// Finding openvino-node, and the published declarations the double is checked against.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenvinoNode } from '../../lib/adapters/openvino-node/locate';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir, ROOT } from '../helpers/paths';

describe('locating openvino-node', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => removeDir(tmp));

  const write = (name: string, text: string): string => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('says why it cannot use one, with OVCACHE_OPENVINO_NODE_NOT_FOUND', async () => {
    await expectCode(() => loadOpenvinoNode({ env: {}, cwd: tmp }), 'OVCACHE_OPENVINO_NODE_NOT_FOUND', /package is not installed/);
    const missing = path.join(tmp, 'nope.js');
    await expectCode(
      () => loadOpenvinoNode({ env: { OVCACHE_OPENVINO_NODE: missing } }),
      'OVCACHE_OPENVINO_NODE_NOT_FOUND',
      /does not name a module/,
    );
    const broken = write('broken.js', "throw new Error('libopenvino.so.2640: cannot open shared object file');");
    await expectCode(
      () => loadOpenvinoNode({ env: { OVCACHE_OPENVINO_NODE: broken } }),
      'OVCACHE_OPENVINO_NODE_NOT_FOUND',
      /installed .* but its runtime does not load: libopenvino\.so\.2640/,
    );
    const empty = write('empty.js', 'module.exports = {};');
    await expectCode(
      () => loadOpenvinoNode({ env: { OVCACHE_OPENVINO_NODE: empty } }),
      'OVCACHE_OPENVINO_NODE_NOT_FOUND',
      /exports no openvino-node addon/,
    );
  });

  it('finds a package folder in the application’s node_modules and reads its version', () => {
    const pkg = path.join(tmp, 'node_modules', 'openvino-node');
    fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    fs.writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({ name: 'openvino-node', version: '2026.4.0', main: './dist/index.js' }),
    );
    fs.writeFileSync(path.join(pkg, 'dist', 'index.js'), 'exports.addon = { marker: 42 };');
    const found = loadOpenvinoNode({ env: {}, cwd: tmp });
    assert.equal(found.path, fs.realpathSync(path.join(pkg, 'dist', 'index.js')));
    assert.equal(found.packageVersion, '2026.4.0');
    assert.equal((found.addon as unknown as { marker: number }).marker, 42);
  });

  it('keeps openvino-node’s published declarations byte for byte as SOURCE.json records them', () => {
    const dir = path.join(ROOT, 'test', 'openvino-node', 'published-types');
    const source = JSON.parse(fs.readFileSync(path.join(dir, 'SOURCE.json'), 'utf8')) as { package: string; files: Record<string, string> };
    assert.equal(source.package, 'openvino-node');
    const present = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.d.ts'))
      .sort();
    assert.deepEqual(present, Object.keys(source.files).sort());
    for (const [file, sha] of Object.entries(source.files)) {
      assert.equal(
        crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(dir, file)))
          .digest('hex'),
        sha,
        file,
      );
    }
  });
});
