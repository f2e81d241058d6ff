// Error codes are public API: the ones docs/api.md lists are exactly OvcacheErrorCode's, each
// is thrown somewhere (lib/ or the addon), and each is asserted by some test.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { loadNativeBinding } from '../../lib/runtime/binding';
import { checkSupported, parseBuildNumber } from '../../lib/runtime/version';
import { writeMlp } from '../../scripts/make-fixtures';
import { expectCode } from '../cache/helpers';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

/** Thrown only by the addon for a C++ exception it did not expect: no input provokes it on purpose. */
const NOT_PROVOKABLE = new Set(['OVCACHE_INTERNAL']);

function filesUnder(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).flatMap((d) => {
    const full = path.join(d.parentPath, d.name);
    return d.isFile() && ext.test(d.name) ? [full] : [];
  });
}

function declaredCodes(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'lib', 'errors.ts'), 'utf8');
  const union = /export type OvcacheErrorCode =([\s\S]*?);/.exec(text)?.[1] ?? '';
  return [...union.matchAll(/'(OVCACHE_[A-Z_]+)'/g)].map((m) => m[1] as string).sort();
}

function documentedCodes(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8');
  const table = text.slice(text.indexOf('## Errors'));
  const rows = table.split('\n').filter((l) => l.startsWith('| `OVCACHE_'));
  return rows.flatMap((r) => [...(r.split(' | ')[0] ?? '').matchAll(/`(OVCACHE_[A-Z_]+)`/g)].map((m) => m[1] as string)).sort();
}

/** Code-shaped literals in lib/ (errors.ts aside) and native/, minus environment variable names. */
function usedCodes(): Set<string> {
  const sources = [
    ...filesUnder(path.join(ROOT, 'lib'), /\.ts$/).filter((f) => path.basename(f) !== 'errors.ts'),
    ...filesUnder(path.join(ROOT, 'native'), /\.(cc|h)$/),
  ].map((f) => fs.readFileSync(f, 'utf8'));
  const envNames = new Set(sources.flatMap((s) => [...s.matchAll(/\.(OVCACHE_[A-Z_]+)/g)].map((m) => m[1] as string)));
  const literals = sources.flatMap((s) => [...s.matchAll(/['"](OVCACHE_[A-Z_]+)['"]/g)].map((m) => m[1] as string));
  return new Set(literals.filter((c) => !envNames.has(c)));
}

describe('error codes', () => {
  it('docs/api.md lists exactly the codes OvcacheErrorCode declares', () => {
    assert.deepEqual(documentedCodes(), declaredCodes());
  });

  it('every declared code is thrown somewhere, and every code thrown is declared', () => {
    const used = usedCodes();
    assert.deepEqual(
      declaredCodes().filter((c) => !used.has(c)),
      [],
      'declared but never thrown',
    );
    assert.deepEqual(
      [...used].filter((c) => !declaredCodes().includes(c)),
      [],
      'thrown (or named) but not declared',
    );
  });

  it('every declared code is asserted by a test', () => {
    const self = path.join(ROOT, 'test', 'docs', 'error-codes.test.ts');
    const tests = filesUnder(path.join(ROOT, 'test'), /\.ts$/)
      .filter((f) => f !== self)
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    const untested = declaredCodes().filter((c) => !NOT_PROVOKABLE.has(c) && !tests.includes(c) && !TESTED_HERE.includes(c));
    assert.deepEqual(untested, []);
  });
});

/** Codes whose only test is below. */
const TESTED_HERE = ['OVCACHE_CACHE_READ_ONLY', 'OVCACHE_ADDON_NOT_FOUND', 'OVCACHE_RUNTIME_UNSUPPORTED_VERSION'];

describe('error codes with no other test', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => removeDir(tmp));

  it('OVCACHE_CACHE_READ_ONLY: evict() on a read-only cache (a dry run is allowed)', async () => {
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    const dir = path.join(tmp, 'cache');
    const writer = new ModelCache({ runtime: ov, dir });
    (await writer.compile(writeMlp(tmp).xml, { device: 'CPU' })).compiled.dispose();
    await writer.dispose();
    const reader = new ModelCache({ runtime: ov, dir, readOnly: true });
    await expectCode(reader.evict({ maxBytes: 1 }), 'OVCACHE_CACHE_READ_ONLY', /is read-only: nothing can be evicted/);
    const dry = await reader.evict({ maxBytes: 1, dryRun: true });
    assert.equal(dry.removed.length, 1);
    assert.equal(fs.readdirSync(path.join(dir, 'entries')).length, 1);
    await reader.dispose();
  });

  it('OVCACHE_ADDON_NOT_FOUND: a native binding path that is no addon', async () => {
    const bogus = path.join(tmp, 'not-an-addon.node');
    fs.writeFileSync(bogus, 'not an ELF file');
    await expectCode(() => loadNativeBinding(bogus), 'OVCACHE_ADDON_NOT_FOUND', /could not be loaded/);
  });

  it('OVCACHE_RUNTIME_UNSUPPORTED_VERSION: a release outside the range, or a version that does not parse', async () => {
    await expectCode(
      () => checkSupported(parseBuildNumber('2023.3.0-13775'), '/x/libopenvino_c.so', {}),
      'OVCACHE_RUNTIME_UNSUPPORTED_VERSION',
      /outside the supported range/,
    );
    await expectCode(() => parseBuildNumber('custom-build'), 'OVCACHE_RUNTIME_UNSUPPORTED_VERSION', /Cannot parse/);
    assert.doesNotThrow(() => checkSupported(parseBuildNumber('2023.3.0'), '/x', { OVCACHE_SKIP_VERSION_CHECK: '1' }));
  });
});
