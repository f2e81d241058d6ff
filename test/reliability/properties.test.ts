// Property-based tests (issue 7, item 6; the size and duration parsers are covered in
// test/format/units.test.ts): config canonicalization, the manifest reader, entry names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { canonicalConfig } from '../../lib/cache/config-canon';
import { entryName } from '../../lib/cache/entry/name';
import { deriveKey, KEY_FORMAT, type KeyParts } from '../../lib/cache/key';
import { MANIFEST_FILE, parseManifest, readManifest, type EntryManifest } from '../../lib/cache/entry/manifest';
import type { CompileConfig } from '../../lib/openvino/properties';
import { makeTempDir, removeDir } from '../helpers/paths';
import { writeFigures } from './figures';

const RUNS = 500;
const counts: Record<string, number> = {};
const property = (name: string, p: fc.IProperty<never> | fc.IAsyncProperty<never>, runs = RUNS): Promise<void> | void => {
  counts[name] = runs;
  return fc.assert(p as fc.IProperty<unknown>, { numRuns: runs });
};

// A config as meaning: each key's value, independent of how it is spelled.
type Meaning = Record<
  string,
  { kind: 'bool'; v: boolean } | { kind: 'uint'; v: number | 'AUTO' | 'NUMA' } | { kind: 'enum'; v: string; lower?: boolean }
>;

const ENUMS: Record<string, { values: string[]; lower?: boolean }> = {
  PERFORMANCE_HINT: { values: ['LATENCY', 'THROUGHPUT', 'CUMULATIVE_THROUGHPUT'] },
  CACHE_MODE: { values: ['OPTIMIZE_SPEED', 'OPTIMIZE_SIZE'] },
  EXECUTION_MODE_HINT: { values: ['PERFORMANCE', 'ACCURACY'] },
  INFERENCE_PRECISION_HINT: { values: ['f32', 'f16', 'bf16', 'i8', 'u8', 'dynamic'], lower: true },
  LOG_LEVEL: { values: ['LOG_NONE', 'LOG_ERROR', 'LOG_WARNING'] },
};
const BOOLS = ['ENABLE_MMAP', 'PERF_COUNT', 'ENABLE_CPU_PINNING'];
const UINTS = ['NUM_STREAMS', 'INFERENCE_NUM_THREADS', 'PERFORMANCE_HINT_NUM_REQUESTS'];

