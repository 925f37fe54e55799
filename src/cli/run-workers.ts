/**
 * The workers a CLI command starts for the length of a run (`tsfx run`, `tsfx resume`): one
 * in this process (both queues, hosting the workflow) and `count - 1` worker processes beside
 * it for the cpu queue. `count` 0 starts nothing.
 */
import path from 'node:path';
import { whyNoGpu } from '../ml/gpu.js';
import type { TsfxConfig } from '../config.js';
import type { MetadataStore } from '../metadata/store.js';
import { installRuntimeLogging, startWorkers, type RunningWorkers } from '../orchestration/worker.js';
import { loadUserComponents } from './extra-components.js';
import { LOCAL_WORKER_CONCURRENCY, startLocalWorkers, type LocalWorkers } from './local-workers.js';

export interface RunWorkers {
  stop(): Promise<void>;
}

export async function startRunWorkers(opts: {
  config: TsfxConfig;
  address: string;
  store: MetadataStore;
  count: number;
  say: (line: string) => void;
  /** modules the worker processes import for custom components (the pipeline file, which registered them here) */
  components?: string[];
}): Promise<RunWorkers> {
  const { config, address, store, count, say } = opts;
  if (count === 0) return { stop: async () => {} };
  await loadUserComponents();
  installRuntimeLogging('WARN', path.join(config.home, 'logs', 'worker.log'));
  const workers = await startWorkers({
    config,
    address,
    store,
    // gpu only where a GPU backend can load: otherwise gpu nodes (the Trainer) go to cpu, the
    // same worker, instead of a queue polled by a worker that has no GPU
    queues: whyNoGpu() ? ['cpu'] : ['cpu', 'gpu'],
    // with worker processes beside it, take no more than they do (as `tsfx worker`): one JS
    // thread gains nothing from holding many CPU-bound shards while the others idle
    ...(count > 1 ? { maxConcurrentExecutors: LOCAL_WORKER_CONCURRENCY } : {}),
  });
  let local: LocalWorkers | undefined;
  const stop = async () => {
    await local?.stop();
    await drain(workers, say);
    await workers.shutdown();
  };
  const extra = count - 1;
  if (extra > 0) {
    say(`starting ${extra} more worker process${extra === 1 ? '' : 'es'} for the cpu queue…`);
    try {
      local = await startLocalWorkers(extra, { home: config.home, temporalAddress: address, components: opts.components });
    } catch (err) {
      await stop();
      throw err;
    }
  }
  return { stop };
}

/**
 * Our run is over, but this worker may be running another run's executor attempt (an orphaned
 * run it picked up, or one sharing the store's queues). Shutting down now would cancel that
 * attempt and use up one of its retries, so wait for it to finish; Ctrl-C stops waiting.
 */
async function drain(workers: RunningWorkers, say: (line: string) => void): Promise<void> {
  if (workers.inFlight() === 0) return;
  say(`waiting for ${workers.inFlight()} executor attempt(s) of other runs that this worker took to finish (Ctrl-C to stop now; they are retried elsewhere)`);
  let interrupted = false;
  const onSigint = () => (interrupted = true);
  process.once('SIGINT', onSigint);
  try {
    while (workers.inFlight() > 0 && !interrupted) await new Promise((r) => setTimeout(r, 200));
  } finally {
    process.off('SIGINT', onSigint);
  }
}
