// One compile through the cache, as one straight line (docs/architecture.md, "A compile's walk"):
//   key     the key builder reads the model and derives the key; the dynamic-shape router and
//           the reshaped warm path are steps it asks (they may reshape the prepared compile)
//   lookup  flow/lookup.ts reads the entry's manifest once and returns a Plan: load, fill
//           (under the entry's lock) or plain; on a local miss the tiers (ports.ts) come first
//   load or fill   flow/load.ts, flow/fill.ts, or flow/plain.ts (OpenVINO without CACHE_DIR)
//   outcome compile-outcome.ts builds it in one place; flow/record.ts counts it and emits its event
// Single flight per key (flow/lookup.ts): the first caller in this process looks up under the
// lock and fills; the others wait for its plan to end, then look up again like any other
// process would.
import type { EventEmitter } from 'node:events';
import path from 'node:path';
import { logger } from '../log';
import type { RuntimeCore, RuntimeModel } from '../runtime/runtime-port';
import type { BudgetKeeper } from './budget/keeper';
import type { CacheFolder } from './cache-dir';
import { outcomeOf, type Outcome } from './compile-outcome';
import type { CompileResult, ModelCacheEvents, UncachedReason } from './compile-types';
import type { EntryManifest } from './entry/manifest';
import type { ManifestWriter } from './entry/manifest-writer';
import type { KeyBuilder, PreparedCompile } from './key-builder';
import type { ResolvedCompileOptions } from './options';
import { isAbortOf } from './abort/signal';
import type { WeightlessChooser } from './weightless';
import type { EntryTiers } from './ports';
import type { CachePolicyKeeper } from './policy/policy';
import type { ReshapedWarmPath } from './warm/warm-path';
import type { CacheStats } from './stats';
import type { ShapeRouter } from './dynamic/shape-router';
import { fillEntry } from './flow/fill';
import { loadEntry } from './flow/load';
import { EntryLookup, plainPlan, type Ended, type Plan } from './flow/lookup';
import { compilePlain } from './flow/plain';
import { recordOutcome } from './flow/record';
import { variantOfInputs, variantOfPorts } from './dynamic/covers';

export type { Outcome } from './compile-outcome';

const log = logger('cache');

export interface CompileFlowParts {
  core(): RuntimeCore;
  folder: CacheFolder;
  keys: KeyBuilder;
  manifests: ManifestWriter;
  budget: BudgetKeeper;
  /** Whether compiles check the budget (a limit is set and the cache may write). */
  budgetActive: boolean;
  readOnly: boolean;
  lockTimeoutMs: number;
  staleLockMs: number;
  counters: CacheStats;
  weightless: WeightlessChooser;
  policy: CachePolicyKeeper;
  /** Below the local folder: asked on a local miss, given every fill to publish. */
  tiers?: EntryTiers | undefined;
  /** Whether a local entry may be used (ports.ts EntryTiers.acceptEntry); absent: every entry. */
  acceptEntry?: ((manifest: EntryManifest) => boolean) | undefined;
  shapes: ShapeRouter;
  warm: ReshapedWarmPath;
  /** False when the cache is switched off: every compile is plain. */
  enabled: boolean;
  /** The cache's events (hit, miss, compile, error): the record stage emits them. */
  events: EventEmitter<ModelCacheEvents>;
}

export class CompileFlow {
  private readonly lookup: EntryLookup;

  constructor(private readonly p: CompileFlowParts) {
    this.lookup = new EntryLookup(p);
  }

  /** One compile, recorded: the result the caller gets (the outcome without the cache's own fields). */
  async compileAndRecord(model: string | RuntimeModel, requested: ResolvedCompileOptions, started: number): Promise<CompileResult> {
    const label = typeof model === 'string' ? path.resolve(model) : model.path;
    try {
      const cache = this.p.enabled && requested.cache;
      const opts = cache ? this.p.weightless.apply(model, requested) : requested;
      const plain = !this.p.enabled ? 'disabled' : !cache ? 'call' : this.unusableFolder();
      const outcome = plain ? await this.uncached(model, opts, started, plain) : await this.cached(model, opts, started);
      await this.p.shapes.afterCompile(outcome);
      outcome.variant = outcome.parts ? variantOfInputs(outcome.parts.inputs) : variantOfPorts(outcome.compiled.inputs);
      recordOutcome(this.p.events, this.p.counters, label, opts.device, outcome);
      if (outcome.cached && outcome.key) this.p.budget.noteUse(outcome.key);
      if (this.p.budgetActive) await this.p.budget.afterCompile(outcome);
      const { savedMs: _saved, wroteBytes: _wrote, route: _route, ...result } = outcome;
      return result;
    } catch (error) {
      if (isAbortOf(error, requested.waits.signal)) throw error; // counted as aborted, not as an error
      this.p.counters.errors++;
      log('compile %s for %s failed: %s', label, requested.device, (error as Error).message);
      if (this.p.events.listenerCount('error') > 0) this.p.events.emit('error', { model: label, device: requested.device, error });
      throw error;
    }
  }

