// What the dashboard page shows, as one JSON document: the folder as scanned now (usage,
// entries by model with their shapes, the largest and stalest entries), the history the
// caches using the folder recorded (usage and hit rate over time, recent evictions), and the
// runtime found. Built by /api/state on each poll.
import path from 'node:path';
import { scanCache, type ScannedEntry } from '../cache/scan';
import { tryVolumeStats, type VolumeStats } from '../cache/volume';
import { bucketIntervals, readHistory, type HistoryBucket } from '../history/index';
import type { EvictRecord } from '../history/records';
import { readRegistryView, readResultsView, type RegistryView, type ResultsView } from './layers';

export interface DashboardEntry {
  name: string;
  model: string;
  shapes: string;
  device: string | null;
  bytes: number;
  hits: number;
  lastUsedAt: string | null;
  state: ScannedEntry['state'];
}

export interface DashboardModel {
  model: string;
  bytes: number;
  hits: number;
  /** One per entry (shape x device x config variant), largest first. */
  entries: DashboardEntry[];
}

export interface DashboardState {
  dir: string;
  exists: boolean;
  generatedAt: string;
  refreshMs: number;
  runtime: { found: boolean; library: string | null; version: string | null; standIn: boolean; devices: string[]; error: string | null };
  usage: {
    bytes: number;
    entries: number;
    metadataBytes: number;
    unaccountedBytes: number;
    maxBytes: number | null;
    /** Where maxBytes came from: --max-size, or the last budget a cache recorded in the history. */
    maxBytesSource: 'option' | 'history' | null;
    volume: VolumeStats | null;
    ok: number;
    stale: number;
    broken: number;
  };
  models: DashboardModel[];
  largest: DashboardEntry[];
  stalest: DashboardEntry[];
  history: {
    from: number;
    to: number;
    bucketMs: number;
    buckets: HistoryBucket[];
    /** [time, bytes, maxBytes | null] samples, oldest first; the scan of now last. */
    usage: Array<[number, number, number | null]>;
    totals: { hits: number; misses: number; uncached: number; savedMs: number; hitRate: number | null };
    processes: number;
    skipped: number;
  };
  /** Newest first. */
  evictions: EvictRecord[];
  /** The result cache's store (persisted counters, every process). */
  results: ResultsView;
  /** The registries serving processes record in this folder. */
  registry: RegistryView;
}

export interface StateOptions {
  /** The result store's folder. Default <dir>/results. */
  resultsDir?: string;
  /** The budget to show when no cache recorded one. */
  maxBytes?: number;
  /** How far back the history goes. Default 7 days. */
  windowMs?: number;
  refreshMs: number;
  runtime: RuntimeFacts;
  now?: number;
}

/** What the page shows of the runtime: the CLI's doctor report is one (the dashboard runs no doctor). */
export interface RuntimeFacts {
  ok: boolean;
  library?: { path: string; standIn: boolean };
  version?: { buildNumber: string };
  devices?: Array<{ name: string }>;
  error?: { message: string };
}

const LIST = 10;
const BUCKETS = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 24 * 3_600_000];

/** The smallest bucket that shows the span in at most 120 bars. */
export function bucketFor(spanMs: number): number {
  return BUCKETS.find((b) => spanMs / b <= 120) ?? (BUCKETS.at(-1) as number);
}

function entryView(e: ScannedEntry): DashboardEntry {
  return {
    name: e.name,
    model: e.model ?? e.modelId,
    shapes: e.shapes,
    device: e.device,
    bytes: e.bytes,
    hits: e.hits,
    lastUsedAt: e.lastUsedAt,
    state: e.state,
  };
}

export async function dashboardState(dir: string, o: StateOptions): Promise<DashboardState> {
  const now = o.now ?? Date.now();
  const runtime = o.runtime;
  const [scan, volume] = await Promise.all([
    scanCache(dir, { now, checkModels: true, ...(runtime.version ? { currentBuildNumber: runtime.version.buildNumber } : {}) }),
    tryVolumeStats(dir),
  ]);
  const windowMs = o.windowMs ?? 7 * 24 * 3_600_000;
  const h = readHistory(dir, { since: now - windowMs });
  const first = Math.min(h.intervals[0]?.t ?? now, h.usage[0]?.t ?? now);
  const bucketMs = bucketFor(now - first);
  const buckets = bucketIntervals(h.intervals, first, now + 1, bucketMs);
  const lastBudget = [...h.usage].reverse().find((u) => u.maxBytes !== null)?.maxBytes ?? null;
  const maxBytes = o.maxBytes ?? lastBudget;

  const results = await readResultsView(o.resultsDir ?? path.join(dir, 'results'));
  const registry = readRegistryView(dir, now);
  const entries = scan.entries.map(entryView);
  const byModel = new Map<string, DashboardModel>();
  for (const e of entries) {
    const m = byModel.get(e.model) ?? { model: e.model, bytes: 0, hits: 0, entries: [] };
    m.bytes += e.bytes;
    m.hits += e.hits;
    m.entries.push(e);
    byModel.set(e.model, m);
  }
  const models = [...byModel.values()].sort((a, b) => b.bytes - a.bytes);
  for (const m of models) m.entries.sort((a, b) => b.bytes - a.bytes);
  const lastUsed = new Map(scan.entries.map((e) => [e.name, e.lastUsedMs]));

  const totals = { hits: 0, misses: 0, uncached: 0, savedMs: 0, hitRate: null as number | null };
  for (const b of buckets) {
    totals.hits += b.hits;
    totals.misses += b.misses;
    totals.uncached += b.uncached;
    totals.savedMs += b.savedMs;
  }
  const compiles = totals.hits + totals.misses + totals.uncached;
  totals.hitRate = compiles > 0 ? totals.hits / compiles : null;

  return {
    dir,
    exists: scan.exists,
    generatedAt: new Date(now).toISOString(),
    refreshMs: o.refreshMs,
    runtime: {
      found: runtime.ok,
      library: runtime.library?.path ?? null,
      version: runtime.version?.buildNumber ?? null,
      standIn: runtime.library?.standIn ?? false,
      devices: (runtime.devices ?? []).map((d) => d.name),
      error: runtime.error?.message ?? null,
    },
    usage: {
      bytes: scan.totals.bytes,
      entries: scan.totals.entries,
      metadataBytes: scan.totals.metadataBytes,
      unaccountedBytes: scan.totals.unaccountedBytes,
      maxBytes,
      maxBytesSource: o.maxBytes !== undefined ? 'option' : lastBudget !== null ? 'history' : null,
      volume,
      ok: scan.totals.ok,
      stale: scan.totals.stale,
      broken: scan.totals.broken,
    },
    models,
    largest: [...entries].sort((a, b) => b.bytes - a.bytes).slice(0, LIST),
    stalest: [...entries].sort((a, b) => (lastUsed.get(a.name) ?? 0) - (lastUsed.get(b.name) ?? 0)).slice(0, LIST),
    history: {
      from: buckets[0]?.t ?? now,
      to: now,
      bucketMs,
      buckets,
      usage: [...h.usage.map((u): [number, number, number | null] => [u.t, u.bytes, u.maxBytes]), [now, scan.totals.bytes, maxBytes]],
      totals,
      processes: new Set([...h.intervals, ...h.usage, ...h.evictions].map((r) => r.pid)).size,
      skipped: h.skipped,
    },
    evictions: h.evictions.slice(-20).reverse(),
    results,
    registry,
  };
}
