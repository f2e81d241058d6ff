// The double as a module shaped like openvino-node (`require(x).addon`), for the CLI tests:
// OVCACHE_OPENVINO_NODE=<this file> makes doctor and bench --compare find it.
import { loadOpenVINOSync } from '../../../lib/index';
import { STAND_IN } from '../../helpers/paths';
import { createDoubleAddon } from './addon';

export const addon = createDoubleAddon(loadOpenVINOSync({ libraryPath: STAND_IN }));
