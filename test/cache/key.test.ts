import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalConfig } from '../../lib/cache/config-canon';
import { canonicalJson, deriveKey, diffKeyParts, describeKeyParts, KEY_FORMAT, type KeyParts } from '../../lib/cache/key';
import type { CompileConfig } from '../../lib/openvino/properties';
import { expectCode } from './helpers';

const base = (): KeyParts => ({
  format: KEY_FORMAT,
  model: {
    name: 'mlp',
    files: [
      { role: 'xml', sha256: 'a'.repeat(64), size: 100 },
      { role: 'bin', sha256: 'b'.repeat(64), size: 2000 },
    ],
  },
  inputs: [{ name: 'input', shape: '[1,16]', elementType: 'f32' }],
  device: { name: 'CPU', fullName: 'Some CPU' },
  config: { PERFORMANCE_HINT: 'LATENCY' },
  runtime: { buildNumber: '2025.4.0-20398' },
});

describe('cache keys', () => {
  it('canonical JSON sorts keys at every level and drops undefined', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('canonical JSON does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        assert.equal(canonicalJson(record), canonicalJson(reversed));
      }),
    );
  });

  it('is a 64-digit hex sha256 and is stable', () => {
    const key = deriveKey(base());
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(deriveKey(base()), key);
  });

  const changes: Array<[string, (p: KeyParts) => void]> = [
    ['.xml content', (p) => ((p.model.files[0] as { sha256: string }).sha256 = 'c'.repeat(64))],
    ['.bin content', (p) => ((p.model.files[1] as { sha256: string }).sha256 = 'd'.repeat(64))],
    ['model name', (p) => (p.model.name = 'other')],
    ['input shape', (p) => ((p.inputs[0] as { shape: string }).shape = '[2,16]')],
    ['input dynamic range', (p) => ((p.inputs[0] as { shape: string }).shape = '[1..8,16]')],
    ['input element type', (p) => ((p.inputs[0] as { elementType: string }).elementType = 'f16')],
    ['input name', (p) => ((p.inputs[0] as { name: string }).name = 'x')],
    ['device', (p) => (p.device.name = 'GPU')],
    ['device identity', (p) => (p.device.fullName = 'Another CPU')],
    ['device architecture', (p) => (p.device.architecture = 'v12')],
    ['config value', (p) => (p.config.PERFORMANCE_HINT = 'THROUGHPUT')],
    ['config key added', (p) => (p.config.NUM_STREAMS = '4')],
    ['runtime', (p) => (p.runtime.buildNumber = '2026.0.0-20500')],
  ];
  for (const [what, change] of changes) {
    it(`changes with the ${what}, and explains the change`, () => {
      const parts = base();
      change(parts);
      assert.notEqual(deriveKey(parts), deriveKey(base()));
      assert.ok(diffKeyParts(base(), parts).length > 0);
    });
  }

  it('names the differing part', () => {
    const parts = base();
    (parts.inputs[0] as { shape: string }).shape = '[4,16]';
    assert.deepEqual(diffKeyParts(base(), parts), [{ part: 'inputs.input.shape', before: '[1,16]', after: '[4,16]' }]);
  });

  it('describes each part on its own line', () => {
    const lines = describeKeyParts(base());
    assert.ok(lines.some((l) => l.includes('input') && l.includes('[1,16]') && l.includes('f32')));
    assert.ok(lines.some((l) => l.includes('PERFORMANCE_HINT=LATENCY')));
    assert.ok(lines.some((l) => l.includes('2025.4.0-20398')));
  });
});

describe('config canonicalization', () => {
  it('ignores key order and equivalent spellings', () => {
    const a = canonicalConfig({
      PERFORMANCE_HINT: 'latency',
      NUM_STREAMS: 4,
      ENABLE_MMAP: true,
      INFERENCE_PRECISION_HINT: 'F16',
    } as unknown as CompileConfig);
    const b = canonicalConfig({
      INFERENCE_PRECISION_HINT: 'f16',
      ENABLE_MMAP: 'YES',
      NUM_STREAMS: '4',
      PERFORMANCE_HINT: 'LATENCY',
    } as unknown as CompileConfig);
    assert.deepEqual(a, b);
    assert.equal(canonicalJson(a), canonicalJson(b));
  });

  it('leaves out CACHE_DIR and undefined values', () => {
    assert.deepEqual(canonicalConfig({ CACHE_DIR: '/x', PERFORMANCE_HINT: undefined }), {});
    assert.deepEqual(canonicalConfig(undefined), {});
  });

  it('rejects bad values with the standard message', async () => {
    await expectCode(
      () => canonicalConfig({ PERFORMANCE_HINT: 'FAST' as never }),
      'OVCACHE_INVALID_ARGUMENT',
      'Expected one of "LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT" for config.PERFORMANCE_HINT but received "FAST" of type string',
    );
  });
});
