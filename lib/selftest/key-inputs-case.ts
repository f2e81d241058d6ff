// The cold path takes a model's inputs for its key from the IR .xml (lib/cache/ir-inputs.ts)
// instead of asking OpenVINO. A key may change only if those differ from what this runtime's
// readModel reports: this case compares them for every fixture model the scanner reads.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readIrInputs } from '../cache/ir-inputs';
import { formatPartialShape } from '../openvino/shapes';
import type { SelftestCase } from './case';

export const KEY_INPUTS_CASE: SelftestCase = {
  name: "reads each fixture's inputs from its .xml exactly as readModel reports them",
  async run({ ov, fixtures }) {
    using core = ov.createCore();
    let compared = 0;
    let fallbacks = 0;
    for (const file of fs
      .readdirSync(fixtures)
      .filter((f) => f.endsWith('.xml'))
      .sort()) {
      const xml = path.join(fixtures, file);
      const fromXml = await readIrInputs(xml);
      if (!('inputs' in fromXml)) {
        fallbacks++; // read with OpenVINO itself on the cold path: nothing to compare
        continue;
      }
      using model = await core.readModel(xml);
      const fromRuntime = model.inputs.map((p) => ({ name: p.name, shape: formatPartialShape(p.shape), elementType: p.elementType }));
      assert.deepEqual(fromXml.inputs, fromRuntime, `${file}: the .xml gives other inputs than readModel`);
      compared++;
    }
    assert.ok(compared > 0, `no fixture .xml in ${fixtures} was read`);
    return { compared, fallbacks };
  },
};
