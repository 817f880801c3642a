/**
 * Prometheus metrics of a breakerbox server (prom-client, one Registry per server).
 * @packageDocumentation
 */
export { BreakerboxMetrics, CHECK_BUCKETS, STATE_CODES, type CheckSource } from './metrics.ts';
export { parsePrometheus, sampleValue, type PromFamily, type PromSample } from './parse.ts';
