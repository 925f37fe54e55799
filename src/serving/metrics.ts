/**
 * Prometheus metrics for GET /monitoring/prometheus/metrics, under the names TF Serving's code
 * registers (tensorflow_serving/servables/tensorflow/util.cc, batching/, saved_model_warmup_util.cc)
 * as its exporter spells them: every '/' of the TF metric name becomes ':', so
 * `/tensorflow/serving/request_count` is `:tensorflow:serving:request_count`. Histograms use
 * TF's own bucket limits (Buckets::Exponential(scale, growth, count), plus +Inf), with microsecond
 * values. TF's labels come first; the labels TF Serving lacks and the issue asks for are added
 * after them: `version` on request and runtime metrics, `API` and `entrypoint` on request_count,
 * `model_name`/`version` on the batching metrics (TF's batching metrics carry no model).
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { BatchEvent } from './batching.js';
import type { GrpcCodeName } from './servable.js';

/** TF's Buckets::Exponential: scale * growth^i for i < count; limits kept to 6 significant digits as TF prints them. */
export function exponentialBuckets(scale: number, growth: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((scale * growth ** i).toPrecision(6)));
}

/** request/runtime/warm-up latency: scale 10 us, power 1.8, 33 buckets (~20 minutes) */
const LATENCY_BUCKETS = exponentialBuckets(10, 1.8, 33);
/** batching queuing latency: scale 100 us, power 1.2, 52 buckets (~1 second) */
const QUEUING_BUCKETS = exponentialBuckets(100, 1.2, 52);
/** batch sizes: 1, 2, 4, ..., 2^13 */
const BATCH_SIZE_BUCKETS = exponentialBuckets(1, 2, 14);
/** examples per request: 1, 2, ..., 2^14 */
const EXAMPLE_BUCKETS = exponentialBuckets(1, 2, 15);

/** One finished request, as both faces see it. */
export interface RequestObservation {
  model: string;
  /** the version that answered; empty when none was resolved (unknown model, bad path) */
  version?: number | string;
  /** TF's API label: REST uses the verb ('predict', 'classify', 'regress', '' for GETs), gRPC the RPC ('Predict', ...) */
  api: string;
  entrypoint: 'REST' | 'GRPC';
  status: GrpcCodeName;
  /** wall time from the request read to the response written */
  latencyUs: number;
}

export interface ServingMetrics {
  readonly registry: Registry;
  /** the Content-Type for render()'s text */
  readonly contentType: string;
  /** request_count always; request_latency only for OK, as TF Serving records it */
  observeRequest(o: RequestObservation): void;
  /** the model run alone (TF's runtime_latency; runtime 'TFJS') */
  observeRuntime(o: { model: string; version: number | string; api: string; latencyUs: number }): void;
  /** Classify/Regress examples per request (TF records these for MultiInference) */
  observeExamples(o: { model: string; count: number }): void;
  /** one version's warm-up: TF labels it by the version's path and the status text ('OK' or the error) */
  observeWarmup(o: { modelPath: string; status: string; latencyUs: number; records: number }): void;
  /** one batch run (pass the batcher's onBatch event) */
  observeBatch(o: { model: string; version: number | string }, event: BatchEvent): void;
  /** the exposition text */
  render(): Promise<string>;
}

/** Thread pool name TF Serving's model server gives its batch threads (server.cc). */
export const BATCH_THREAD_POOL = 'model_server_batch_threads';

