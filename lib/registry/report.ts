// What list() and stats() say about one loaded model.
import type { RegistryEntryInfo, RegistryModelStats } from './events';
import type { Slot } from './slot';

export function entryInfo(s: Slot): RegistryEntryInfo {
  return {
    id: s.id,
    model: s.model,
    name: s.name,
    device: s.device,
    key: s.loaded?.key ?? null,
    bytes: s.bytes,
    bytesSource: s.bytesSource,
    handles: s.holders,
    pins: s.holders,
    pinned: s.pinned,
    keepAliveMs: s.keepAliveMs,
    idleSince: s.idleSince,
    loading: s.loaded === undefined,
  };
}

export function modelStats(s: Slot): RegistryModelStats {
  return {
    id: s.id,
    model: s.model,
    name: s.name,
    device: s.device,
    queueDepth: s.pool?.queueDepth ?? 0,
    inFlight: s.pool?.inFlight ?? 0,
    inferRequests: s.pool?.size ?? 0,
    handles: s.holders,
    pinned: s.pinned,
    bytes: s.bytes,
    bytesSource: s.bytesSource,
  };
}
