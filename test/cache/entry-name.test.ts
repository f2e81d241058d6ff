import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  deviceLabel,
  entryName,
  inputsLabel,
  MAX_MODEL_LABEL,
  sanitizeLabel,
  shapeLabel,
  shortKeyOfEntryName,
} from '../../lib/cache/entry/name';
import { KEY_FORMAT, type KeyParts } from '../../lib/cache/key';

const SAFE = /^[A-Za-z0-9._+-]+$/;

describe('entry folder names', () => {
  it('are readable: model, shapes, device, short key', () => {
    const parts: KeyParts = {
      format: KEY_FORMAT,
      model: { name: 'resnet50', files: [] },
      inputs: [{ name: 'image', shape: '[1,3,224,224]', elementType: 'f32' }],
      device: { name: 'GPU.1', fullName: 'x' },
      config: {},
      runtime: { buildNumber: '2025.4.0' },
    };
    const key = '3f2a9c1e7b4d'.padEnd(64, '0');
    assert.equal(entryName(parts, key), 'resnet50-1x3x224x224-GPU.1-3f2a9c1e7b4d');
    assert.equal(shortKeyOfEntryName(entryName(parts, key)), '3f2a9c1e7b4d');
  });

  it('spell dynamic dimensions and ranks', () => {
    assert.equal(shapeLabel('[1,3,?,1..10]'), '1x3xNx1-10');
    assert.equal(shapeLabel('[2..,4]'), '2+x4');
    assert.equal(shapeLabel('?'), 'any');
    assert.equal(shapeLabel('[]'), 'scalar');
    assert.equal(
      inputsLabel([
        { name: 'a', shape: '[1,16]', elementType: 'f32' },
        { name: 'b', shape: '[1,8]', elementType: 'f32' },
      ]),
      '1x16_1x8',
    );
    assert.equal(deviceLabel('AUTO:GPU,CPU'), 'AUTO-GPU-CPU');
  });

  it('strip path tricks and control characters', () => {
    assert.equal(sanitizeLabel('../../etc/passwd', 48), 'etc_passwd');
    assert.equal(sanitizeLabel('a\\b/c\u0000d\n', 48), 'a_b_c_d');
    assert.equal(sanitizeLabel('...', 48), 'model');
    assert.equal(sanitizeLabel('x'.repeat(200), 48).length, 48);
  });

  it('are always safe and bounded (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const label = sanitizeLabel(name, MAX_MODEL_LABEL);
        assert.match(label, SAFE);
        assert.ok(!label.includes('..'));
        assert.ok(!label.startsWith('.') && !label.startsWith('-'));
        assert.ok(label.length <= MAX_MODEL_LABEL);
      }),
    );
  });
});