export function createServingMetrics(options: { runtime?: string; threadPoolName?: string } = {}): ServingMetrics {
  const runtime = options.runtime ?? 'TFJS';
  const pool = options.threadPoolName ?? BATCH_THREAD_POOL;
  // a registry of our own: nothing of the process's (or another server's in the same process) leaks in
  const registry = new Registry();
  const registers = [registry];
  const requestCount = new Counter({
    name: ':tensorflow:serving:request_count',
    help: 'The total number of requests.',
    labelNames: ['model_name', 'status', 'version', 'API', 'entrypoint'],
    registers,
  });
  const requestLatency = new Histogram({
    name: ':tensorflow:serving:request_latency',
    help: 'Distribution of wall time (in microseconds) for Tensorflow Serving request.',
    labelNames: ['model_name', 'API', 'entrypoint', 'version'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const runtimeLatency = new Histogram({
    name: ':tensorflow:serving:runtime_latency',
    help: 'Distribution of wall time (in microseconds) for Tensorflow runtime.',
    labelNames: ['model_name', 'API', 'runtime', 'version'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const exampleCounts = new Histogram({
    name: ':tensorflow:serving:request_example_counts',
    help: 'The number of tensorflow.Examples per request.',
    labelNames: ['model'],
    buckets: EXAMPLE_BUCKETS,
    registers,
  });
  const exampleTotal = new Counter({
    name: ':tensorflow:serving:request_example_count_total',
    help: 'The total number of tensorflow.Examples.',
    labelNames: ['model'],
    registers,
  });
  const warmupLatency = new Histogram({
    name: ':tensorflow:serving:model_warmup_latency',
    help: 'Distribution of wall time (in microseconds) for warming up the model.',
    labelNames: ['model_path', 'status'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const warmupRecords = new Counter({
    name: ':tensorflow:serving:model_warmup_records_read',
    help: 'Total number of warmup records read during model warmup.',
    labelNames: ['model_path', 'status'],
    registers,
  });
  const queuingLatency = new Histogram({
    name: ':tensorflow:serving:batching_session:queuing_latency',
    help: 'Distribution of wall time spent (in microseconds) in queuing',
    labelNames: ['thread_pool_name', 'model_name', 'version'],
    buckets: QUEUING_BUCKETS,
    registers,
  });
  const wrappedRuns = new Counter({
    name: ':tensorflow:serving:batching_session:wrapped_run_count',
    help: 'Total count of run calls on the wrapped session',
    labelNames: ['model_name', 'version'],
    registers,
  });
  const inputBatchSize = new Histogram({
    name: ':tensorflow:serving:batching_session:input_batch_size',
    help: 'Tracks the batch size distribution on the inputs.',
    labelNames: ['model_name', 'version'],
    buckets: BATCH_SIZE_BUCKETS,
    registers,
  });
  const processedBatchSize = new Histogram({
    name: ':tensorflow:serving:batching_session:processed_batch_size',
    help: 'Tracks the batch size distribution on processing.',
    labelNames: ['model_name', 'version'],
    buckets: BATCH_SIZE_BUCKETS,
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(o) {
      const version = o.version === undefined ? '' : String(o.version);
      requestCount.inc({ model_name: o.model, status: o.status, version, API: o.api, entrypoint: o.entrypoint });
      if (o.status === 'OK')
        requestLatency.observe({ model_name: o.model, API: o.api, entrypoint: o.entrypoint, version }, o.latencyUs);
    },
    observeRuntime(o) {
      runtimeLatency.observe({ model_name: o.model, API: o.api, runtime, version: String(o.version) }, o.latencyUs);
    },
    observeExamples(o) {
      exampleCounts.observe({ model: o.model }, o.count);
      exampleTotal.inc({ model: o.model }, o.count);
    },
    observeWarmup(o) {
      warmupLatency.observe({ model_path: o.modelPath, status: o.status }, o.latencyUs);
      warmupRecords.inc({ model_path: o.modelPath, status: o.status }, o.records);
    },
    observeBatch(o, event) {
      const labels = { model_name: o.model, version: String(o.version) };
      for (const us of event.queuingMicros) queuingLatency.observe({ thread_pool_name: pool, ...labels }, us);
      for (const n of event.inputSizes) inputBatchSize.observe(labels, n);
      processedBatchSize.observe(labels, event.rows);
      wrappedRuns.inc(labels);
    },
    render: () => registry.metrics(),
  };
}
