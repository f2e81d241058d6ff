// The learned entry-size factors the free-space guard estimates a new entry's size with.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write';

/** Added to every estimate: the blob header and small models' fixed part. */
export const ESTIMATE_OVERHEAD_BYTES = 16 * 1024;
/**
 * Entries of models with fewer weight bytes teach no factor: their fixed part (blob header,
 * topology) dominates, and a ratio learned from a tiny model would make every big model look
 * too big to cache.
 */
export const MIN_LEARN_WEIGHT_BYTES = 64 * 1024;
/** Entry bytes per weight byte assumed for a device before any entry of it was measured. */
export const DEFAULT_SIZE_FACTOR = 4.0;

export const SIZE_FACTORS_FILE = 'size-factors.json';
const SIZE_FACTORS_FORMAT = 1;
/** Ratios kept per device; the estimate uses the largest (cautious, yet forgets old outliers). */
const RATIO_WINDOW = 8;

/**
 * Entry bytes per weight byte, learned per device (and CACHE_MODE) from complete entries this
 * cache wrote, persisted in <dir>/fingerprints/size-factors.json (written atomically; a
 * missing or garbled file means "nothing known yet").
 */
/** Entry bytes per weight byte for a device and mode: learned from entries filled, or the default. */
export interface SizeFactor {
  factor: number;
  learned: boolean;
}

export class SizeFactors {
  private ratios = new Map<string, number[]>();
  private loaded: Promise<void> | undefined;

  constructor(private readonly file: string | undefined) {}

  static keyOf(device: string, cacheMode: string | undefined): string {
    return cacheMode ? `${device}|CACHE_MODE=${cacheMode}` : device;
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      if (!this.file) return;
      try {
        const json = JSON.parse(await fs.promises.readFile(this.file, 'utf8')) as { format?: unknown; devices?: unknown };
        if (json.format !== SIZE_FACTORS_FORMAT || json.devices === null || typeof json.devices !== 'object') return;
        for (const [device, value] of Object.entries(json.devices as Record<string, { ratios?: unknown }>)) {
          const list = value?.ratios;
          if (!Array.isArray(list)) continue;
          const ok = list.filter((r): r is number => typeof r === 'number' && Number.isFinite(r) && r > 0).slice(-RATIO_WINDOW);
          if (ok.length > 0 && !this.ratios.has(device)) this.ratios.set(device, ok);
        }
      } catch {
        // nothing learned yet
      }
    })();
    return this.loaded;
  }

  /** The factor for a device: the largest recent ratio, else DEFAULT_SIZE_FACTOR. */
  async factor(key: string): Promise<SizeFactor> {
    await this.load();
    const list = this.ratios.get(key);
    return list && list.length > 0 ? { factor: Math.max(...list), learned: true } : { factor: DEFAULT_SIZE_FACTOR, learned: false };
  }

  /** Records one complete entry and persists the table. */
  async record(key: string, entryBytes: number, weightBytes: number): Promise<void> {
    if (!(weightBytes > 0) || !(entryBytes > 0)) return;
    await this.load();
    const list = [...(this.ratios.get(key) ?? []), entryBytes / weightBytes].slice(-RATIO_WINDOW);
    this.ratios.set(key, list);
    if (!this.file) return;
    const devices: Record<string, { ratios: number[] }> = {};
    for (const [k, v] of this.ratios) devices[k] = { ratios: v.map((r) => Math.round(r * 1e4) / 1e4) };
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify({ format: SIZE_FACTORS_FORMAT, devices }, null, 2)}\n`);
  }
}

/** Bytes an entry is expected to take: weights x factor + a fixed overhead. */
export function estimateEntryBytes(weightBytes: number, factor: number): number {
  return Math.ceil(weightBytes * factor) + ESTIMATE_OVERHEAD_BYTES;
}
