// The two layers above the model cache, as the dashboard shows them: the result store's
// persisted counters (what `ovcache results stats` reads, over every process and restart) and
// the registries that serving processes record (lib/registry/state-recorder.ts).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { pidAlive } from '../fs/process-alive';
import { LocalStore } from '../results/local-store';
import { sharedModeOnDisk } from '../results/results-dir';
import { REGISTRY_STATE_DIR, REGISTRY_STATE_FILE, REGISTRY_STATE_FORMAT, type RegistryState } from '../registry/state-recorder';

export interface ResultsView {
  dir: string;
  exists: boolean;
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  bypasses: number;
  /** hits / (hits + misses); null before the first lookup. */
  hitRate: number | null;
  timeSavedMs: number;
}

export interface RegistryView {
  /** Serving processes that recorded their registry within 3 heartbeats and still run. */
  processes: RegistryState[];
  /** State files of processes that stopped without close() (left out of the figures). */
  stopped: number;
}

/** The result store's counters; a folder without a store reads as empty (nothing is created). */
export async function readResultsView(dir: string): Promise<ResultsView> {
  const empty: ResultsView = { dir, exists: false, entries: 0, bytes: 0, hits: 0, misses: 0, bypasses: 0, hitRate: null, timeSavedMs: 0 };
  if (!fs.existsSync(path.join(dir, 'results.mdb'))) return empty;
  const store = new LocalStore(dir, { shared: sharedModeOnDisk(dir) });
  try {
    const c = store.counters();
    const asked = c.hits + c.misses;
    return {
      dir,
      exists: true,
      entries: c.count,
      bytes: c.bytes,
      hits: c.hits,
      misses: c.misses,
      bypasses: c.bypasses,
      hitRate: asked === 0 ? null : c.hits / asked,
      timeSavedMs: Math.round(c.timeSavedMs),
    };
  } finally {
    await store.close();
  }
}

function isState(v: unknown): v is RegistryState {
  const r = v as Partial<RegistryState> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.v === REGISTRY_STATE_FORMAT &&
    typeof r.pid === 'number' &&
    typeof r.updatedAt === 'number' &&
    typeof r.heartbeatMs === 'number' &&
    Array.isArray(r.models)
  );
}

/** The registries recorded in the cache folder, live ones only. */
export function readRegistryView(cacheDir: string, now: number): RegistryView {
  const dir = path.join(cacheDir, REGISTRY_STATE_DIR);
  const view: RegistryView = { processes: [], stopped: 0 };
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => REGISTRY_STATE_FILE.test(n));
  } catch {
    return view;
  }
  for (const name of names) {
    let state: unknown;
    try {
      state = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    } catch {
      continue; // removed meanwhile, or not a state file
    }
    if (!isState(state)) continue;
    const gone = now - state.updatedAt > 3 * state.heartbeatMs || (state.host === os.hostname() && !pidAlive(state.pid));
    if (gone) view.stopped++;
    else view.processes.push(state);
  }
  view.processes.sort((a, b) => a.pid - b.pid);
  return view;
}
