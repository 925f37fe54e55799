/**
 * Metrics and server-side batching, wired into the serving code path in one place: the
 * repository's lifecycle hooks (a batcher per version once it is AVAILABLE, closed before its
 * servable is disposed; warm-up metrics), the core's runner (a request's model run goes through
 * its version's batcher when batching is on; runtime and example-count metrics) and the core's
 * observer (request_count and request_latency, for the REST and the gRPC face alike).
 * Metrics are always on; batching only when parameters are given (`tsfx serve --enable-batching`).
 */
import { createBatchScheduler, type Batcher, type BatchScheduler } from './batching.js';
import { tensorMapCodec, type TensorMap } from './batch-codec.js';
import type { BatchingFile } from './batching-config.js';
import { createServingMetrics, type ServingMetrics } from './metrics.js';
import type { RepositoryHooks } from './model-repository.js';
import type { Servable } from './servable-loader.js';
import type { ModelRunner, RequestEvent, ServingApi, ServingCoreOptions } from './serving-core.js';

export interface ServingHooksOptions {
  /** server-side batching's parameters; absent: no batching */
  batching?: BatchingFile;
  /** rows per model.predict call of a batch run (the event loop runs between chunks) */
  chunkRows?: number;
}

export interface ServingHooks {
  readonly metrics: ServingMetrics;
  /** the shared batch scheduler, when batching is on */
  readonly scheduler?: BatchScheduler;
  /** pass to `new ModelRepository(base, { hooks })` */
  readonly repository: RepositoryHooks;
  /** pass as `startServer({ coreOptions })` (or to `new RepositoryServingCore`) */
  readonly coreOptions: Pick<ServingCoreOptions, 'runner' | 'observe'>;
  /** pass as `startServer({ metricsText })` */
  readonly metricsText: () => Promise<string>;
  /** Shutdown past the drain bound: running and queued batches stop at their next chunk (503). */
  abort(): void;
  /** Stop batching (queued tasks run at once, or fail if aborted): after the HTTP drain, before the repository stops. */
  close(): Promise<void>;
}

/** TF Serving's API label: the gRPC face names the RPC, the REST face the verb ('' for GETs). */
export function apiLabel(api: ServingApi, entrypoint: 'REST' | 'GRPC'): string {
  if (entrypoint === 'GRPC')
    return {
      predict: 'Predict',
      classify: 'Classify',
      regress: 'Regress',
      metadata: 'GetModelMetadata',
      status: 'GetModelStatus',
    }[api];
  return api === 'metadata' || api === 'status' ? '' : api;
}

const rowsOf = (inputs: TensorMap) => Object.values(inputs)[0]?.shape[0] ?? 0;

export function createServingHooks(options: ServingHooksOptions = {}): ServingHooks {
  const metrics = createServingMetrics({ threadPoolName: options.batching?.threadPoolName });
  const scheduler = options.batching ? createBatchScheduler(options.batching) : undefined;
  // the per-queue parameters are checked when a queue is made: check them now, not at every version's load
  if (options.batching)
    void createBatchScheduler(options.batching)
      .addQueue({ name: 'check', codec: tensorMapCodec, run: async (x: TensorMap) => x })
      .close();
  // keyed by servable, not model/version: a reloaded version is a new servable with a queue of its own
  const batchers = new Map<Servable, Batcher<TensorMap, TensorMap>>();
  const stopping = new AbortController();

  const repository: RepositoryHooks = {
    onAvailable(model, version, servable) {
      if (!scheduler) return;
      const labels = { model, version };
      batchers.set(
        servable,
        scheduler.addQueue<TensorMap, TensorMap>({
          name: `${model}/${version}`,
          codec: tensorMapCodec,
          // each task was checked against its deadline when its batch started; the batch runs whole
          run: (inputs) => servable.run(inputs, { chunkRows: options.chunkRows, signal: stopping.signal }),
          onBatch: (e) => metrics.observeBatch(labels, e),
        }),
      );
    },
    onDispose(servable) {
      // no request holds the version any more, so its queue is empty: closing only stops it
      const batcher = batchers.get(servable);
      batchers.delete(servable);
      void batcher?.close();
    },
    onWarmup(e) {
      metrics.observeWarmup({ modelPath: e.dir, status: e.status, latencyUs: e.latencyMs * 1000, records: e.records });
    },
  };

  const runner: ModelRunner = async (key, inputs, run) => {
    const api = key.api ?? 'predict';
    if (api === 'classify' || api === 'regress') metrics.observeExamples({ model: key.model, count: rowsOf(inputs) });
    const t0 = performance.now();
    const batcher = batchers.get(key.servable);
    // TF's runtime latency wraps the (batching) session's Run: queuing included
    const out = batcher
      ? await batcher.submit(inputs, key.deadline === undefined ? {} : { deadline: key.deadline })
      : await run(inputs);
    metrics.observeRuntime({
      model: key.model,
      version: key.version,
      api: apiLabel(api, 'REST'),
      latencyUs: (performance.now() - t0) * 1000,
    });
    return out;
  };

  const observe = (e: RequestEvent) =>
    metrics.observeRequest({
      model: e.model,
      version: e.version,
      api: apiLabel(e.api, e.entrypoint),
      entrypoint: e.entrypoint,
      status: e.code,
      latencyUs: e.latencyMs * 1000,
    });

  return {
    metrics,
    scheduler,
    repository,
    coreOptions: { runner, observe },
    metricsText: () => metrics.render(),
    abort: () => stopping.abort(),
    close: async () => {
      await scheduler?.close();
      batchers.clear();
    },
  };
}
