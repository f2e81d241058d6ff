// ovcache/metrics: Prometheus metrics for ModelCache and ModelRegistry (docs/observability.md).
// prom-client is an optional peer dependency: importing this without it throws
// OVCACHE_PEER_MISSING, saying how to install it.
import { loadPromClient } from './prom-client';

loadPromClient();

export { createMetrics, type Metrics, type MetricsOptions, type Observable } from './metrics';
export { METRIC_NAMES, COMPILE_BUCKETS, LOAD_BUCKETS } from './definitions';
