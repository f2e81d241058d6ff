// The dynamicShapes and growthWarning options of ModelCache: checked and defaulted here.
import { expectIntegerInRange, expectPlainObject, invalidArgument, rejectUnknownOptions } from '../../openvino/validate';

/** Per input, per dimension index: the range a dynamic variant compiles that dimension for. */
export type DynamicBounds = Record<string, Record<number, [number, number]>>;

/**
 * 'auto': after 3 distinct static sizes of one model (same files, device, config), compile one
 * variant with the varying dimensions dynamic (bounded). 'never': every size is its own entry.
 * `{ after, bounds }`: 'auto' after N sizes, with the ranges given for the dimensions named.
 * Default: 'auto' on GPU devices, 'never' elsewhere (docs/caching.md, "Dynamic shapes").
 */
export type DynamicShapesOption = 'auto' | 'never' | { after?: number; bounds?: DynamicBounds };

/** A `growth` event when one model has more than `entries` entries (default 4); false: never. */
export type GrowthWarningOption = { entries?: number } | false;

export interface ResolvedDynamicShapes {
  /** 'device': the per-device default (see dynamicShapesFor). */
  mode: 'auto' | 'never' | 'device';
  after: number;
  bounds: DynamicBounds | undefined;
}

export const DEFAULT_DYNAMIC_AFTER = 3;
export const DEFAULT_GROWTH_ENTRIES = 4;

export function resolveDynamicShapes(value: unknown): ResolvedDynamicShapes {
  if (value === undefined) return { mode: 'device', after: DEFAULT_DYNAMIC_AFTER, bounds: undefined };
  if (value === 'auto' || value === 'never') return { mode: value, after: DEFAULT_DYNAMIC_AFTER, bounds: undefined };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument('"auto", "never" or { after, bounds }', 'options.dynamicShapes', value);
  const o = value as Record<string, unknown>;
  rejectUnknownOptions(o, ['after', 'bounds'], 'options.dynamicShapes');
  const after = o.after === undefined ? DEFAULT_DYNAMIC_AFTER : expectIntegerInRange(o.after, 'options.dynamicShapes.after', 1, 1000);
  return { mode: 'auto', after, bounds: o.bounds === undefined ? undefined : resolveBounds(o.bounds) };
}

function resolveBounds(value: unknown): DynamicBounds {
  const byInput = expectPlainObject(value, 'options.dynamicShapes.bounds');
  const out: DynamicBounds = {};
  for (const [input, dims] of Object.entries(byInput)) {
    const where = `options.dynamicShapes.bounds.${input}`;
    const byDim = expectPlainObject(dims, where);
    const resolved: Record<number, [number, number]> = {};
    for (const [dim, range] of Object.entries(byDim)) {
      if (!/^\d+$/.test(dim)) throw invalidArgument('dimension indexes (0, 1, ...) as keys', where, dim);
      const ok =
        Array.isArray(range) &&
        range.length === 2 &&
        range.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1) &&
        (range[0] as number) <= (range[1] as number);
      if (!ok) throw invalidArgument('[lo, hi] with 1 <= lo <= hi', `${where}.${dim}`, range);
      resolved[Number(dim)] = [range[0] as number, range[1] as number];
    }
    out[input] = resolved;
  }
  return out;
}

export function resolveGrowthWarning(value: unknown): number | null {
  if (value === undefined) return DEFAULT_GROWTH_ENTRIES;
  if (value === false) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument('{ entries } or false', 'options.growthWarning', value);
  const o = value as Record<string, unknown>;
  rejectUnknownOptions(o, ['entries'], 'options.growthWarning');
  return o.entries === undefined ? DEFAULT_GROWTH_ENTRIES : expectIntegerInRange(o.entries, 'options.growthWarning.entries', 1);
}

/**
 * Whether a device gets dynamic variants. The default is 'auto' on GPU devices (GPU, GPU.1):
 * a new static size there is a full kernel compile (up to 40 s), and 'never' elsewhere: a CPU
 * compile is cheap, and dynamic shapes cost at every inference.
 */
export function dynamicShapesFor(resolved: ResolvedDynamicShapes, device: string): boolean {
  if (resolved.mode === 'device') return /^GPU(\.\d+)*$/.test(device);
  return resolved.mode === 'auto';
}

/** A user's bound for a dimension that the given size lies outside of. */
export function outsideBounds(bounds: DynamicBounds | undefined, input: string, dim: number, size: number): boolean {
  const b = bounds?.[input]?.[dim];
  return b !== undefined && (size < b[0] || size > b[1]);
}
