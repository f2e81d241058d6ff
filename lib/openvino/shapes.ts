// Partial shapes: what users write, what OpenVINO reports, and one canonical text form
// ("[1,3,?,1..10]") used in messages, cache keys and folder names.
import type { NativeDimension } from '../runtime/native-binding';
import { OvcacheError } from '../errors';
import { invalidArgument } from './validate';

/** A static size, or a range: { min: 0 } is fully dynamic ("?"), { min, max } is bounded. */
export type Dimension = number | { min: number; max?: number };
/** null is a shape of dynamic rank. */
export type PartialShape = Dimension[] | null;

/** What reshape accepts per dimension: n, -1 or "?", [min, max] (max -1 = unbounded), {min,max?}, "a..b". */
export type DimensionInput = number | string | [number, number] | { min: number; max?: number };
/**
 * A whole shape: an array of DimensionInput or text such as "1,3,224,224" or "1,3,?,1..10".
 * null (or "...") is a dynamic rank, which reshape() refuses (see checkReshapeable).
 */
export type ShapeInput = DimensionInput[] | string | null;

const MAX_DIM = 2 ** 53 - 1;

export function fromNativeShape(shape: NativeDimension[] | null): PartialShape {
  if (shape === null) return null;
  return shape.map(([min, max]) => {
    if (min === max && min >= 0) return min;
    const low = Math.max(0, min);
    return max < 0 ? { min: low } : { min: low, max };
  });
}

/**
 * [n, n] static, [-1, -1] fully dynamic, [min, max] bounded, [min, -1] a lower bound only (the
 * addon passes that one as {min, INT64_MAX}, which upstream's check_dimension accepts).
 */
export function toNativeShape(shape: Dimension[]): NativeDimension[] {
  return shape.map((d) => {
    if (typeof d === 'number') return [d, d];
    if (d.max === undefined) return d.min === 0 ? [-1, -1] : [d.min, -1];
    return [d.min, d.max];
  });
}

/**
 * Refuses, with OVCACHE_SHAPE_UNSUPPORTED naming the input, the shapes OpenVINO's C API cannot
 * reshape to: ov_partial_shape_create refuses rank <= 0, and ov_model_reshape turns a dynamic
 * rank (or rank 0) into ONE dynamic dimension (src/bindings/c/src/ov_partial_shape.cpp,
 * ov_model.cpp), so a scalar and a dynamic rank cannot be asked for.
 */
export function checkReshapeable(shape: PartialShape, name: string): Dimension[] {
  if (shape === null) {
    throw new OvcacheError(
      'OVCACHE_SHAPE_UNSUPPORTED',
      `Cannot reshape ${name} to a dynamic rank: OpenVINO's C API has no way to ask for one (it would become [?])`,
    );
  }
  if (shape.length === 0) {
    throw new OvcacheError(
      'OVCACHE_SHAPE_UNSUPPORTED',
      `Cannot reshape ${name} to a scalar ([]): OpenVINO's C API refuses partial shapes of rank 0`,
    );
  }
  return shape;
}

export function formatDimension(d: Dimension): string {
  if (typeof d === 'number') return String(d);
  if (d.max === undefined) return d.min === 0 ? '?' : `${d.min}..`;
  return `${d.min}..${d.max}`;
}

export function formatPartialShape(shape: PartialShape): string {
  return shape === null ? '?' : `[${shape.map(formatDimension).join(',')}]`;
}

export function isStaticShape(shape: PartialShape): shape is number[] {
  return shape !== null && shape.every((d) => typeof d === 'number');
}

/** Parses one reshape entry (null for a dynamic rank); `name` is used in error messages. */
export function parseShapeInput(input: unknown, name: string): PartialShape {
  let parts: unknown[];
  if (input === null || (typeof input === 'string' && input.trim() === '...')) return null;
  if (typeof input === 'string') {
    const text = input.trim().replace(/^\[|\]$/g, '');
    parts = text === '' ? [] : text.split(',').map((s) => s.trim());
  } else if (Array.isArray(input)) {
    parts = input;
  } else {
    throw invalidArgument('a shape (array of dimensions or text like "1,3,224,224")', name, input);
  }
  return parts.map((part, i) => parseDimension(part, `${name}[${i}]`));
}

function parseDimension(value: unknown, name: string): Dimension {
  const what = 'a dimension (integer >= 0, -1 or "?", [min, max] or "min..max")';
  if (typeof value === 'number') {
    if (value === -1) return { min: 0 };
    if (Number.isInteger(value) && value >= 0 && value <= MAX_DIM) return value;
    throw invalidArgument(what, name, value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '?' || text === '-1') return { min: 0 };
    if (/^\d+$/.test(text)) return parseDimension(Number(text), name);
    const range = /^(\d*)\.\.(\d*|\?)$/.exec(text);
    if (range) {
      const min = range[1] ? Number(range[1]) : 0;
      const max = range[2] && range[2] !== '?' ? Number(range[2]) : undefined;
      return checkedRange(min, max, name, value, what);
    }
    throw invalidArgument(what, name, value);
  }
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
    const [min, max] = value as [number, number];
    return checkedRange(min, max === -1 ? undefined : max, name, value, what);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { min, max } = value as { min?: unknown; max?: unknown };
    if (typeof min === 'number' && (max === undefined || typeof max === 'number')) {
      return checkedRange(min, max === -1 ? undefined : max, name, value, what);
    }
  }
  throw invalidArgument(what, name, value);
}

function checkedRange(min: number, max: number | undefined, name: string, raw: unknown, what: string): Dimension {
  const ok =
    Number.isInteger(min) && min >= 0 && min <= MAX_DIM && (max === undefined || (Number.isInteger(max) && max >= min && max <= MAX_DIM));
  if (!ok) throw invalidArgument(what, name, raw);
  if (max === min) return min;
  return max === undefined ? { min } : { min, max };
}
