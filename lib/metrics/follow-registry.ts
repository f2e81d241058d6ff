// Follows one ModelRegistry: load and unload events feed counters and a histogram; the loaded
// models and their memory estimate are read from stats() at scrape time.
import type { ModelRegistry, RegistryLoadEvent, RegistryUnloadEvent } from '../index';
import type { MetricSet } from './definitions';

export class RegistryFollower {
  private readonly detachers: Array<() => void> = [];

  constructor(
    readonly registry: ModelRegistry,
    m: MetricSet,
  ) {
    const onLoad = (e: RegistryLoadEvent) => {
      m.registryLoads.labels(e.outcome, e.device).inc();
      if (e.outcome !== 'reuse') m.registryLoadSeconds.labels(e.device).observe(e.ms / 1000);
    };
    const onUnload = (e: RegistryUnloadEvent) => m.registryUnloads.labels(e.reason).inc();
    registry.on('load', onLoad);
    registry.on('unload', onUnload);
    this.detachers.push(
      () => registry.off('load', onLoad),
      () => registry.off('unload', onUnload),
    );
  }

  models(): number {
    return this.registry.stats().loaded;
  }

  bytes(): number {
    return this.registry.stats().bytes;
  }

  detach(): void {
    for (const d of this.detachers.splice(0)) d();
  }
}
