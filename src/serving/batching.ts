/**
 * Server-side batching of concurrent requests, with TF Serving's knobs and semantics
 * (BatchingParameters; SharedBatchScheduler + BatchingSession): requests for one model version
 * queue up, their rows are concatenated into one batch, the model runs once, and each caller
 * gets its own rows of the output back, in order. One scheduler runs at most `numBatchThreads`
 * batches at a time across every queue, round-robin, as TF's shared batch threads do, so a busy
 * model cannot starve another. Generic over the payload: a `BatchCodec` says how to count,
 * join and cut it (batch-codec.ts has one for servable.ts's tensor maps).
 */
import { DefinitionError } from '../errors.js';
import { createBatcher } from './batcher.js';
import type { BatchingParameters, BatchScheduler, QueueSpec, Runnable } from './batching-types.js';

export type * from './batching-types.js';

const DEFAULTS = { maxBatchSize: 1000, batchTimeoutMicros: 0, maxEnqueuedBatches: 10, numBatchThreads: 1 };

function positiveInt(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new DefinitionError(`must be an integer >= ${min}, got ${v}`, ['batching', name]);
  return v;
}

/**
 * The shared scheduler. `parameters` are the defaults of every queue; numBatchThreads is the
 * scheduler's own.
 */
export function createBatchScheduler(parameters: BatchingParameters = {}): BatchScheduler {
  const threads = positiveInt(parameters.numBatchThreads ?? DEFAULTS.numBatchThreads, 'numBatchThreads', 1);
  const queues: Runnable[] = [];
  let next = 0;
  let running = 0;
  let pumpQueued = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;

  // coalesced onto the next turn of the loop, so requests read in the same I/O phase share a batch
  const schedulePump = () => {
    if (pumpQueued) return;
    pumpQueued = true;
    setImmediate(pump);
  };

  function pump(): void {
    pumpQueued = false;
    const now = performance.now();
    while (running < threads && queues.length) {
      let job: (() => Promise<void>) | undefined;
      for (let tried = 0; !job && tried < queues.length; tried++) {
        job = queues[next % queues.length]!.take(now);
        next = (next + 1) % queues.length;
      }
      if (!job) break;
      running++;
      void job().finally(() => {
        running--;
        schedulePump();
      });
    }
    for (let i = queues.length - 1; i >= 0; i--) if (queues[i]!.done) queues.splice(i, 1);
    arm();
  }

  // one timer, for the earliest open batch's timeout
  function arm(): void {
    // every thread busy: the next run's end pumps anyway, and a timer now would only spin
    const wake = running < threads ? Math.min(...queues.map((q) => q.nextWake() ?? Infinity)) : Infinity;
    if (wake === timerAt) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    timerAt = wake;
    if (wake === Infinity) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerAt = Infinity;
        pump();
      },
      Math.max(0, wake - performance.now()),
    );
  }

  const closers: (() => Promise<void>)[] = [];
  return {
    addQueue<I, O>(spec: QueueSpec<I, O>) {
      const p = { ...parameters, ...spec.parameters };
      const maxBatchSize = positiveInt(p.maxBatchSize ?? DEFAULTS.maxBatchSize, 'maxBatchSize', 1);
      const splitting = p.enableLargeBatchSplitting ?? false;
      const limits = {
        maxBatchSize,
        maxExecutionBatchSize: splitting
          ? positiveInt(p.maxExecutionBatchSize ?? maxBatchSize, 'maxExecutionBatchSize', 1)
          : maxBatchSize,
        batchTimeoutMicros: positiveInt(p.batchTimeoutMicros ?? DEFAULTS.batchTimeoutMicros, 'batchTimeoutMicros', 0),
        maxEnqueuedBatches: positiveInt(p.maxEnqueuedBatches ?? DEFAULTS.maxEnqueuedBatches, 'maxEnqueuedBatches', 1),
        enableLargeBatchSplitting: splitting,
      };
      if (splitting && (!spec.codec.splitInputs || !spec.codec.concatOutputs))
        throw new DefinitionError(
          `${spec.name}: large batch splitting needs a codec with splitInputs and concatOutputs`,
          ['batching', 'enableLargeBatchSplitting'],
        );
      // as TF requires: a request may be bigger than a run, not the other way round
      if (limits.maxExecutionBatchSize > maxBatchSize)
        throw new DefinitionError(`${limits.maxExecutionBatchSize} is larger than maxBatchSize ${maxBatchSize}`, [
          'batching',
          'maxExecutionBatchSize',
        ]);
      const batcher = createBatcher(spec, limits, schedulePump, (r) => queues.push(r));
      closers.push(() => batcher.close());
      return batcher;
    },
    async close() {
      await Promise.all(closers.map((c) => c()));
      if (timer) clearTimeout(timer);
    },
  };
}
