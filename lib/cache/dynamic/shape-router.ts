// Dynamic shapes after repeated sizes, and growth warnings: before a compile's key is final,
// a static size asked for may be routed to the model's dynamic variant (plan.ts); after the
// compile, the model's memo records the entry, a widened variant's old entry is removed, and a
// `growth` event is emitted when the model's entries cross the threshold.
import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../../log';
import type { RuntimeCompiledModel, RuntimeModel } from '../../runtime/runtime-port';
import type { ShapeInput } from '../../openvino/shapes';
import type { CacheLayout } from '../entry/layout';
import { removeEntry } from '../entry/remove';
import type { InputIdentity, KeyParts } from '../key';
import type { ResolvedCompileOptions } from '../options';
import { growthEvent, type GrowthEvent } from './growth';
import { dynamicShapesFor, type ResolvedDynamicShapes } from './options';
import { planSizes } from './plan';
import { modelIdentity, ShapeMemos, type ShapeMemo, type StaticSizes, type ShapeRoute } from './shape-memo';

export type { ShapeRoute };

const log = logger('cache');

/** What the router needs of a prepared compile (key-builder's PreparedCompile). */
interface Prepared {
  parts: KeyParts;
  modelObject: RuntimeModel | undefined;
  /** Shapes of a compile keyed from memos, its model unread (key-builder). */
  deferredShapes?: unknown;
  route?: ShapeRoute;
}

/** What it needs of a compile's outcome. */
interface Compiled {
  compiled: RuntimeCompiledModel;
  cached: boolean;
  key: string | null;
  parts: KeyParts | null;
  entryDir: string | null;
  route?: ShapeRoute;
}

export interface ShapeRouterParts {
  dynamic: ResolvedDynamicShapes;
  /** Entries per model above which `growth` is emitted; null: never. */
  growthEntries: number | null;
  layout: CacheLayout;
  readOnly: boolean;
  staleLockMs: number;
  /** Whether this process holds the entry (compiling it, or a registry keeps it loaded). */
  isHeld(key: string): boolean;
  emitGrowth(event: GrowthEvent): void;
}

export class ShapeRouter {
  private readonly memos: ShapeMemos;

  constructor(private readonly p: ShapeRouterParts) {
    this.memos = new ShapeMemos(p.layout.fingerprints, p.readOnly);
  }

  /** Whether compiles of this device may be routed to dynamic variants. */
  enabledFor(device: string): boolean {
    return dynamicShapesFor(this.p.dynamic, device);
  }

  /**
   * For a compile with `shapes` (or a Model): records the size and, for a path model asked
   * for a static size the plan sends to a variant, reshapes the model to the variant's shapes
   * through `reshape` (which derives the key again). Never throws for the memo: an unreadable
   * one starts afresh, an unwritable one is logged.
   */
  async route(
    model: string | RuntimeModel,
    opts: ResolvedCompileOptions,
    prep: Prepared,
    reshape: (shapes: Record<string, ShapeInput>) => void | Promise<void>,
    /** false (keyFor): decide as a compile would, but record nothing. */
    record = true,
  ): Promise<void> {
    if (!opts.shapes && typeof model === 'string') return;
    const asked = staticSizes(prep.parts.inputs);
    const label = typeof model === 'string' ? path.resolve(model) : model.path;
    const identity = modelIdentity(prep.parts);
    const route: ShapeRoute = { identity, asked, variant: null, replaces: null, model: label, device: opts.device };
    prep.route = route;
    if (!asked || typeof model !== 'string' || (!prep.modelObject && !prep.deferredShapes)) return;
    const plan = await this.memos.update(identity, prep.parts, (memo) => {
      const decided = planSizes(memo, asked, {
        enabled: this.enabledFor(opts.device),
        after: this.p.dynamic.after,
        bounds: this.p.dynamic.bounds,
      });
      return { result: decided, changed: record && decided.changed };
    });
    if (!plan.variant) return;
    try {
      await reshape(plan.variant);
      route.variant = plan.variant;
      route.replaces = plan.replaces;
    } catch (error) {
      log('cannot compile %s with dynamic %j (%s); compiling the size asked', label, plan.variant, (error as Error).message);
      await reshape(asked);
    }
  }

  /** After a compile: bare inputs take the size asked; the memo records the entry; growth. */
  async afterCompile(o: Compiled): Promise<void> {
    const route = o.route;
    if (!route) return;
    if (route.variant && route.asked) o.compiled.setBareInputShapes(route.asked);
    if (this.p.readOnly || !o.cached || !o.key || !o.entryDir || !o.parts) return;
    const key = o.key;
    const name = path.basename(o.entryDir);
    const event = await this.memos.update(route.identity, o.parts, async (memo) => {
      let changed = false;
      if (route.variant) {
        const v = memo.variant;
        if (!v || v.key === null || JSON.stringify(v.shapes) === JSON.stringify(route.variant)) {
          changed ||= v?.key !== key;
          memo.variant = { shapes: route.variant, key };
        }
      }
      const before = memo.entries.length;
      memo.entries = memo.entries.filter((e) => fs.existsSync(path.join(this.p.layout.entries, e.name)));
      changed ||= memo.entries.length !== before;
      if (!memo.entries.some((e) => e.key === key)) {
        memo.entries.push({ key, name, variant: route.variant ? 'dynamic' : 'static' });
        changed = true;
      }
      if (route.replaces && route.replaces !== key) changed = (await this.removeReplaced(memo, route.replaces)) || changed;
      const warned = memo.warned;
      const growth = this.growth(memo, route);
      return { result: growth, changed: changed || memo.warned !== warned };
    });
    if (event) this.p.emitGrowth(event);
  }

  /** The growth event for this crossing of the threshold, if any (updates memo.warned). */
  private growth(memo: ShapeMemo, route: ShapeRoute): GrowthEvent | null {
    const limit = this.p.growthEntries;
    if (limit === null) return null;
    const count = memo.entries.length;
    if (count <= limit) {
      memo.warned = false;
      return null;
    }
    if (memo.warned) return null;
    memo.warned = true;
    const event = growthEvent(memo, route, limit, this.enabledFor(route.device));
    log('growth: %s', event.message);
    return event;
  }

  private async removeReplaced(memo: ShapeMemo, key: string): Promise<boolean> {
    const old = memo.entries.find((e) => e.key === key);
    if (!old || this.p.isHeld(key)) return false;
    const r = await removeEntry(this.p.layout.root, path.join(this.p.layout.entries, old.name), { key, staleLockMs: this.p.staleLockMs });
    log('widened variant replaces %s: %s', old.name, r.status);
    if (r.status !== 'removed' && r.status !== 'missing') return false;
    memo.entries = memo.entries.filter((e) => e.key !== key);
    return true;
  }
}

/** The static size of every input, or null when one is not static. */
function staticSizes(inputs: InputIdentity[]): StaticSizes | null {
  const out: StaticSizes = {};
  for (const i of inputs) {
    if (!/^\[\d+(,\d+)*\]$/.test(i.shape)) return null;
    out[i.name] = i.shape.slice(1, -1).split(',').map(Number);
  }
  return out;
}