const meaningArb: fc.Arbitrary<Meaning> = fc.record(
  {
    ...Object.fromEntries(
      Object.entries(ENUMS).map(([k, e]) => [k, fc.constantFrom(...e.values).map((v) => ({ kind: 'enum' as const, v, lower: e.lower }))]),
    ),
    ...Object.fromEntries(BOOLS.map((k) => [k, fc.boolean().map((v) => ({ kind: 'bool' as const, v }))])),
    ...Object.fromEntries(
      UINTS.map((k) => [
        k,
        fc
          .oneof(fc.nat(512), k === 'NUM_STREAMS' ? fc.constantFrom<'AUTO' | 'NUMA'>('AUTO', 'NUMA') : fc.nat(512))
          .map((v) => ({ kind: 'uint' as const, v })),
      ]),
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Meaning>;

/** One of the spellings OpenVINO (and canonicalPropertyValue) treat as the same value. */
function spell(m: Meaning[string], choice: number): string | number | boolean {
  if (m.kind === 'bool')
    return [m.v, m.v ? 'yes' : 'no', m.v ? 'YES' : 'NO', m.v ? 'true' : 'false', m.v ? '1' : '0', m.v ? 'True' : 'False'][choice % 6] as
      string | boolean;
  if (m.kind === 'uint') {
    if (typeof m.v === 'string') return [m.v, m.v.toLowerCase()][choice % 2] as string;
    return [m.v, String(m.v)][choice % 2] as number | string;
  }
  return [m.v, m.v.toLowerCase(), m.v.toUpperCase()][choice % 3] as string;
}

/** The meaning spelled with random choices, keys in a random order, with undefined extras. */
const spellingArb = (meaning: Meaning): fc.Arbitrary<CompileConfig> =>
  fc
    .tuple(
      fc.array(fc.nat(5), { minLength: Object.keys(meaning).length, maxLength: Object.keys(meaning).length }),
      fc.shuffledSubarray(Object.keys(meaning), { minLength: Object.keys(meaning).length }),
      fc.boolean(),
    )
    .map(([choices, order, extra]) => {
      const out: CompileConfig = {};
      order.forEach((k, i) => (out[k] = spell(meaning[k] as Meaning[string], choices[i] ?? 0)));
      if (extra) out.PERF_COUNT ??= undefined;
      return out;
    });

function parts(config: Record<string, string>, name = 'model'): KeyParts {
  return {
    format: KEY_FORMAT,
    model: { name, files: [{ role: 'xml', sha256: 'a'.repeat(64), size: 100 }] },
    inputs: [{ name: 'input', shape: '[1,16]', elementType: 'f32' }],
    device: { name: 'CPU', fullName: 'stub CPU' },
    config,
    runtime: { buildNumber: '2025.4.0-20398-stub' },
  };
}

const VALID: EntryManifest = {
  format: 1,
  key: 'b'.repeat(64),
  parts: parts({}),
  modelPaths: ['/models/model.xml'],
  sources: [{ kind: 'path', xml: '/models/model.xml', mtimeNs: '1', size: 100 }],
  files: [{ name: '123.blob', bytes: 10 }],
  bytes: 10,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastUsedAt: '2026-01-01T00:00:00.000Z',
  hits: 0,
  compileMs: 1,
  importMs: null,
  complete: true,
  writer: { pid: 1, hostname: 'h' },
};

describe('reliability: property-based tests', function () {
  this.timeout(120_000);

  after(() => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    writeFigures('properties', {
      title: 'Property-based tests (fast-check)',
      lines: [
        `${Object.keys(counts).length} properties, ${total} generated cases, no counterexample:`,
        '',
        ...Object.entries(counts).map(([name, n]) => `- ${name}: ${n} cases`),
        '- size and duration parsers: test/format/units.test.ts',
      ],
      data: { properties: Object.keys(counts).length, cases: total, counts },
    });
  });

  it('equivalent configs (spelling, key order, undefined values) give one canonical config and one key', () =>
    property(
      'equivalent configs give one key',
      fc.property(
        meaningArb.chain((m) => fc.tuple(spellingArb(m), spellingArb(m))),
        ([a, b]) => {
          const ca = canonicalConfig(a);
          assert.deepEqual(ca, canonicalConfig(b));
          assert.equal(deriveKey(parts(ca)), deriveKey(parts(canonicalConfig(b))));
        },
      ) as never,
    ));

  it('configs that differ in any value give different keys', () =>
    property(
      'different values give different keys',
      fc.property(
        meaningArb.chain((m) => fc.tuple(fc.constant(m), spellingArb(m), meaningArb)),
        ([m, spelled, other]) => {
          const otherSpelled: CompileConfig = {};
          for (const [k, v] of Object.entries(other)) otherSpelled[k] = spell(v, 0);
          const same =
            JSON.stringify(
              Object.entries(m)
                .sort()
                .map(([k, v]) => [k, String(v.v).toUpperCase()]),
            ) ===
            JSON.stringify(
              Object.entries(other)
                .sort()
                .map(([k, v]) => [k, String(v.v).toUpperCase()]),
            );
          const ka = deriveKey(parts(canonicalConfig(spelled)));
          const kb = deriveKey(parts(canonicalConfig(otherSpelled)));
          assert.equal(ka === kb, same);
        },
      ) as never,
    ));

  it('the manifest reader never throws on random bytes', () =>
    property(
      'manifest reader: random bytes',
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const r = parseManifest(Buffer.from(bytes).toString('utf8'));
        assert.ok(r.status === 'ok' || r.status === 'invalid');
      }) as never,
      1000,
    ));

  it('the manifest reader never throws on random JSON', () =>
    property(
      'manifest reader: random JSON',
      fc.property(fc.jsonValue(), (value) => {
        const r = parseManifest(JSON.stringify(value));
        assert.ok(r.status === 'ok' || r.status === 'invalid');
      }) as never,
      1000,
    ));

  it('the manifest reader accepts a valid manifest and rejects any field replaced by garbage, never throwing', () =>
    property(
      'manifest reader: a valid manifest with one field replaced',
      fc.property(fc.constantFrom(...Object.keys(VALID)), fc.anything(), (field, value) => {
        const text = (() => {
          try {
            return JSON.stringify({ ...VALID, [field]: value });
          } catch {
            return '{';
          }
        })();
        const r = parseManifest(text);
        assert.ok(r.status === 'ok' || r.status === 'invalid');
      }) as never,
    ));

  it('readManifest on a file of random bytes says invalid, never throws', async () => {
    const dir = makeTempDir('ovcache-prop-');
    try {
      await property(
        'readManifest: random file content',
        fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
          fs.writeFileSync(path.join(dir, MANIFEST_FILE), bytes);
          const r = await readManifest(dir);
          assert.ok(r.status === 'invalid' || r.status === 'ok');
        }) as never,
        200,
      );
      fs.rmSync(path.join(dir, MANIFEST_FILE));
      assert.equal((await readManifest(dir)).status, 'missing');
      assert.equal((await readManifest(path.join(dir, 'nope'))).status, 'missing');
    } finally {
      removeDir(dir);
    }
  });

  it('no model name (../, absolute, NUL, unicode, very long) steers an entry folder outside entries/', () =>
    property(
      'entry names from hostile model names',
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.constantFrom('..', '../../etc', '/etc/passwd', 'a\0b', '.', '.hidden', 'con', '-rf', 'x'.repeat(5000), '..\\..\\win'),
        ),
        (name) => {
          const entries = '/cache/entries';
          const folder = entryName(parts({}, name), 'c'.repeat(64));
          assert.match(folder, /^[A-Za-z0-9+][A-Za-z0-9._+-]*$/, 'no leading dot or dash');
          assert.ok(!folder.includes('..'));
          assert.ok(folder.length <= 200);
          assert.equal(path.dirname(path.join(entries, folder)), entries);
        },
      ) as never,
      1000,
    ));
});
