// Bad input (issue 7, item 4): every case is a clear error with a stable code, and nothing in
// the cache is lost (every entry complete before is complete after, its files untouched).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { OvcacheError } from '../../lib/errors';
import { parseDuration, parseSize } from '../../lib/format/units';
import { loadOpenVINO, type OpenVINO } from '../../lib/openvino/openvino';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { writeFigures } from './figures';
import { entryStates, listTree, startCli } from './helpers';

interface Case {
  input: string;
  /** The expected error code. */
  code: string;
  /** The message must say this. */
  says: RegExp;
  run: (ctx: Ctx) => unknown;
}

interface Ctx {
  ov: OpenVINO;
  cache: ModelCache;
  dir: string;
  tmp: string;
  mlp: string;
  image: string;
}

const CPU = { device: 'CPU' };

const CASES: Case[] = [
  {
    input: 'model path that does not exist',
    code: 'OVCACHE_MODEL_NOT_FOUND',
    says: /not found: .*nope\.xml/,
    run: (c) => c.cache.compile(path.join(c.tmp, 'nope.xml'), CPU),
  },
  { input: 'model path that is a folder', code: 'OVCACHE_MODEL_INVALID', says: /not a file/, run: (c) => c.cache.compile(c.tmp, CPU) },
  {
    input: 'model file that is not IR (text)',
    code: 'OV_GENERAL_ERROR',
    says: /Unable to read the model: .*notir\.xml/,
    run: (c) => c.cache.compile(path.join(c.tmp, 'notir.xml'), CPU),
  },
  {
    input: 'model file that is not IR (.onnx garbage)',
    code: 'OV_GENERAL_ERROR',
    says: /Unable to read the model/,
    run: (c) => c.cache.compile(path.join(c.tmp, 'model.onnx'), CPU),
  },
  {
    input: 'malformed .xml (cut in the middle)',
    code: 'OV_GENERAL_ERROR',
    says: /Unable to read the model: .*cut\.xml/,
    run: (c) => c.cache.compile(path.join(c.tmp, 'cut.xml'), CPU),
  },
  {
    input: 'truncated .bin',
    code: 'OV_GENERAL_ERROR',
    says: /Incorrect weights in bin file/,
    run: (c) => c.cache.compile(path.join(c.tmp, 'trunc.xml'), CPU),
  },
  {
    input: 'shape with the wrong rank',
    code: 'OVCACHE_SHAPE_MISMATCH',
    says: /rank 4 but the new shape has rank 3/,
    run: (c) => c.cache.compile(c.image, { ...CPU, shapes: { image: [1, 3, 32] } }),
  },
  {
    input: 'negative dimension',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /shapes\.image\[2\] but received -5/,
    run: (c) => c.cache.compile(c.image, { ...CPU, shapes: { image: [1, 3, -5, 32] } }),
  },
  {
    input: 'non-integer dimension',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /received 2\.5/,
    run: (c) => c.cache.compile(c.image, { ...CPU, shapes: { image: [1, 3, 2.5, 32] } }),
  },
  {
    input: 'dimension that is not a number',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /shapes\.image/,
    run: (c) => c.cache.compile(c.image, { ...CPU, shapes: { image: [1, 3, 'big', 32] as unknown as number[] } }),
  },
  {
    input: 'unknown input name',
    code: 'OVCACHE_SHAPE_MISMATCH',
    says: /no input named "nope"; its inputs are "image"/,
    run: (c) => c.cache.compile(c.image, { ...CPU, shapes: { nope: [1, 3, 32, 32] } }),
  },
  {
    input: 'unknown device',
    code: 'OV_GENERAL_ERROR',
    says: /Device with "TPU" name is not registered/,
    run: (c) => c.cache.compile(c.mlp, { device: 'TPU' }),
  },
  {
    input: 'empty device name',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /options\.device/,
    run: (c) => c.cache.compile(c.mlp, { device: '' }),
  },
  {
    input: 'config value of the wrong type (object)',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /config\.PERFORMANCE_HINT/,
    run: (c) => c.cache.compile(c.mlp, { ...CPU, config: { PERFORMANCE_HINT: {} as never } }),
  },
  {
    input: 'config value of the wrong type (number for a boolean)',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /boolean for config\.ENABLE_MMAP/,
    run: (c) => c.cache.compile(c.mlp, { ...CPU, config: { ENABLE_MMAP: 3 as never } }),
  },
  {
    input: 'config value out of its set (NUM_STREAMS "many")',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /config\.NUM_STREAMS/,
    run: (c) => c.cache.compile(c.mlp, { ...CPU, config: { NUM_STREAMS: 'many' as never } }),
  },
  {
    input: 'CACHE_DIR in config',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /CACHE_DIR is chosen by ModelCache/,
    run: (c) => c.cache.compile(c.mlp, { ...CPU, config: { CACHE_DIR: '/tmp' } }),
  },
  {
    input: 'option of the wrong type (staleLockMs "x")',
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /options\.staleLockMs/,
    run: (c) => new ModelCache({ runtime: c.ov, dir: c.dir, staleLockMs: 'x' as never }),
  },
  {
    input: 'misspelled option',
    code: 'OVCACHE_UNKNOWN_OPTION',
    says: /did you mean "readOnly"/,
    run: (c) => new ModelCache({ runtime: c.ov, dir: c.dir, readonly: true } as never),
  },
  {
    input: "shared mode other than 'group'",
    code: 'OVCACHE_INVALID_ARGUMENT',
    says: /options\.shared/,
    run: (c) => new ModelCache({ runtime: c.ov, dir: c.dir, shared: 'world' as never }),
  },
  { input: 'bad size ("12XB")', code: 'OVCACHE_BAD_SIZE', says: /12XB/, run: () => parseSize('12XB') },
  { input: 'negative size ("-1GB")', code: 'OVCACHE_BAD_SIZE', says: /-1GB/, run: () => parseSize('-1GB') },
  { input: 'bad duration ("3 fortnights")', code: 'OVCACHE_BAD_DURATION', says: /fortnights/, run: () => parseDuration('3 fortnights') },
  { input: 'bad duration (NaN)', code: 'OVCACHE_BAD_DURATION', says: /NaN/, run: () => parseDuration(NaN) },
  {
    input: 'cache folder writable by every user',
    code: 'OVCACHE_CACHE_DIR_INSECURE',
    says: /writable by every user/,
    run: (c) => new ModelCache({ runtime: c.ov, dir: path.join(c.tmp, 'open') }).compile(c.mlp, CPU),
  },
];

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = makeTempDir('ovcache-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    removeDir(probe);
  }
}

