// Which compile serves a static size asked for: its own static entry, the model's dynamic
// variant, or a new (or widened) variant. Pure: the memo goes in, the decision comes out.
import { outsideBounds, type DynamicBounds } from './options';
import type { ShapeMemo, StaticSizes, VariantDim, VariantShapes } from './shape-memo';

export interface PlanOptions {
  /** Whether variants are made for this device (dynamicShapes resolved for it). */
  enabled: boolean;
  after: number;
  bounds: DynamicBounds | undefined;
}

export interface Plan {
  /** The shapes to compile instead of the static size; null: the static size itself. */
  variant: VariantShapes | null;
  /** The key of the variant this one widens: its entry is removed once the new one is filled. */
  replaces: string | null;
  /** The memo was changed (a new size seen, a new variant): write it. */
  changed: boolean;
}

/** The same inputs with the same dimensions, in any order of the inputs (own names only). */
function sameSizes(a: StaticSizes, b: StaticSizes): boolean {
  const names = (s: StaticSizes) => Object.keys(s).filter((name) => s[name] !== undefined);
  const inA = names(a);
  return (
    inA.length === names(b).length &&
    inA.every((name) => {
      const x = a[name] as number[];
      const y = Object.hasOwn(b, name) ? b[name] : undefined;
      return y !== undefined && x.length === y.length && x.every((n, i) => n === y[i]);
    })
  );
}

/** Decides, and records the size in the memo (mutated). */
export function planSizes(memo: ShapeMemo, asked: StaticSizes, o: PlanOptions): Plan {
  const isNew = !memo.seen.some((s) => sameSizes(s, asked));
  if (isNew) memo.seen.push(asked);
  const stay: Plan = { variant: null, replaces: null, changed: isNew };
  if (!o.enabled) return stay;
  const current = memo.variant;
  if (current && covers(current.shapes, asked)) return { ...stay, variant: current.shapes };
  if (outsideUserBounds(asked, o.bounds)) return stay;
  if (current && sameInputs(current.shapes, asked)) {
    const widened = widen(current.shapes, asked, o.bounds);
    memo.variant = { shapes: widened, key: null };
    return { variant: widened, replaces: current.key, changed: true };
  }
  const alike = memo.seen.filter((s) => sameInputs(s, asked));
  if (!isNew || alike.length <= o.after) return stay;
  const shapes = variantOf(alike, o.bounds);
  memo.variant = { shapes, key: null };
  return { variant: shapes, replaces: null, changed: true };
}

/** Every input of the size lies within the variant's dimensions. */
export function covers(variant: VariantShapes, asked: StaticSizes): boolean {
  return (
    sameInputs(variant, asked) &&
    Object.entries(asked).every(([name, dims]) =>
      dims.every((n, i) => {
        const d = variant[name]?.[i] as VariantDim;
        return typeof d === 'number' ? d === n : n >= d[0] && n <= d[1];
      }),
    )
  );
}

/** The dimensions (input name, index) in which the sizes differ, with the values seen. */
export function varyingDims(sizes: StaticSizes[]): Array<{ input: string; dim: number; values: number[] }> {
  const first = sizes[0];
  if (!first) return [];
  const out: Array<{ input: string; dim: number; values: number[] }> = [];
  for (const [name, dims] of Object.entries(first)) {
    dims.forEach((_, i) => {
      const values = [...new Set(sizes.map((s) => s[name]?.[i]).filter((n): n is number => n !== undefined))].sort((a, b) => a - b);
      if (values.length > 1) out.push({ input: name, dim: i, values });
    });
  }
  return out;
}

function sameInputs(a: Record<string, unknown[]>, b: Record<string, unknown[]>): boolean {
  const names = Object.keys(b);
  return names.length === Object.keys(a).length && names.every((n) => a[n]?.length === b[n]?.length);
}

function outsideUserBounds(asked: StaticSizes, bounds: DynamicBounds | undefined): boolean {
  return Object.entries(asked).some(([name, dims]) => dims.some((n, i) => outsideBounds(bounds, name, i, n)));
}

function rangeFor(name: string, dim: number, lo: number, hi: number, bounds: DynamicBounds | undefined): [number, number] {
  return bounds?.[name]?.[dim] ?? [lo, hi];
}

/** The varying dimensions of the sizes become ranges (the user's bounds, else the sizes seen). */
function variantOf(sizes: StaticSizes[], bounds: DynamicBounds | undefined): VariantShapes {
  const shapes: VariantShapes = {};
  for (const [name, dims] of Object.entries(sizes[0] as StaticSizes)) {
    shapes[name] = dims.map((n, i) => {
      const values = sizes.map((s) => (s[name] as number[])[i] as number);
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      return lo === hi ? n : rangeFor(name, i, lo, hi, bounds);
    });
  }
  return shapes;
}

/**
 * The variant's dimensions stretched to take in the size, with room: a side that has to move
 * goes to the next power of two beyond the size (sizes that spread once tend to spread more;
 * each widening is a compile), never past the user's bounds.
 */
function widen(variant: VariantShapes, asked: StaticSizes, bounds: DynamicBounds | undefined): VariantShapes {
  const shapes: VariantShapes = {};
  for (const [name, dims] of Object.entries(variant)) {
    shapes[name] = dims.map((d, i) => {
      const n = (asked[name] as number[])[i] as number;
      const [lo, hi] = typeof d === 'number' ? [d, d] : d;
      if (n >= lo && n <= hi) return d;
      return rangeFor(name, i, n < lo ? powerOfTwoAtMost(n) : lo, n > hi ? powerOfTwoAtLeast(n) : hi, bounds);
    });
  }
  return shapes;
}

function powerOfTwoAtLeast(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

function powerOfTwoAtMost(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.floor(Math.log2(n));
}
