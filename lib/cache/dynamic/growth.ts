// The `growth` event: one model (same files, device, config) holds more entries than the
// threshold. It names the dimensions its sizes differ in and the option that would stop it.
import { varyingDims } from './plan';
import type { ShapeMemo } from './shape-memo';

/** A dimension in which a model's sizes differ. */
export interface VaryingDim {
  /** The input's name. */
  input: string;
  /** The dimension's index in the input's shape. */
  dim: number;
  /** The sizes seen in it, ascending. */
  values: number[];
}

/** ModelCache's `growth` event: one model went over growthWarning's entries. */
export interface GrowthEvent {
  /** The model path (as the hit/miss/compile events name it). */
  model: string;
  /** The model's name (the file's base name), as entry folders are named. */
  modelName: string;
  /** The device string compiled for. */
  device: string;
  /** Entries of this model now. */
  entries: number;
  /** The growthWarning threshold it went over. */
  threshold: number;
  /** The dimensions the model's sizes differ in. */
  varyingDims: VaryingDim[];
  /** The option that would stop the growth, e.g. "dynamicShapes: 'auto'". */
  suggestion: string;
  /** A readable line, as logged under DEBUG=ovcache:cache. */
  message: string;
}

export function growthEvent(memo: ShapeMemo, where: { model: string; device: string }, threshold: number, dynamicOn: boolean): GrowthEvent {
  const varying = varyingDims(memo.seen);
  const dims = varying.map((v) => `${v.input}[${v.dim}] (${v.values.join(', ')})`).join(', ');
  const suggestion = !dynamicOn
    ? "dynamicShapes: 'auto'"
    : 'dynamicShapes: { bounds } wide enough for the sizes used, or weightless: true to keep each entry small';
  const why = dims ? `, its sizes differing in ${dims}` : '';
  const message = `model ${memo.model} on ${where.device} has ${memo.entries.length} cache entries (more than ${threshold})${why}: set ${suggestion}`;
  return {
    model: where.model,
    modelName: memo.model,
    device: where.device,
    entries: memo.entries.length,
    threshold,
    varyingDims: varying,
    suggestion,
    message,
  };
}
