// The compile config as the key sees it: OpenVINO's own spellings (canonicalPropertyValue),
// keys sorted, undefined dropped, CACHE_DIR left out (ModelCache chooses it per entry).
import { toPropertyPairs, type CompileConfig } from '../openvino/properties';

export function canonicalConfig(config: CompileConfig | undefined): Record<string, string> {
  const pairs = toPropertyPairs(config);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const key = pairs[i] as string;
    if (key === 'CACHE_DIR') continue;
    out[key] = pairs[i + 1] as string;
  }
  return out;
}
