// The openvino-node conformance double: the parts of openvino-node's published `addon`
// (NodeAddon, test/openvino-node/published-types/addon.d.ts) that ovcache's adapter reaches,
// each class implementing its published interface in full (tsc checks it: a change in
// openvino-node's declarations fails `npm run build` and `npm run lint`), on top of ovcache's
// own binding and the stand-in runtime. What the double cannot do throws "Not Implemented".
import type { OpenVINO } from '../../../lib/index';
import { DoubleCore } from './core';
import type { Instance, ovn } from './published';
import { DoublePartialShape, DoubleTensor } from './tensor';

export interface DoubleAddon {
  Core: new () => Instance<ovn.Core>;
  Tensor: new (type: ovn.element | ovn.elementTypeString, shape: number[], tensorData?: ovn.SupportedTypedArray) => Instance<ovn.Tensor>;
  PartialShape: new (shape?: string) => Instance<ovn.PartialShape>;
  getOpenvinoVersion: ovn.NodeAddon['getOpenvinoVersion'];
  element: ovn.NodeAddon['element'];
}

/** openvino-node's runtime exports `element` as names (element.f32 === 'f32'), not the declared numbers. */
const ELEMENT = Object.fromEntries(['u8', 'u32', 'u16', 'u64', 'i8', 'i16', 'i32', 'i64', 'f32', 'f64', 'string'].map((n) => [n, n]));

/** A double whose every Core is a new Core of `ov` (the stand-in in tests). */
export function createDoubleAddon(ov: OpenVINO): DoubleAddon {
  class Core extends DoubleCore {
    constructor() {
      super(ov.createCore());
    }
  }
  return {
    Core,
    Tensor: DoubleTensor,
    PartialShape: DoublePartialShape,
    getOpenvinoVersion: () => ({
      buildNumber: ov.version.buildNumber,
      description: `${ov.version.description} (openvino-node conformance double)`,
    }),
    element: ELEMENT as unknown as ovn.NodeAddon['element'],
  };
}
