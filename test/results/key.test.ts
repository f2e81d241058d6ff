import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ResultCache } from '../../lib/index';
import { canonicalJsonStrict } from '../../lib/results/canonical';
import { makeTempDir, removeDir } from '../helpers/paths';

describe('result keys', () => {
  let dir: string;
  let cache: ResultCache;
  before(() => {
    dir = makeTempDir('ovcache-results-key-');
    cache = new ResultCache({ dir });
  });
  after(async () => {
    await cache.close();
    removeDir(dir);
  });

  it('ignores key order and number spelling in params', () => {
    const a = cache.keyFor({ model: 'sd', params: { prompt: 'a cat', steps: 40, cfg: 7.5, size: { w: 1024, h: 1024 } } });
    const b = cache.keyFor({ model: 'sd', params: { size: { h: 1024.0, w: 1e3 + 24 }, cfg: 7.5, steps: 4e1, prompt: 'a cat' } });
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(cache.keyFor({ model: 'm', params: { x: -0 } }), cache.keyFor({ model: 'm', params: { x: 0 } }));
  });

  it('changes with every part: model, any param, any input byte, element type, shape', () => {
    const input = new Float32Array([1, 2, 3, 4]);
    const base = { model: 'sd-v1', params: { seed: 7 }, inputs: { x: { data: input, shape: [2, 2] } } };
    const keys = [
      cache.keyFor(base),
      cache.keyFor({ ...base, model: 'sd-v2' }),
      cache.keyFor({ ...base, params: { seed: 8 } }),
      cache.keyFor({ ...base, params: { seed: 7, scheduler: 'ddim' } }),
      cache.keyFor({ ...base, inputs: { x: { data: new Float32Array([1, 2, 3, 5]), shape: [2, 2] } } }),
      cache.keyFor({ ...base, inputs: { x: { data: input, shape: [4, 1] } } }),
      cache.keyFor({ ...base, inputs: { x: { data: new Int32Array(input.buffer), shape: [2, 2] } } }),
      cache.keyFor({ ...base, inputs: { y: { data: input, shape: [2, 2] } } }),
    ];
    assert.equal(new Set(keys).size, keys.length);
  });

  it('keys inputs by content, not by the array object', () => {
    const a = cache.keyFor({ model: 'm', inputs: { x: new Float32Array([1, 2]) } });
    const b = cache.keyFor({ model: 'm', inputs: { x: new Float32Array([1, 2]).subarray(0) } });
    const big = new Float32Array([0, 1, 2, 0]);
    const c = cache.keyFor({ model: 'm', inputs: { x: { data: big.subarray(1, 3), shape: [2], elementType: 'f32' } } });
    assert.equal(a, b);
    assert.equal(a, c);
  });

  it('property: equal data in any key order gives one key; different data another', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (params) => {
        const reversed = Object.fromEntries(Object.entries(params).reverse());
        assert.equal(cache.keyFor({ model: 'm', params }), cache.keyFor({ model: 'm', params: reversed }));
        assert.notEqual(cache.keyFor({ model: 'm', params }), cache.keyFor({ model: 'm', params: { ...params, '\u0000extra': 1 } }));
      }),
    );
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['undefined', { a: { b: undefined } }, /params\.a\.b is undefined/],
    ['NaN', { steps: NaN }, /params\.steps is NaN/],
    ['Infinity', { list: [1, Infinity] }, /params\.list\[1\] is Infinity/],
    ['a function', { cb: () => 1 }, /params\.cb is a function/],
    ['a symbol', { s: Symbol('x') }, /params\.s is a symbol/],
    ['a bigint', { n: 10n }, /params\.n is a bigint \(10n\)/],
    ['a Date', { when: new Date(0) }, /params\.when is a Date object/],
    ['an array hole', { a: [1, , 3] }, /params\.a\[1\] is undefined/], // eslint-disable-line no-sparse-arrays
    ['a quoted path', { 'a b': NaN }, /params\["a b"\] is NaN/],
  ];
  for (const [what, params, message] of refused) {
    it(`refuses ${what} in params with OVCACHE_RESULT_PARTS_INVALID naming the path`, () => {
      assert.throws(
        () => cache.keyFor({ model: 'm', params }),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'OVCACHE_RESULT_PARTS_INVALID');
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }

  it('refuses cycles but accepts the same object twice', () => {
    const shared = { x: 1 };
    assert.doesNotThrow(() => cache.keyFor({ model: 'm', params: { a: shared, b: shared } }));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    assert.throws(() => cache.keyFor({ model: 'm', params: cyclic }), /params\.self\.back is a reference back.*cycle/);
  });

  it('refuses a missing model and bad input tensors', () => {
    assert.throws(() => cache.keyFor({ model: '' }), { code: 'OVCACHE_RESULT_PARTS_INVALID' });
    assert.throws(() => cache.keyFor({ model: 'm', inputs: { x: [1, 2] as unknown as Float32Array } }), {
      code: 'OVCACHE_RESULT_PARTS_INVALID',
      message: /inputs\.x/,
    });
    assert.throws(() => cache.keyFor({ model: 'm', inputs: { x: { data: new Float32Array(4), shape: [3] } } }), {
      code: 'OVCACHE_RESULT_PARTS_INVALID',
      message: /shape \[3\] \(3 elements\) but 4 elements/,
    });
    assert.throws(() => cache.keyFor({ model: 'm', inputs: { x: { data: new Float32Array(4), shape: [4], elementType: 'i32' } } }), {
      code: 'OVCACHE_RESULT_PARTS_INVALID',
      message: /Expected a Int32Array/,
    });
  });

  it('explain() shows the parts a key was made of', () => {
    const key = cache.keyFor({ model: 'sd', params: { seed: 1, prompt: 'x' }, inputs: { t: new Uint8Array([1]) } });
    const e = cache.explain(key);
    assert.equal(e.parts?.model, 'sd');
    assert.equal(e.parts?.params, '{"prompt":"x","seed":1}');
    assert.deepEqual(
      e.parts?.inputs.map((i) => [i.name, i.elementType, i.shape]),
      [['t', 'u8', [1]]],
    );
    assert.ok(e.lines.some((l) => l.startsWith('params    {"prompt":"x","seed":1}')));
    assert.throws(() => cache.explain('nope'), { code: 'OVCACHE_RESULT_KEY_INVALID' });
  });

  it('canonical JSON of metadata round-trips through JSON.parse', () => {
    const text = canonicalJsonStrict({ b: [1, 'x', null, true], a: { c: 1.5 } }, 'meta', 'OVCACHE_RESULT_VALUE_INVALID');
    assert.equal(text, '{"a":{"c":1.5},"b":[1,"x",null,true]}');
  });
});
