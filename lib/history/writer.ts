// Appends history records to <cache>/history/NNNNNN.jsonl, bounded: a segment that reached
// segmentBytes is followed by the next number, created with O_EXCL so that of several
// processes rotating at once exactly one creates it and the rest append to it; segments older
// than the newest `segments` are removed. Every record is one write() of one line under
// PIPE_BUF on an O_APPEND descriptor, so concurrent appenders never interleave within a line.
import fs from 'node:fs';
import path from 'node:path';
import { formatRecord, HISTORY_DIR, type HistoryRecord } from './records';

export const DEFAULT_SEGMENT_BYTES = 256 * 1024;
export const DEFAULT_SEGMENTS = 8;
const SEGMENT = /^(\d{6})\.jsonl$/;

export interface WriterLimits {
  segmentBytes: number;
  segments: number;
}

/** Segment numbers in a history folder, oldest first. */
export function listSegments(historyDir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(historyDir);
  } catch {
    return [];
  }
  return names
    .map((n) => SEGMENT.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Makes the history folder (and missing folders above it, 0700) with the cache folder's own
 * mode: 2770 when the cache is shared with its group (setgid and group rwx), else 0700; umask
 * cannot change it (the rule of lib/cache/cache-dir.ts makeOwnerOnlyDir, which the history, below
 * the cache, does not import).
 */
function makeHistoryDir(dir: string): void {
  const parent = path.dirname(dir);
  if (!fs.existsSync(parent)) fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
  const p = fs.statSync(parent).mode;
  const mode = (p & 0o2000) !== 0 && (p & 0o070) === 0o070 ? 0o2770 : 0o700;
  try {
    fs.mkdirSync(dir, { mode });
    if (process.platform !== 'win32') fs.chmodSync(dir, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

export const segmentFile = (historyDir: string, n: number): string => path.join(historyDir, `${String(n).padStart(6, '0')}.jsonl`);

export class HistoryWriter {
  readonly historyDir: string;

  constructor(
    cacheDir: string,
    private readonly limits: WriterLimits = { segmentBytes: DEFAULT_SEGMENT_BYTES, segments: DEFAULT_SEGMENTS },
  ) {
    this.historyDir = path.join(cacheDir, HISTORY_DIR);
  }

  /** Appends the records, one write each. Creates the folder (owner-only, as the cache's) when needed. */
  append(records: readonly HistoryRecord[]): void {
    if (records.length === 0) return;
    if (!fs.existsSync(this.historyDir)) makeHistoryDir(this.historyDir);
    const file = this.currentSegment();
    const fd = fs.openSync(file, 'a', 0o600);
    try {
      for (const r of records) fs.writeSync(fd, formatRecord(r));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The newest segment, rotated first when it is full. */
  private currentSegment(): string {
    const segments = listSegments(this.historyDir);
    let newest = segments.at(-1) ?? 1;
    const file = segmentFile(this.historyDir, newest);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return file;
    }
    if (size < this.limits.segmentBytes) return file;
    newest++;
    try {
      fs.closeSync(fs.openSync(segmentFile(this.historyDir, newest), 'wx', 0o600));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process rotated first
    }
    for (const old of segments) {
      if (old > newest - this.limits.segments) break;
      try {
        fs.unlinkSync(segmentFile(this.historyDir, old));
      } catch {
        // already removed by another process
      }
    }
    return segmentFile(this.historyDir, newest);
  }
}
