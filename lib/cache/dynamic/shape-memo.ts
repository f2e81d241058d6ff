// What one model (same key apart from input shapes) has been compiled for: the static sizes
// seen, its dynamic variant, and its entries. One small JSON file per model under
// <dir>/fingerprints/, replaced atomically. Processes sharing the folder read it fresh and
// write it without a lock: a concurrent update can be lost (a size or an entry not counted),
// never a corrupt file. In one process a model's updates run one at a time (ShapeMemos).
// Lists are bounded, oldest dropped first.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write';
import { logger } from '../../log';
import { canonicalJson, type KeyParts } from '../key';

const log = logger('cache');

export const SHAPE_MEMO_FORMAT = 1;
export const MAX_SEEN_SIZES = 32;
export const MAX_MEMO_ENTRIES = 64;

/** A static size of every input, by input name. */
export type StaticSizes = Record<string, number[]>;
/** A dimension of a variant: static, or a [lo, hi] range. */
export type VariantDim = number | [number, number];
export type VariantShapes = Record<string, VariantDim[]>;

export interface MemoEntry {
  key: string;
  /** The entry folder's name (under entries/). */
  name: string;
  variant: 'static' | 'dynamic';
}

export interface ShapeMemo {
  format: number;
  identity: string;
  model: string;
  device: string;
  /** Distinct static sizes compiled, oldest first. */
  seen: StaticSizes[];
  /** The dynamic variant serving sizes within its ranges, once made. */
  variant: { shapes: VariantShapes; key: string | null } | null;
  entries: MemoEntry[];
  /** A growth warning was given for the current crossing of the threshold. */
  warned: boolean;
}

/** The model's identity: its key parts with the input shapes left out. */
export function modelIdentity(parts: KeyParts): string {
  const { inputs, ...rest } = parts;
  const shapeless = { ...rest, inputs: inputs.map((i) => ({ name: i.name, elementType: i.elementType })) };
  return crypto.createHash('sha256').update(canonicalJson(shapeless)).digest('hex');
}

export function memoFile(fingerprintsDir: string, identity: string): string {
  return path.join(fingerprintsDir, `shapes-${identity}.json`);
}

export function emptyMemo(identity: string, parts: KeyParts): ShapeMemo {
  return {
    format: SHAPE_MEMO_FORMAT,
    identity,
    model: parts.model.name,
    device: parts.device.name,
    seen: [],
    variant: null,
    entries: [],
    warned: false,
  };
}

const isSizes = (v: unknown): v is StaticSizes =>
  v !== null &&
  typeof v === 'object' &&
  Object.values(v).every((d) => Array.isArray(d) && d.every((n) => Number.isInteger(n) && (n as number) >= 0));

const isVariantShapes = (v: unknown): v is VariantShapes =>
  v !== null &&
  typeof v === 'object' &&
  Object.values(v).every(
    (d) =>
      Array.isArray(d) &&
      d.every((x) => Number.isInteger(x) || (Array.isArray(x) && x.length === 2 && x.every((n) => Number.isInteger(n)))),
  );

/** The memo, or null when there is none or it is unreadable (then it starts afresh). */
export async function readMemo(file: string, identity: string): Promise<ShapeMemo | null> {
  let m: Partial<ShapeMemo>;
  try {
    m = JSON.parse(await fs.promises.readFile(file, 'utf8')) as Partial<ShapeMemo>;
  } catch {
    return null;
  }
  if (m?.format !== SHAPE_MEMO_FORMAT || m.identity !== identity) return null;
  if (!Array.isArray(m.seen) || !m.seen.every(isSizes) || !Array.isArray(m.entries)) return null;
  if (m.variant !== null && !(typeof m.variant === 'object' && isVariantShapes(m.variant?.shapes))) return null;
  const entries = m.entries.filter(
    (e): e is MemoEntry => typeof e?.key === 'string' && typeof e.name === 'string' && (e.variant === 'static' || e.variant === 'dynamic'),
  );
  return { ...(m as ShapeMemo), entries, warned: m.warned === true };
}

export async function writeMemo(file: string, memo: ShapeMemo): Promise<void> {
  const bounded: ShapeMemo = { ...memo, seen: memo.seen.slice(-MAX_SEEN_SIZES), entries: memo.entries.slice(-MAX_MEMO_ENTRIES) };
  await writeFileAtomic(file, `${JSON.stringify(bounded)}\n`);
}

/** What an update of a memo returns: its result, and whether the memo changed (then it is written). */
export interface MemoUpdate<T> {
  result: T;
  changed: boolean;
}

/** The memos of one cache folder; one model's updates run one at a time in this process. */
export class ShapeMemos {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly fingerprintsDir: string,
    private readonly readOnly: boolean,
  ) {}

  /** Reads the model's memo (a missing or unreadable one starts afresh), lets `update` change it, writes it back when changed (not read-only; a failed write is logged). */
  update<T>(identity: string, parts: KeyParts, update: (memo: ShapeMemo) => MemoUpdate<T> | Promise<MemoUpdate<T>>): Promise<T> {
    const file = memoFile(this.fingerprintsDir, identity);
    const run = async (): Promise<T> => {
      const memo = (await readMemo(file, identity)) ?? emptyMemo(identity, parts);
      const { result, changed } = await update(memo);
      if (changed && !this.readOnly) {
        await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).catch(() => undefined);
        await writeMemo(file, memo).catch((error: Error) => log('cannot write %s: %s', file, error.message));
      }
      return result;
    };
    const previous = this.queues.get(identity) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.queues.set(identity, settled);
    void settled.then(() => {
      if (this.queues.get(identity) === settled) this.queues.delete(identity);
    });
    return next;
  }
}

/** How a compile was routed: kept on the prepared compile and its outcome. */
export interface ShapeRoute {
  identity: string;
  /** The static size the caller asked for; null when the inputs asked are not all static. */
  asked: StaticSizes | null;
  /** The variant's shapes when the compile was routed to one. */
  variant: VariantShapes | null;
  replaces: string | null;
  /** The model path (as events name it) and device. */
  model: string;
  device: string;
}
