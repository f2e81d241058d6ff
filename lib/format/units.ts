// Sizes and durations: parsing what people write ("20GB", "512 MiB", "7d", "90s") and
// printing what people read ("6.8 GiB", "3 h ago"). Parsers throw OVCACHE_BAD_SIZE /
// OVCACHE_BAD_DURATION with the accepted forms in the message.
import { OvcacheError } from '../errors';
import { describeValue } from '../openvino/validate';

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Bytes from a non-negative number or text like "20GB", "512 MiB", "1.5g", "4096". */
export function parseSize(value: unknown, name = 'size'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.floor(value);
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
    const factor = match ? SIZE_UNITS[(match[2] || 'b').toLowerCase()] : undefined;
    if (match && factor !== undefined) {
      const bytes = Number(match[1]) * factor;
      if (Number.isFinite(bytes) && bytes <= Number.MAX_SAFE_INTEGER) return Math.floor(bytes);
    }
  }
  throw new OvcacheError(
    'OVCACHE_BAD_SIZE',
    `Expected a size such as 20GB, 512 MiB or a number of bytes for ${name} but received ${describeValue(value)}`,
  );
}

/** The range parseDuration() accepts, in ms. */
export interface DurationLimits {
  /** The longest duration accepted, in ms; longer is refused (OVCACHE_BAD_DURATION). */
  max?: number;
  /** The shortest duration accepted, in ms. Default 0. */
  min?: number;
}

/**
 * Milliseconds from a non-negative number (ms) or text like "7d", "12h", "30 min", "1.5s": the
 * one duration parser of every option and flag. Infinity is refused (the options that mean
 * "never" say so with their own value). Timers of any accepted length are set with
 * lib/timers/long-timer.ts: Node's own timers fire at once past 2^31-1 ms.
 */
export function parseDuration(value: unknown, name = 'duration', limits: DurationLimits = {}): number {
  const ms = durationOf(value);
  const min = limits.min ?? 0;
  const max = limits.max ?? Number.MAX_SAFE_INTEGER;
  if (ms !== undefined && ms >= min && ms <= max) return ms;
  const range = ms === undefined ? '' : ms > max ? ` of at most ${formatDurationTyped(max)}` : ` of at least ${formatDurationTyped(min)}`;
  throw new OvcacheError(
    'OVCACHE_BAD_DURATION',
    `Expected a duration${range} such as 7d, 12h, 30min, 90s or a number of milliseconds for ${name} but received ${describeValue(value)}`,
  );
}

function durationOf(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER) return value;
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
    const factor = match ? DURATION_UNITS[(match[2] || 'ms').toLowerCase()] : undefined;
    if (match && factor !== undefined) {
      const ms = Number(match[1]) * factor;
      if (Number.isFinite(ms) && ms <= Number.MAX_SAFE_INTEGER) return ms;
    }
  }
  return undefined;
}

/**
 * A duration as it is typed (what parseDuration() reads back): "1h", "5s", "30min", else "N ms".
 * For defaults in --help and limits in messages; measured durations use formatDuration().
 */
export function formatDurationTyped(ms: number): string {
  for (const [unit, factor] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= factor && ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms} ms`;
}

/** Powers of 1000 (kB, MB, GB: as "20GB" is read) or of 1024 (KiB, MiB, GiB: as du -h). */
export type SizeUnits = 'si' | 'iec';

/** The units a size was written in: "100MB", "1.5g" are SI; "512 MiB" and plain bytes are IEC. */
export function sizeUnitsOf(text: string): SizeUnits {
  const unit = /([a-zA-Z]*)\s*$/.exec(text)?.[1]?.toLowerCase() ?? '';
  return ['k', 'kb', 'm', 'mb', 'g', 'gb', 't', 'tb'].includes(unit) ? 'si' : 'iec';
}

/** "0 B", "512 B", "1.5 KiB", "6.8 GiB" (IEC, the default, as du -h); "100 MB", "20.0 GB" (SI). */
export function formatBytes(bytes: number, units: SizeUnits = 'iec'): string {
  const names = units === 'si' ? ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] : ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  const base = units === 'si' ? 1000 : 1024;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= base && unit < names.length - 1) {
    value /= base;
    unit++;
  }
  const digits = unit === 0 || Math.abs(value) >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${names[unit]}`;
}

/** "850 ms", "2.4 s", "3.0 min", "5.2 h", "4.0 d". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  // Each unit up to the value that still rounds below the next unit: never "1000 ms" or "60.0 s".
  if (abs < 9.995) return `${ms.toFixed(2)} ms`;
  if (abs < 999.5) return `${Math.round(ms)} ms`;
  if (abs < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  if (abs < 3_597_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (abs < 86_220_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** "just now", "5 min ago", "3 h ago", "12 d ago", or "never" for undefined. */
export function formatAgo(timestampMs: number | undefined, now = Date.now()): string {
  if (timestampMs === undefined) return 'never';
  const age = now - timestampMs;
  if (age < 60_000) return 'just now';
  if (age < 3_600_000) return `${Math.floor(age / 60_000)} min ago`;
  if (age < 86_400_000) return `${Math.floor(age / 3_600_000)} h ago`;
  return `${Math.floor(age / 86_400_000)} d ago`;
}
