// The inputs of a model after a reshape, memoized by the .xml's digest, the requested shapes and
// the runtime build, so that a warm start with `shapes` builds its key without reading the model.
// Sound because the reshaped inputs follow from the .xml's content, the shapes and the runtime's
// shape inference alone (the .bin holds only weights).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { writeFileAtomic } from '../../fs/atomic-write';
import { logger } from '../../log';
import { formatPartialShape, parseShapeInput, type Dimension, type ShapeInput } from '../../openvino/shapes';
import type { InputIdentity } from '../key';

const log = logger('cache');

const RESHAPED_MEMO_FORMAT = 1;
const MAX_MEMOS = 4096;

export interface ReshapedInputsOptions {
  /** Folder for memo files, or undefined while none may be read or written. */
  memoDir(): string | undefined;
  writeMemo: boolean;
}

export class ReshapedInputs {
  private readonly known = new LRUCache<string, InputIdentity[]>({ max: MAX_MEMOS });

  constructor(private readonly opts: ReshapedInputsOptions) {}

  /** The memoized inputs, or undefined (then the model must be read and reshaped). */
  async lookup(xmlSha256: string, shapes: Record<string, ShapeInput>, buildNumber: string): Promise<InputIdentity[] | undefined> {
    const id = memoId(xmlSha256, shapes, buildNumber);
    if (id === undefined) return undefined;
    const known = this.known.get(id);
    if (known) return known;
    const file = this.fileOf(id);
    if (!file) return undefined;
    try {
      const record = JSON.parse(await fs.promises.readFile(file, 'utf8')) as { format?: unknown; id?: unknown; inputs?: unknown };
      if (record.format !== RESHAPED_MEMO_FORMAT || record.id !== id || !isInputList(record.inputs)) return undefined;
      this.known.set(id, record.inputs);
      return record.inputs;
    } catch {
      return undefined; // no memo yet, or an unreadable one
    }
  }

  /** Records the inputs a reshape produced. */
  async record(xmlSha256: string, shapes: Record<string, ShapeInput>, buildNumber: string, inputs: InputIdentity[]): Promise<void> {
    const id = memoId(xmlSha256, shapes, buildNumber);
    if (id === undefined) return;
    this.known.set(id, inputs);
    const file = this.fileOf(id);
    if (!file || !this.opts.writeMemo) return;
    await writeFileAtomic(file, `${JSON.stringify({ format: RESHAPED_MEMO_FORMAT, id, inputs })}\n`).catch((error: Error) =>
      log('cannot write %s: %s', file, error.message),
    );
  }

  private fileOf(id: string): string | undefined {
    const dir = this.opts.memoDir();
    return dir === undefined ? undefined : path.join(dir, `reshaped-${id}.json`);
  }
}

/** One id per (.xml digest, shapes as the runtime reads them, build); undefined for shapes that do not parse. */
function memoId(xmlSha256: string, shapes: Record<string, ShapeInput>, buildNumber: string): string | undefined {
  let canonical: string[];
  try {
    canonical = Object.keys(shapes)
      .sort()
      .map((name) => `${name}=${formatPartialShape(parseShapeInput(shapes[name], `shapes.${name}`))}`);
  } catch {
    return undefined; // reading the model reports the bad shape
  }
  const text = JSON.stringify({ xmlSha256, shapes: canonical, buildNumber });
  return crypto.createHash('sha256').update(text).digest('hex');
}

function isInputList(value: unknown): value is InputIdentity[] {
  return (
    Array.isArray(value) &&
    value.every(
      (v: { name?: unknown; shape?: unknown; elementType?: unknown }) =>
        typeof v?.name === 'string' && typeof v.shape === 'string' && typeof v.elementType === 'string',
    )
  );
}

/**
 * The inputs a reshape to static (or fully dynamic) dims gives, from the model's own inputs: a
 * reshape sets each named Parameter to the shape asked and leaves names, element types and the
 * other inputs alone. Undefined for anything else (ranges, unknown names, another rank): read the model then.
 */
export function deriveReshapedInputs(base: InputIdentity[], shapes: Record<string, ShapeInput>): InputIdentity[] | undefined {
  const wanted = new Map<string, string>();
  for (const [name, input] of Object.entries(shapes)) {
    const own = base.find((i) => i.name === name);
    if (!own || !/^\[.*\]$/.test(own.shape)) return undefined;
    let shape;
    try {
      shape = parseShapeInput(input, `shapes.${name}`);
    } catch {
      return undefined;
    }
    const simple = (d: Dimension) => typeof d === 'number' || (d.min === 0 && d.max === undefined);
    // Same rank as the model's input only: reshape reports any other (OVCACHE_SHAPE_MISMATCH).
    const rank = own.shape === '[]' ? 0 : own.shape.split(',').length;
    if (shape === null || shape.length === 0 || shape.length !== rank || !shape.every(simple)) return undefined;
    wanted.set(name, formatPartialShape(shape));
  }
  return base.map((i) => ({ ...i, shape: wanted.get(i.name) ?? i.shape }));
}