  /** key -> lookup (local, then the tiers) -> load or fill -> outcome. */
  private async cached(model: string | RuntimeModel, opts: ResolvedCompileOptions, started: number): Promise<Outcome> {
    // key
    const prep = await this.p.keys.prepare(model, opts);
    await this.p.shapes.route(model, opts, prep, (shapes) => this.p.keys.reshapePrepared(prep, shapes));
    if (this.p.warm.eligible(prep, opts)) prep.irSource = await this.p.warm.ensure(prep, opts);
    const release = this.p.budget.hold(prep.key);
    const leave = this.p.policy.enter();
    try {
      // lookup: the local folder, lock-free (a read-only cache: only that), then a miss: the
      // tiers and the entry's lock, one caller per key in this process (flow/lookup.ts). The
      // policy may say plain.
      const skip = this.p.readOnly ? null : await this.p.policy.skip(prep.key);
      const plan = skip ? plainPlan(skip) : ((await this.lookup.local(prep, this.p.readOnly)) ?? (await this.lookup.miss(prep, opts)));
      const outcome = await this.carryOut(prep, opts, started, plan);
      if (skip) this.p.policy.notePlainCompile(prep.key, outcome.timings.compileMs);
      return outcome;
    } finally {
      leave();
      release();
      if (prep.ownsModel) prep.modelObject?.dispose();
    }
  }

  /** A compile without the cache: switched off, not asked for, or the folder unusable. */
  private async uncached(
    model: string | RuntimeModel,
    opts: ResolvedCompileOptions,
    started: number,
    reason: UncachedReason,
  ): Promise<Outcome> {
    const plain = await compilePlain(this.p, model, opts, false);
    return outcomeOf(undefined, started, 0, { ...plain, plain: reason });
  }

  /** The folder cannot be made (a file, a read-only file system): the model is served anyway, uncached. */
  private unusableFolder(): UncachedReason | undefined {
    if (this.p.readOnly) return undefined;
    try {
      this.p.folder.ensure();
      return undefined;
    } catch (error) {
      // An insecure folder is not in this list: that stays an error.
      const code = (error as { code?: string }).code;
      if (code !== 'OVCACHE_CACHE_DIR_INVALID' && code !== 'OVCACHE_CACHE_READ_ONLY') throw error;
      log('cache folder %s unusable (%s: %s); compiling without the cache', this.p.folder.layout.root, code, (error as Error).message);
      return 'cache-dir-unusable';
    }
  }

  /** Load, fill or compile plain as the plan says; the outcome is built once; the plan's hold ends after. */
  private async carryOut(prep: PreparedCompile, opts: ResolvedCompileOptions, started: number, plan: Plan): Promise<Outcome> {
    let kept: string | null = null;
    let ended: Ended = { reason: null };
    try {
      const done =
        plan.kind === 'load'
          ? await loadEntry(this.p, prep, opts, plan.manifest, plan.touch)
          : plan.kind === 'fill'
            ? await fillEntry(this.p, prep, opts, plan.previous)
            : { plain: plan.reason };
      const result =
        'plain' in done ? { ...(await compilePlain(this.p, prep.modelObject ?? prep.xml, opts, true)), plain: done.plain } : done;
      const outcome = outcomeOf(prep, started, plan.lockWaitMs, result);
      kept = outcome.cached ? outcome.entryDir : null;
      ended = { reason: outcome.uncachedReason };
      const { copied } = plan;
      return copied ? { ...outcome, ...(copied.tier ? { tier: copied.tier } : {}), wroteBytes: copied.bytes } : outcome;
    } catch (error) {
      ended = { error: error as Error };
      throw error;
    } finally {
      await plan.end(kept, ended);
    }
  }
}
