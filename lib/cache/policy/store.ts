// The policy's decisions, per entry key, in <dir>/fingerprints/cache-policy.json, so that a
// restart keeps them. Every change re-reads the file under <dir>/locks/cache-policy.lock,
// applies itself and writes the file atomically (temp + rename): processes sharing the folder
// merge their decisions instead of overwriting each other's. At most MAX_DECISIONS are kept
// (least recently changed go first). A missing, garbled or foreign file means "no decisions";
// a garbled one is rewritten.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write';
import { logger } from '../../log';
import { isKey } from '../key';
import { acquireLock } from '../entry/lock';

const log = logger('cache');

export const POLICY_FILE = 'cache-policy.json';
export const POLICY_LOCK = 'cache-policy.lock';
const POLICY_FORMAT = 1;
export const MAX_DECISIONS = 500;
/** Compiles without the cache remembered per decision. */
export const PLAIN_SAMPLES = 8;
/** How often the file is checked for other processes' changes (one stat, in the background). */
const RECHECK_MS = 1000;
const LOCK_WAIT_MS = 2000;

export type PolicyDecision = 'not-worth-it' | 'compile-too-fast';

export interface PolicyRecord {
  decision: PolicyDecision;
  model: string;
  device: string;
  /** The compile time (without the cache) the decision was made with, ms. */
  compileMs: number;
  /** The median warm load it was made with (not-worth-it), ms. */
  warmMs: number | null;
  /** Compiles without the cache measured since, ms (the latest last). */
  plainMs: number[];
  decidedAt: string;
  /** When an entry was last loaded to measure it again (epoch ms). */
  probedAt: number;
}

export interface PolicyStoreOptions {
  /** undefined: decisions live in memory only. */
  file: string | undefined;
  lockPath: string;
  staleLockMs: number;
  maxDecisions?: number;
}

const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function recordOf(v: unknown): PolicyRecord | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  if (r.decision !== 'not-worth-it' && r.decision !== 'compile-too-fast') return undefined;
  if (typeof r.model !== 'string' || typeof r.device !== 'string' || !isMs(r.compileMs) || !isMs(r.probedAt)) return undefined;
  if (!(r.warmMs === null || isMs(r.warmMs)) || typeof r.decidedAt !== 'string') return undefined;
  const plainMs = Array.isArray(r.plainMs) ? r.plainMs.filter(isMs).slice(-PLAIN_SAMPLES) : [];
  return { ...(r as unknown as PolicyRecord), plainMs };
}

/** Parses the file's text; null when it is not a decisions file of this format. */
export function parseDecisions(text: string): Map<string, PolicyRecord> | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const o = json as { format?: unknown; decisions?: unknown } | null;
  if (o === null || typeof o !== 'object' || o.format !== POLICY_FORMAT) return null;
  if (o.decisions === null || typeof o.decisions !== 'object' || Array.isArray(o.decisions)) return null;
  const map = new Map<string, PolicyRecord>();
  for (const [key, value] of Object.entries(o.decisions as Record<string, unknown>)) {
    const record = recordOf(value);
    if (isKey(key) && record) map.set(key, record);
  }
  return map;
}

/** The decisions in a file; null when it is missing, unreadable or not a decisions file. Writes nothing. */
export async function readDecisions(file: string): Promise<Map<string, PolicyRecord> | null> {
  const text = await fs.promises.readFile(file, 'utf8').catch(() => null);
  return text === null ? null : parseDecisions(text);
}

export class PolicyStore {
  private map = new Map<string, PolicyRecord>();
  private loaded: Promise<void> | undefined;
  private stamp = '';
  private checkedAt = 0;
  private readonly max: number;

  constructor(private readonly options: PolicyStoreOptions) {
    this.max = options.maxDecisions ?? MAX_DECISIONS;
  }

  /** The decision for a key. The first call reads the file; later ones see other processes' changes within RECHECK_MS. */
  async get(key: string): Promise<PolicyRecord | undefined> {
    this.loaded ??= this.firstLoad();
    await this.loaded;
    const now = Date.now();
    if (now - this.checkedAt >= RECHECK_MS) {
      this.checkedAt = now;
      void this.reload().catch(() => undefined);
    }
    return this.map.get(key);
  }

  /** Changes one key's decision (null removes it): under the lock, over the file as it is now. */
  async update(key: string, change: (current: PolicyRecord | undefined) => PolicyRecord | null): Promise<void> {
    if (!this.options.file) return this.apply(this.map, key, change);
    this.loaded ??= this.firstLoad();
    await this.loaded;
    await this.locked(this.options.file, key, change);
  }

  private async locked(file: string, key: string, change: (current: PolicyRecord | undefined) => PolicyRecord | null): Promise<void> {
    const attempt = await acquireLock(this.options.lockPath, { timeoutMs: LOCK_WAIT_MS, staleMs: this.options.staleLockMs });
    if (!attempt.lock) {
      // Kept in this process; the file gets it with a later change.
      log('policy: cannot lock %s; decision kept in memory', this.options.lockPath);
      return this.apply(this.map, key, change);
    }
    try {
      const current = (await this.readFile()) ?? new Map<string, PolicyRecord>();
      this.apply(current, key, change);
      await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(file, `${JSON.stringify({ format: POLICY_FORMAT, decisions: Object.fromEntries(current) }, null, 2)}\n`);
      this.map = current;
      this.stamp = await this.stampOf();
    } finally {
      await attempt.lock.release();
    }
  }

  private apply(map: Map<string, PolicyRecord>, key: string, change: (current: PolicyRecord | undefined) => PolicyRecord | null): void {
    const next = change(map.get(key));
    map.delete(key);
    if (next) map.set(key, next);
    while (map.size > this.max) map.delete(map.keys().next().value as string);
  }

  private async firstLoad(): Promise<void> {
    const file = this.options.file;
    if (!file) return;
    const text = await fs.promises.readFile(file, 'utf8').catch(() => null);
    this.checkedAt = Date.now();
    if (text === null) return;
    const map = parseDecisions(text);
    if (map) {
      this.map = map;
      this.stamp = await this.stampOf();
      return;
    }
    log('policy: %s is not a decisions file; ignored and rewritten', file);
    await this.locked(file, '', () => null).catch((error: Error) => log('policy: cannot rewrite %s: %s', file, error.message));
  }

  /** Re-reads the file when another process changed it. */
  private async reload(): Promise<void> {
    const stamp = await this.stampOf();
    if (stamp === this.stamp) return;
    const map = await this.readFile();
    if (map) {
      this.map = map;
      this.stamp = stamp;
    }
  }

  private readFile(): Promise<Map<string, PolicyRecord> | null> {
    return readDecisions(this.options.file as string);
  }

  private async stampOf(): Promise<string> {
    const stat = await fs.promises.stat(this.options.file as string).catch(() => null);
    return stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : '';
  }
}
