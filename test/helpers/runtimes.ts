// The runtimes the cache scenarios run on: ovcache's own binding, and fromOpenvinoNode over
// the openvino-node conformance double (test/openvino-node/double/), both on the stand-in.
// OVCACHE_TEST_RUNTIME picks one for a whole mocha run and its child processes;
// test/openvino-node/scenarios.test.ts runs the cache scenario files again with the double.
import { fromOpenvinoNode, type OpenVINO, type RuntimeCore } from '../../lib/index';
import { createDoubleAddon } from '../openvino-node/double/addon';

export type CacheRuntimeId = 'ovcache' | 'openvino-node-double';

export interface CacheRuntime {
  id: CacheRuntimeId;
  name: string;
  /** Appended to suite titles: '' for ovcache's binding, so its titles stay as they were. */
  title: string;
  createCore(ov: OpenVINO): RuntimeCore;
}

export const CACHE_RUNTIMES: readonly CacheRuntime[] = [
  { id: 'ovcache', name: "ovcache's binding", title: '', createCore: (ov) => ov.createCore() },
  {
    id: 'openvino-node-double',
    name: 'fromOpenvinoNode over the openvino-node double',
    title: ', through fromOpenvinoNode over the openvino-node double',
    createCore: (ov) => fromOpenvinoNode(createDoubleAddon(ov)),
  },
];

export function runtimeById(id: string | undefined): CacheRuntime {
  const found = CACHE_RUNTIMES.find((r) => r.id === (id ?? 'ovcache'));
  if (!found) throw new Error(`unknown OVCACHE_TEST_RUNTIME ${id}; one of ${CACHE_RUNTIMES.map((r) => r.id).join(', ')}`);
  return found;
}

/** The runtime this process's tests use (OVCACHE_TEST_RUNTIME, default ovcache's binding). */
export function testRuntime(): CacheRuntime {
  return runtimeById(process.env.OVCACHE_TEST_RUNTIME);
}