describe('reliability: bad input', function () {
  this.timeout(60_000);
  let ctx: Ctx;
  const rows: string[] = [];
  let passed = 0;

  before(async () => {
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    const tmp = makeTempDir('ovcache-bad-');
    const dir = path.join(tmp, 'cache');
    const mlp = writeMlp(tmp).xml;
    const image = writeImageModel(tmp).xml;
    fs.writeFileSync(path.join(tmp, 'notir.xml'), 'hello, not a model\n');
    fs.writeFileSync(path.join(tmp, 'model.onnx'), Buffer.from([0x08, 0x07, 0x12, 0xff, 0x00]));
    fs.writeFileSync(path.join(tmp, 'cut.xml'), fs.readFileSync(mlp, 'utf8').slice(0, 300));
    fs.copyFileSync(mlp, path.join(tmp, 'trunc.xml'));
    fs.writeFileSync(path.join(tmp, 'trunc.bin'), fs.readFileSync(mlp.replace(/\.xml$/, '.bin')).subarray(0, 10));
    fs.writeFileSync(path.join(tmp, 'a-file'), 'not a folder');
    fs.mkdirSync(path.join(tmp, 'open'));
    fs.chmodSync(path.join(tmp, 'open'), 0o777);
    const cache = new ModelCache({ runtime: ov, dir });
    // Two complete entries that every case must leave alone.
    (await cache.compile(mlp, CPU)).compiled.dispose();
    (await cache.compile(image, { ...CPU, shapes: { image: [1, 3, 40, 40] } })).compiled.dispose();
    await cache.flush();
    ctx = { ov, cache, dir, tmp, mlp, image };
  });

  after(async function () {
    // Every test of this suite is one case (the table's, plus the ones written out below it).
    const total = this.test?.parent?.tests.length ?? CASES.length;
    writeFigures('bad-input', {
      title: 'Bad input',
      lines: [
        `${passed} of ${total} cases give their expected outcome; entries complete before each case are complete after it, files untouched.`,
        '',
        '| input | code | message says |',
        '| --- | --- | --- |',
        ...rows,
      ],
      data: { cases: total, passed },
    });
    await ctx.cache.dispose();
    removeDir(ctx.tmp);
  });

  for (const c of CASES) {
    it(`${c.input} -> ${c.code}`, async () => {
      const before = await entryStates(ctx.dir);
      const complete = [...before].filter(([, s]) => s === 'complete').map(([n]) => n);
      const files = complete.flatMap((n) => listTree(path.join(ctx.dir, 'entries', n)).map((f) => `${n}/${f}`));
      let caught: unknown;
      try {
        await c.run(ctx);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof OvcacheError, `expected an OvcacheError, got ${String(caught)}`);
      assert.equal(caught.code, c.code, caught.message);
      assert.match(caught.message, c.says);
      const after = await entryStates(ctx.dir);
      for (const n of complete) assert.equal(after.get(n), 'complete', `${n} was lost`);
      assert.deepEqual(
        complete.flatMap((n) => listTree(path.join(ctx.dir, 'entries', n)).map((f) => `${n}/${f}`)),
        files,
      );
      passed++;
      rows.push(
        `| ${c.input} | \`${c.code}\` | ${caught.message.split('\n')[0]?.replace(ctx.tmp, '…').replace(/\|/g, '\\|').slice(0, 110)} |`,
      );
    });
  }

  it('bad sizes and durations on the command line -> exit 2, nothing removed', async () => {
    const before = listTree(ctx.dir);
    for (const args of [
      ['prune', '--dir', ctx.dir, '--max-size', 'lots'],
      ['prune', '--dir', ctx.dir, '--older-than', 'soon'],
    ]) {
      const run = startCli(args);
      const { code } = await run.exited;
      assert.equal(code, 2, run.stderr());
    }
    assert.deepEqual(listTree(ctx.dir), before);
    passed++;
    rows.push('| `ovcache prune --max-size lots`, `--older-than soon` | exit 2 (usage) | nothing removed |');
  });

  it('cache folder that is a file -> compiles without the cache, says so, nothing lost', async () => {
    const r = await new ModelCache({ runtime: ctx.ov, dir: path.join(ctx.tmp, 'a-file') }).compile(ctx.mlp, CPU);
    assert.equal(r.cached, false);
    assert.equal(r.uncachedReason, 'cache-dir-unusable');
    assert.equal(fs.readFileSync(path.join(ctx.tmp, 'a-file'), 'utf8'), 'not a folder', 'the file is untouched');
    r.compiled.dispose();
    passed++;
    rows.push('| cache folder that is a file | compiled without the cache, `uncachedReason: cache-dir-unusable` | the file is untouched |');
  });

  it('cache folder on a read-only file system -> compiles without the cache and says so', async function () {
    if (!canMount()) this.skip();
    const ro = path.join(ctx.tmp, 'ro');
    fs.mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', ro]);
    try {
      const r = await new ModelCache({ runtime: ctx.ov, dir: path.join(ro, 'cache') }).compile(ctx.mlp, CPU);
      assert.equal(r.cached, false);
      assert.equal(r.uncachedReason, 'cache-dir-unusable');
      r.compiled.dispose();
      passed++;
      rows.push(
        '| cache folder on a read-only file system (tmpfs mounted ro) | compiled without the cache, `uncachedReason: cache-dir-unusable` | |',
      );
    } finally {
      execFileSync('umount', ['-l', ro]);
    }
  });
});
