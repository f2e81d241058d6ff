// openvino-node's values in ovcache's terms: property values (OVAny) as the text ovcache's
// getProperty returns, CompileConfig as an openvino-node config, its PartialShape text and
// element type names as ovcache's PartialShape and ElementType.
import { OvcacheError } from '../../errors';
import type { PortInfo } from '../../openvino/port';
import { toPropertyPairs, type CompileConfig } from '../../openvino/properties';
import { parseShapeInput, type PartialShape } from '../../openvino/shapes';
import type { ElementType } from '../../openvino/tensor';
import { describeValue } from '../../openvino/validate';
import type { OpenvinoNodeOutput, OpenvinoNodeValue } from './addon-types';

/**
 * An OVAny as ovcache's property text: booleans YES/NO (as the C API spells them), numbers in
 * decimal, lists space-separated (as OPTIMIZATION_CAPABILITIES reads through the C API).
 */
export function propertyText(value: unknown, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'YES' : 'NO';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(' ');
  throw new OvcacheError(
    'OVCACHE_PROPERTY_UNSUPPORTED',
    `openvino-node returned ${describeValue(value)} for property ${key}, which ovcache cannot read as text`,
  );
}

/** A CompileConfig as openvino-node takes it: the same canonical strings the C API gets. */
export function toOpenvinoNodeConfig(config: CompileConfig | undefined): Record<string, OpenvinoNodeValue> {
  const pairs = toPropertyPairs(config);
  const out: Record<string, OpenvinoNodeValue> = {};
  for (let i = 0; i < pairs.length; i += 2) out[pairs[i] as string] = pairs[i + 1] as string;
  return out;
}

/** OpenVINO's PartialShape text ("[1,3,?,16..128]", "[...]") as ovcache's PartialShape. */
export function parseOpenVINOShapeText(text: string): PartialShape {
  const trimmed = text.trim();
  if (trimmed === '[...]' || trimmed === '...') return null;
  try {
    return parseShapeInput(trimmed, 'shape');
  } catch (error) {
    throw new OvcacheError('OVCACHE_SHAPE_UNSUPPORTED', `Cannot read openvino-node's partial shape "${text}"`, { cause: error });
  }
}

const ELEMENT_TYPES: ReadonlySet<string> = new Set<ElementType>([
  'dynamic',
  'boolean',
  'bf16',
  'f16',
  'f32',
  'f64',
  'i4',
  'i8',
  'i16',
  'i32',
  'i64',
  'u1',
  'u2',
  'u3',
  'u4',
  'u6',
  'u8',
  'u16',
  'u32',
  'u64',
  'nf4',
  'f8e4m3',
  'f8e5m2',
  'string',
  'f4e2m1',
  'f8e8m0',
  'undefined',
]);

/** The order of openvino-node's declared `element` enum, for a runtime that returns its numbers. */
const DECLARED_ENUM: readonly ElementType[] = ['u8', 'u32', 'u16', 'u64', 'i8', 'i16', 'i32', 'i64', 'f32', 'f64', 'string'];

/** An element type as openvino-node reports it (its name, or its declared enum number). */
export function elementTypeOf(value: unknown): ElementType {
  const name = typeof value === 'number' ? DECLARED_ENUM[value] : typeof value === 'string' ? value.toLowerCase() : undefined;
  if (name === 'bool') return 'boolean';
  if (name !== undefined && ELEMENT_TYPES.has(name)) return name as ElementType;
  throw new OvcacheError(
    'OVCACHE_ELEMENT_TYPE_UNSUPPORTED',
    `openvino-node reported element type ${describeValue(value)}, which ovcache does not know`,
  );
}

/** A port's tensor name; '' when it has none (OpenVINO's get_any_name throws then). */
function anyNameOf(output: OpenvinoNodeOutput): string {
  try {
    return output.anyName;
  } catch {
    return '';
  }
}

export function portOf(output: OpenvinoNodeOutput, elementType: ElementType): PortInfo {
  return { name: anyNameOf(output), shape: parseOpenVINOShapeText(output.getPartialShape().toString()), elementType };
}
