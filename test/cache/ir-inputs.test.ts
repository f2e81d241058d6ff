// A model's inputs read from its IR .xml (lib/cache/ir-inputs.ts) against the stand-in's
// readModel: the same name, element type and shape for every fixture model and the ones the
// tests write, so a key never changes; a cold compile reads the model once (OpenVINO's own
// compile) instead of twice; a cache filled while keys came from readModel is a hit now; and
// hostile or unusual XML falls back to readModel, quickly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { IR_INPUTS_LIMITS, irInputsOfText, readIrInputs } from '../../lib/cache/ir-inputs';
import type { InputIdentity } from '../../lib/cache/key';
import { loadOpenVINO, ModelCache, type Core, type OpenVINO } from '../../lib/index';
import { formatPartialShape } from '../../lib/openvino/shapes';
import { IrWriter } from '../../lib/selftest/ir-writer';
import { writeAll, writeImageWeightsModel, writeShapedModel, writeStringOutputModel, writeWeightsModel } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, STAND_IN } from '../helpers/paths';
import { countEvents } from './helpers';

/** input "x" of `elementType` with `shape` text and tensor `names` -> Relu -> Result. */
function writeNamed(dir: string, name: string, names: string, shape = '2,4', elementType = 'f32') {
  const ir = new IrWriter(name);
  const p = ir.parameter('layer_x', [2, 4], { names, shape, elementType });
  const r = ir.op('Relu', 'relu', [p], [2, 4], undefined, 'y');
  ir.op('Result', 'y/sink', [r], [2, 4]);
  return ir.write(dir, name);
}

const NET = (layers: string, version = '11') =>
  `<?xml version="1.0"?>\n<net name="m" version="${version}">\n<layers>\n${layers}</layers>\n<edges/>\n</net>\n`;
const PARAM = (names: string, shape = '1,2', et = 'f32') =>
  `<layer id="0" name="p" type="Parameter" version="opset1"><data shape="${shape}" element_type="${et}"/>` +
  `<output><port id="0" precision="FP32" names="${names}"><dim>1</dim></port></output></layer>\n`;

