// The records of a cache's history (<cache>/history/*.jsonl): one JSON object per line, each
// line at most MAX_LINE_BYTES so one write() appends it whole, even with other processes
// appending to the same file (O_APPEND; see writer.ts).
export { HISTORY_DIR } from '../cache/entry/layout';
export const HISTORY_FORMAT = 1;
/** Under PIPE_BUF (4096 on Linux): a single append of a line this size is not interleaved. */
export const MAX_LINE_BYTES = 1024;

export interface HistoryRecordBase {
  v: typeof HISTORY_FORMAT;
  /** Epoch ms: the end of the interval, or when it was measured or happened. */
  t: number;
  pid: number;
}

/** What one process did in one interval (only intervals with activity are written). */
export interface IntervalRecord extends HistoryRecordBase {
  type: 'interval';
  /** Length of the interval in ms. */
  ms: number;
  hits: number;
  misses: number;
  uncached: number;
  errors: number;
  /** OpenVINO's compile time of real compiles, and import time of hits, summed. */
  compileMs: number;
  loadMs: number;
  savedMs: number;
  writtenBytes: number;
  evictions: number;
  evictedBytes: number;
}

/** The folder as measured (a scan, or a budget event's figures). */
export interface UsageRecord extends HistoryRecordBase {
  type: 'usage';
  bytes: number;
  entries: number;
  maxBytes: number | null;
  availableBytes: number | null;
}

export interface EvictRecord extends HistoryRecordBase {
  type: 'evict';
  name: string;
  model: string | null;
  device: string | null;
  bytes: number;
  reason: string;
  trigger: string;
}

export type HistoryRecord = IntervalRecord | UsageRecord | EvictRecord;

const clip = (s: string | null, n = 160): string | null => (s === null || s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** One line (with its newline), never longer than MAX_LINE_BYTES. */
export function formatRecord(r: HistoryRecord): string {
  const safe =
    r.type === 'evict'
      ? { ...r, name: clip(r.name) as string, model: clip(r.model), device: clip(r.device, 64), trigger: clip(r.trigger, 32) }
      : r;
  const line = `${JSON.stringify(safe)}\n`;
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) throw new Error(`history record too long (${Buffer.byteLength(line)} bytes)`);
  return line;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): boolean => v === null || num(v);
const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** The record a line holds, or null for a line that is not one (torn, foreign, another format). */
export function parseRecord(line: string): HistoryRecord | null {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof r !== 'object' || r === null || r.v !== HISTORY_FORMAT || !num(r.t) || !num(r.pid)) return null;
  switch (r.type) {
    case 'interval':
      return [
        'ms',
        'hits',
        'misses',
        'uncached',
        'errors',
        'compileMs',
        'loadMs',
        'savedMs',
        'writtenBytes',
        'evictions',
        'evictedBytes',
      ].every((k) => num(r[k]))
        ? (r as unknown as IntervalRecord)
        : null;
    case 'usage':
      return num(r.bytes) && num(r.entries) && numOrNull(r.maxBytes) && numOrNull(r.availableBytes) ? (r as unknown as UsageRecord) : null;
    case 'evict':
      return typeof r.name === 'string' &&
        strOrNull(r.model) &&
        strOrNull(r.device) &&
        num(r.bytes) &&
        typeof r.reason === 'string' &&
        typeof r.trigger === 'string'
        ? (r as unknown as EvictRecord)
        : null;
    default:
      return null;
  }
}
