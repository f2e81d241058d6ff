// Every self-test case, in the order they run: the real-runtime cases, the key's inputs from the
// .xml, the cold/warm cache check, then the fidelity cases. `npm run test:openvino` and
// `ovcache selftest` both run this list.
import { COLD_WARM_CASE } from './cold-warm-case';
import { FIDELITY_CASES } from './fidelity-cases';
import { KEY_INPUTS_CASE } from './key-inputs-case';
import { RUNTIME_CASES } from './runtime-cases';
import type { SelftestCase } from './case';

export const SELFTEST_CASES: readonly SelftestCase[] = [...RUNTIME_CASES, KEY_INPUTS_CASE, COLD_WARM_CASE, ...FIDELITY_CASES];
