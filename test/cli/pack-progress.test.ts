// `ovcache pack` and `unpack` show their progress as `warm` does (issue 25): a bar on a terminal
// (here a pseudo-terminal from util-linux `script`), nothing extra with --json or when piped, and
// a last line with the entries, bytes and time. The bar's last frame is drawn by stop() whatever
// the throttle, so what it shows does not depend on the machine's speed.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { scanCache } from '../../lib/cache/scan';
import { packBundle } from '../../lib/fleet/bundle-pack';
import { unpackBundle } from '../../lib/fleet/bundle-unpack';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPENVINO_LIB_PATH: STAND_IN };

function run(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why no pseudo-terminal can be made here, or undefined when util-linux `script` runs. */
function noPty(): string | undefined {
  const probe = spawnSync('script', ['-qec', 'true', '/dev/null'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `util-linux "script" is not usable here (${probe.error?.message ?? probe.stderr})`;
}

/** The CLI on a pseudo-terminal (stdout and stderr both the terminal): everything it drew. */
function runOnTerminal(args: string[]): SpawnSyncReturns<string> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return spawnSync('script', ['-qec', command, '/dev/null'], {
    env: { ...ENV, COLUMNS: '120', LINES: '40' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const SIZE = String.raw`\d+(\.\d)? (B|KiB|MiB|GiB)`;
const DURATION = String.raw`\d+(\.\d+)? (ms|s|min)`;

describe('ovcache pack and unpack: progress and the last line', function () {
  this.timeout(120_000);
  let tmp: string;
  let cache: string;
  let bundle: string;

  beforeEach(() => {
    tmp = makeTempDir('ovcache-pack-progress-');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models, { recursive: true });
    writeMlp(models);
    writeImageModel(models);
    const manifest = path.join(tmp, 'warm.yaml');
    fs.writeFileSync(manifest, ['dir: cache', 'models:', '  - model: models/mlp.xml', '  - model: models/image.xml', ''].join('\n'));
    const warmed = run(['warm', manifest]);
    assert.equal(warmed.status, 0, warmed.stderr);
    cache = path.join(tmp, 'cache');
    bundle = path.join(tmp, 'b.tar.gz');
  });
  afterEach(() => removeDir(tmp));

  it('packBundle reports each entry before it is read, then the compression, with the total every time', async () => {
    const entries = (await scanCache(cache, { checkModels: false })).entries;
    const calls: Array<[number, number, string]> = [];
    await packBundle(cache, entries, bundle, { onProgress: (done, total, label) => calls.push([done, total, label]) });
    assert.deepEqual(calls, [
      [0, 2, entries[0]?.name],
      [1, 2, entries[1]?.name],
      [2, 2, 'compressing 2 into b.tar.gz'],
    ]);
  });

  it('unpackBundle reports each check and install without the count ever running back, and ends at the total', async () => {
    const entries = (await scanCache(cache, { checkModels: false })).entries;
    await packBundle(cache, entries, bundle);
    const calls: Array<[number, number, string]> = [];
    const report = await unpackBundle(path.join(tmp, 'target'), bundle, null, {
      force: true,
      onProgress: (done, total, label) => calls.push([done, total, label]),
    });
    const [a, b] = report.entries.map((e) => e.name);
    assert.deepEqual(calls, [
      [0, 2, `checking ${a}`],
      [0, 2, `checking ${b}`],
      [0, 2, `installing ${a}`],
      [1, 2, `installing ${b}`],
      [2, 2, ''],
    ]);
    assert.ok(
      report.entries.every((e) => e.status === 'installed' && e.bytes > 0),
      'each row carries the bytes it installed',
    );
  });

  it('piped: pack and unpack write only their last line (entries, bytes, time) and nothing on stderr', () => {
    const packed = run(['pack', bundle, '--dir', cache]);
    assert.equal(packed.status, 0, packed.stderr);
    assert.equal(packed.stderr, '');
    assert.match(packed.stdout, new RegExp(String.raw`^Packed 2 entries \(${SIZE}\) into .*b\.tar\.gz \(${SIZE}\) in ${DURATION}\n$`));
    const unpacked = run(['unpack', bundle, '--dir', path.join(tmp, 'target'), '--force']);
    assert.equal(unpacked.status, 0, unpacked.stderr);
    assert.equal(unpacked.stderr, '');
    assert.ok(!unpacked.stdout.includes('unpacking') && !unpacked.stdout.includes('\u001b['), 'no bar and no terminal codes in a pipe');
    assert.match(
      unpacked.stdout,
      new RegExp(String.raw`\n2 installed, 0 already present, 0 refused into .*target \(${SIZE} written in ${DURATION}\)\n$`),
    );
  });

  it('--json: pack and unpack print one JSON document and nothing on stderr', () => {
    const packed = run(['pack', bundle, '--dir', cache, '--json']);
    assert.equal(packed.status, 0, packed.stderr);
    assert.equal(packed.stderr, '');
    assert.equal((JSON.parse(packed.stdout) as { entries: unknown[] }).entries.length, 2);
    const unpacked = run(['unpack', bundle, '--dir', path.join(tmp, 'target'), '--force', '--json']);
    assert.equal(unpacked.stderr, '');
    const report = JSON.parse(unpacked.stdout) as { entries: Array<{ status: string; bytes: number }> };
    assert.deepEqual(
      report.entries.map((e) => e.status),
      ['installed', 'installed'],
    );
  });

  it('on a terminal: pack and unpack draw a bar that ends at the total, then the last line', function () {
    const why = noPty();
    if (why) {
      if (process.env.CI === 'true') assert.fail(why);
      this.skip();
    }
    const packed = runOnTerminal(['pack', bundle, '--dir', cache]);
    assert.equal(packed.status, 0, packed.stdout);
    assert.match(packed.stdout, /packing \[[^\]]*\] 2\/2 compressing 2 into b\.tar\.gz/);
    assert.match(packed.stdout, new RegExp(String.raw`Packed 2 entries \(${SIZE}\) into .*b\.tar\.gz \(${SIZE}\) in ${DURATION}`));
    const unpacked = runOnTerminal(['unpack', bundle, '--dir', path.join(tmp, 'target'), '--force']);
    assert.equal(unpacked.status, 0, unpacked.stdout);
    assert.match(unpacked.stdout, /unpacking \[[^\]]*\] 2\/2/);
    assert.match(
      unpacked.stdout,
      new RegExp(String.raw`2 installed, 0 already present, 0 refused into .*target \(${SIZE} written in ${DURATION}\)`),
    );
  });
});
