// Compile-time conformance (tsc checks this file in `npm run build` and `npm run lint`):
// openvino-node's published NodeAddon must be assignable to what ovcache's adapter calls, and
// so must the double. A change in openvino-node's declarations that the adapter depends on
// fails here; one the double does not follow fails in the double's `implements` clauses.
import type { OpenvinoNodeAddon } from '../../lib/index';
import type { DoubleAddon } from './double/addon';
import type { ovn } from './double/published';

type Assignable<From, To> = [From] extends [To] ? true : never;

/** openvino-node's own addon fits the adapter. */
export const publishedFitsAdapter: Assignable<ovn.NodeAddon, OpenvinoNodeAddon> = true;
/** The double fits the adapter too, so tests run the adapter unchanged. */
export const doubleFitsAdapter: Assignable<DoubleAddon, OpenvinoNodeAddon> = true;
/** The double's classes construct what openvino-node's do. */
export const doubleConstructsPublished: Assignable<InstanceType<DoubleAddon['Core']>, Pick<ovn.Core, keyof ovn.Core>> = true;
