// Follows one ModelRegistry: load and unload events feed counters and a histogram; the loaded
// models and their memory estimate are read from stats() at scrape time.
import type { ModelRegistry, RegistryInferEvent, RegistryLoadEvent, RegistryUnloadEvent } from '../registry/index';
import type { MetricSet } from './definitions';
import type { Incrementable, Observer, Tally } from './tally';

export class RegistryFollower {
  private readonly detachers: Array<() => void> = [];
  private readonly children = new Map<string, Incrementable | Observer>();

  constructor(
    readonly registry: ModelRegistry,
    m: MetricSet,
    tally: Tally,
  ) {
    /** Label children looked up once per label set: a registry hit (reuse) does one Map get. */
    const child = <T extends Incrementable | Observer>(id: string, make: () => T): T => {
      let c = this.children.get(id);
      if (!c) this.children.set(id, (c = make()));
      return c as T;
    };
    const onLoad = (e: RegistryLoadEvent) => {
      tally.inc(child(`load\0${e.outcome}\0${e.device}`, () => m.registryLoads.labels(e.outcome, e.device)));
      if (e.outcome !== 'reuse')
        tally.observe(
          child(`seconds\0${e.device}`, () => m.registryLoadSeconds.labels(e.device)),
          e.ms / 1000,
        );
    };
    const onUnload = (e: RegistryUnloadEvent) => tally.inc(child(`unload\0${e.reason}`, () => m.registryUnloads.labels(e.reason)));
    const onInfer = (e: RegistryInferEvent) => {
      tally.inc(child(`infer\0${e.outcome}\0${e.device}`, () => m.registryInferences.labels(e.outcome, e.device)));
      if (e.outcome === 'queue-full') return;
      tally.observe(
        child(`queued\0${e.device}`, () => m.registryQueueSeconds.labels(e.device)),
        e.queuedMs / 1000,
      );
      if (e.inferMs > 0)
        tally.observe(
          child(`inferred\0${e.device}`, () => m.registryInferSeconds.labels(e.device)),
          e.inferMs / 1000,
        );
    };
    registry.on('load', onLoad);
    registry.on('unload', onUnload);
    registry.on('infer', onInfer);
    this.detachers.push(
      () => registry.off('load', onLoad),
      () => registry.off('unload', onUnload),
      () => registry.off('infer', onInfer),
    );
  }

  models(): number {
    return this.registry.stats().loaded;
  }

  bytes(): number {
    return this.registry.stats().bytes;
  }

  queueDepth(): number {
    return this.registry.stats().models.reduce((n, m) => n + m.queueDepth, 0);
  }

  detach(): void {
    for (const d of this.detachers.splice(0)) d();
  }
}
