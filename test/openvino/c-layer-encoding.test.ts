// What the TypeScript layer hands the addon for the C layer (issue 10): shapes in the form
// ov_partial_shape_create accepts, pointer-valued properties and string tensors refused with a
// code before any native call. No runtime needed.
import assert from 'node:assert/strict';
import { canonicalPropertyValue, OvcacheError } from '../../lib/index';
import { toPropertyPairs } from '../../lib/openvino/properties';
import { checkReshapeable, fromNativeShape, parseShapeInput, toNativeShape } from '../../lib/openvino/shapes';
import { toNativeTensor } from '../../lib/openvino/tensor';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof OvcacheError, String(error));
    return error.code;
  }
  return undefined;
}

describe('C-layer encoding in the TypeScript layer', () => {
  it('sends "?" and -1 as [-1, -1], a lower bound as [n, -1], ranges and sizes as they are', () => {
    const shape = parseShapeInput('?,-1,1..8,4..,7', 'shapes.x');
    assert.deepEqual(toNativeShape(checkReshapeable(shape, 'x')), [
      [-1, -1],
      [-1, -1],
      [1, 8],
      [4, -1],
      [7, 7],
    ]);
  });

  it('a shape read from a port ([0,-1], [4,-1], [1,8]) encodes back to what reshape sends', () => {
    const read = fromNativeShape([
      [0, -1],
      [4, -1],
      [1, 8],
      [3, 3],
    ]);
    assert.deepEqual(read, [{ min: 0 }, { min: 4 }, { min: 1, max: 8 }, 3]);
    assert.deepEqual(toNativeShape(checkReshapeable(parseShapeInput(read, 'x'), 'x')), [
      [-1, -1],
      [4, -1],
      [1, 8],
      [3, 3],
    ]);
  });

  it('refuses a dynamic rank and a scalar with OVCACHE_SHAPE_UNSUPPORTED naming the input', () => {
    for (const input of [null, '...', [], '', '[]']) {
      const shape = parseShapeInput(input, 'shapes.image');
      assert.throws(
        () => checkReshapeable(shape, 'input "image"'),
        (e: OvcacheError) => e.code === 'OVCACHE_SHAPE_UNSUPPORTED' && e.message.includes('input "image"'),
        JSON.stringify(input),
      );
    }
  });

  it('refuses CACHE_ENCRYPTION_CALLBACKS (any case) with OVCACHE_PROPERTY_UNSUPPORTED', () => {
    assert.equal(
      code(() => toPropertyPairs({ CACHE_ENCRYPTION_CALLBACKS: 'x' })),
      'OVCACHE_PROPERTY_UNSUPPORTED',
    );
    assert.equal(
      code(() => canonicalPropertyValue('cache_encryption_callbacks', 'x')),
      'OVCACHE_PROPERTY_UNSUPPORTED',
    );
    assert.deepEqual(toPropertyPairs({ CACHE_MODE: 'OPTIMIZE_SIZE' }), ['CACHE_MODE', 'OPTIMIZE_SIZE']);
  });

  it('refuses string inputs with OVCACHE_ELEMENT_TYPE_UNSUPPORTED, never as bytes', () => {
    const port = { name: 'text', shape: [2], elementType: 'string' as const };
    assert.equal(
      code(() => toNativeTensor(port, new Uint8Array(2))),
      'OVCACHE_ELEMENT_TYPE_UNSUPPORTED',
    );
  });
});