describe('model inputs from the IR .xml', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  const saved = { ...IR_INPUTS_LIMITS };
  const savedLog = process.env.OV_STUB_LOG;

  const viaReadModel = async (xml: string): Promise<InputIdentity[]> => {
    const model = await core.readModel(xml);
    try {
      return model.inputs.map((p) => ({ name: p.name, shape: formatPartialShape(p.shape), elementType: p.elementType }));
    } finally {
      model.dispose();
    }
  };

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
    core = ov.createCore();
  });
  after(() => core.dispose());
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => {
    Object.assign(IR_INPUTS_LIMITS, saved);
    if (savedLog === undefined) delete process.env.OV_STUB_LOG;
    else process.env.OV_STUB_LOG = savedLog;
    removeDir(tmp);
  });

  it('gives exactly what readModel gives for every fixture model and the models the tests write', async () => {
    const models = [
      ...writeAll(tmp),
      writeWeightsModel(tmp, 4096),
      writeImageWeightsModel(tmp, 4096),
      writeStringOutputModel(tmp),
      writeShapedModel(tmp, '1..8,?', 'range-and-dynamic'),
      writeShapedModel(tmp, '..5,-1,3..', 'open-ranges'),
      writeShapedModel(tmp, '6..6,0..', 'degenerate-ranges'),
      writeShapedModel(tmp, '', 'scalar'),
      writeNamed(tmp, 'several-names', 'zeta,alpha,Beta'),
      writeNamed(tmp, 'unicode-names', '\u00e9t\u00e9,\u{1F600}x,\uFB01n'),
      writeNamed(tmp, 'entity-names', 'a&amp;b,&#x7A;z'),
      writeNamed(tmp, 'u8-input', 'pixels', '1,3', 'u8'),
    ];
    let fromXml = 0;
    for (const { xml } of models) {
      const result = await readIrInputs(xml);
      const expected = await viaReadModel(xml);
      if ('inputs' in result) {
        fromXml++;
        assert.deepEqual(result.inputs, expected, path.basename(xml));
      } else {
        // only the model whose input has no tensor name is left to readModel
        assert.match(path.basename(xml), /^unnamed-input/, `${path.basename(xml)}: ${result.fallback}`);
      }
    }
    assert.equal(fromXml, models.length - 1);
  });

  it('reads the .xml alone: the same inputs with the .bin gone', async () => {
    const { xml, bin } = writeImageWeightsModel(tmp, 4096, 'xml-alone');
    const expected = await viaReadModel(xml);
    fs.rmSync(bin);
    assert.deepEqual(await readIrInputs(xml), { inputs: expected });
  });

  it('a cold compile reads the model once (OpenVINO compiling it), not once more for the key', async () => {
    const { xml } = writeWeightsModel(tmp, 4096, 'cold');
    const log = path.join(tmp, 'stub.log');
    process.env.OV_STUB_LOG = log;
    const cache = new ModelCache({ core, dir: path.join(tmp, 'cache') });
    const r = await cache.compile(xml, { device: 'CPU' });
    assert.equal(r.hit, false);
    assert.equal(countEvents(log, 'read_model'), 1);
    r.compiled.dispose();
    await cache.dispose();
  });

  it('a cache filled while the inputs came from readModel is a hit, with no model read', async () => {
    const { xml } = writeImageWeightsModel(tmp, 4096, 'filled-before');
    const dir = path.join(tmp, 'cache');
    const log = path.join(tmp, 'stub.log');
    process.env.OV_STUB_LOG = log;
    IR_INPUTS_LIMITS.maxXmlBytes = 0; // every .xml over the cap: the key's inputs come from readModel, as before
    const before = new ModelCache({ core, dir });
    const filled = await before.compile(xml, { device: 'CPU' });
    assert.equal(filled.hit, false);
    assert.equal(countEvents(log, 'read_model'), 2, 'readModel for the key, then the compile');
    filled.compiled.dispose();
    await before.dispose();
    // A restart that lost the inputs memo too: the XML read alone must give the same key.
    const fingerprints = fs.readdirSync(dir, { recursive: true }).map(String);
    for (const memo of fingerprints.filter((f) => path.basename(f).startsWith('inputs-'))) fs.rmSync(path.join(dir, memo));
    Object.assign(IR_INPUTS_LIMITS, saved);
    fs.rmSync(log);
    const after = new ModelCache({ core, dir });
    const warm = await after.compile(xml, { device: 'CPU' });
    assert.equal(warm.hit, true);
    assert.equal(warm.key, filled.key);
    assert.equal(countEvents(log, 'read_model'), 0);
    warm.compiled.dispose();
    await after.dispose();
  });

  describe('falls back to readModel', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['IR v10 (layer names become tensor names)', NET(PARAM('x'), '10'), /IR version 10/],
      ['a parameter without names', NET(PARAM('')), /without tensor names/],
      ['names with an escaped comma', NET(PARAM('a\\,b')), /escapes/],
      ['names with whitespace', NET(PARAM('a b')), /whitespace/],
      ['an empty name field', NET(PARAM('a,,b')), /empty fields/],
      ['a dynamic element type', NET(PARAM('x', '1', 'dynamic')), /element type dynamic/],
      ['a shape in brackets', NET(PARAM('x', '[1,2]')), /plain grammar/],
      ['an empty range', NET(PARAM('x', '5..2')), /empty dimension range/],
      ['a dimension over 2^53', NET(PARAM('x', '9007199254740993')), /dimension over/],
      ['a lower-case parameter type', NET(PARAM('x').replace('"Parameter"', '"parameter"')), /spelled parameter/],
      [
        'an old_api_map attribute',
        NET(PARAM('x').replace('<output>', '<rt_info><attribute name="old_api_map_order" version="0" value="0"/></rt_info><output>')),
        /old_api_map/,
      ],
      ['a root that is not <net>', '<model version="11"><layers/></model>', /not <net>/],
      ['a parse error', NET(PARAM('x')).replace('</layers>', '</layer>'), /mismatched end tag/],
      ['an unknown entity', NET(PARAM('&ent;')), /entity other than/],
      ['a truncated file', NET(PARAM('x')).slice(0, 80), /unclosed|malformed/],
      [
        'a second <layers> section (upstream reads the first only)',
        NET(PARAM('x')).replace('</layers>', `</layers>\n<layers>\n${PARAM('y')}</layers>`),
        /more than one <layers>/,
      ],
      ['a surrogate character reference', NET(PARAM('a&#xD800;,b')), /surrogate/],
      [
        'an encoding other than UTF-8',
        NET(PARAM('x')).replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'),
        /encoding ISO-8859-1/,
      ],
    ];
    for (const [what, text, reason] of cases) {
      it(what, async () => {
        const xml = path.join(tmp, 'm.xml');
        fs.writeFileSync(xml, text);
        const result = await readIrInputs(xml);
        assert.ok('fallback' in result, JSON.stringify(result));
        assert.match(result.fallback, reason);
      });
    }

    it('bytes that are not UTF-8 (OpenVINO compares them raw)', async () => {
      const xml = path.join(tmp, 'latin.xml');
      const [before, after] = NET(PARAM('MARK')).split('MARK') as [string, string];
      fs.writeFileSync(xml, Buffer.concat([Buffer.from(before), Buffer.from([0x80]), Buffer.from(`,b${after}`)]));
      const result = await readIrInputs(xml);
      assert.ok('fallback' in result, JSON.stringify(result));
      assert.match(result.fallback, /UTF-8/);
    });

    it('a scan that needs more memory than its worker may have ends the worker, not this process', async () => {
      IR_INPUTS_LIMITS.scanHeapMb = 16;
      const xml = path.join(tmp, 'refs.xml');
      fs.writeFileSync(xml, NET(PARAM('&#x41;'.repeat(3_000_000))));
      const result = await readIrInputs(xml);
      assert.ok('fallback' in result, JSON.stringify(result).slice(0, 200));
      assert.match(result.fallback, /memory limit/);
    });

    it('an .xml over the size cap, without reading it', async () => {
      const xml = path.join(tmp, 'big.xml');
      fs.writeFileSync(xml, NET(PARAM('x')));
      fs.truncateSync(xml, IR_INPUTS_LIMITS.maxXmlBytes + 1); // sparse: never read
      const result = await readIrInputs(xml);
      assert.ok('fallback' in result);
      assert.match(result.fallback, /over \d+ bytes/);
    });

    it('entity expansion (a DOCTYPE defining entities) is refused, never expanded', async () => {
      const lol = [
        '<!DOCTYPE net [<!ENTITY a "aaaaaaaaaa">',
        ...Array.from({ length: 9 }, (_, i) => `<!ENTITY e${i + 1} "${`&${i === 0 ? 'a' : `e${i}`};`.repeat(10)}">`),
        ']>',
      ].join('\n');
      const xml = path.join(tmp, 'lol.xml');
      fs.writeFileSync(xml, `<?xml version="1.0"?>\n${lol}\n${NET(PARAM('&e9;')).replace(/^<\?xml[^>]*>\n/, '')}`);
      const result = await readIrInputs(xml);
      assert.ok('fallback' in result);
      assert.match(result.fallback, /DOCTYPE/);
    });

    it('deep nesting is refused at the depth limit, without recursion', () => {
      const depth = 200_000;
      const text = `<net version="11">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</net>`;
      assert.throws(() => irInputsOfText(text), /nested deeper than 64/);
    });

    it('a huge attribute within the cap is read in linear time (returns within 5 s)', async () => {
      const names = Array.from({ length: 400_000 }, (_, i) => `n${i}`).join(',');
      const xml = path.join(tmp, 'huge.xml');
      fs.writeFileSync(
        xml,
        NET(PARAM(names) + `<layer id="1" name="r" type="Result" version="opset1"><data junk="${'j'.repeat(8_000_000)}"/></layer>\n`),
      );
      const t = Date.now();
      const result = await readIrInputs(xml);
      assert.ok(Date.now() - t < 5000, 'returns within 5 s');
      assert.ok('inputs' in result, JSON.stringify(result).slice(0, 200));
      assert.equal(result.inputs[0]?.name, 'n0');
    });
  });
});
