/**
 * The types of server-side batching (batching.ts): TF Serving's BatchingParameters, the codec
 * that lets a payload be batched, and what a queue's caller and its run see.
 */
import type { FlushReason } from './batch-queue.js';

export type { FlushReason } from './batch-queue.js';

/** TF Serving's BatchingParameters, camelCased; defaults are SharedBatchScheduler's. */
export interface BatchingParameters {
  /** most rows in one request and one batch (TF default 1000) */
  maxBatchSize?: number;
  /** how long the oldest queued task waits for company before its batch runs anyway (TF default 0) */
  batchTimeoutMicros?: number;
  /** queued batches (the open one included, running ones not) past which a task is turned away (TF default 10) */
  maxEnqueuedBatches?: number;
  /** batches run at once across all models; one event loop, so the default is 1 */
  numBatchThreads?: number;
  /** cut a request too big for the open batch across batches instead of closing it early (TF default false) */
  enableLargeBatchSplitting?: boolean;
  /** with splitting: most rows per run (default maxBatchSize) */
  maxExecutionBatchSize?: number;
}

/** How to count, join and cut a payload by rows (its first dimension). */
export interface BatchCodec<I, O> {
  /** rows in an input */
  size(input: I): number;
  /** inputs with different keys never share a batch (TF keeps one queue per tensor signature) */
  key?(input: I): string;
  concatInputs(inputs: I[]): I;
  /** cut an output into consecutive pieces of these row counts */
  splitOutputs(output: O, sizes: number[]): O[];
  /** only for enableLargeBatchSplitting: cut an input, and join the outputs of its pieces */
  splitInputs?(input: I, sizes: number[]): I[];
  concatOutputs?(outputs: O[]): O;
}

/** What a run is told about its batch. */
export interface BatchInfo {
  rows: number;
  tasks: number;
  reason: FlushReason;
  /** the latest deadline among its tasks (performance.now() ms), as TF's batch run options take */
  deadline?: number;
}

/** Reported once per batch run, for metrics (metrics.ts observeBatch). */
export interface BatchEvent extends BatchInfo {
  /** per task, microseconds between submit and its batch starting */
  queuingMicros: number[];
  /** per task, its rows */
  inputSizes: number[];
}

export interface SubmitOptions {
  /** aborting takes the task out of the queue, or lets its caller go if its batch is running */
  signal?: AbortSignal;
  /** performance.now() ms; a task still queued past it is dropped (TF: RESOURCE_EXHAUSTED, 429) */
  deadline?: number;
}

export interface Batcher<I, O> {
  /** Queue one request's input; resolves with its rows of the batch output. */
  submit(input: I, options?: SubmitOptions): Promise<O>;
  /** tasks queued and not yet running */
  readonly enqueuedTasks: number;
  /** Stop taking tasks (503), run what is queued at once, resolve when all have run. */
  close(): Promise<void>;
}

/** One queue: a model version's batching. */
export interface QueueSpec<I, O> {
  /** e.g. `penguin/3`; starts every error message */
  name: string;
  codec: BatchCodec<I, O>;
  /** the model over one batch; its output has the batch's rows, in order */
  run(input: I, info: BatchInfo): Promise<O>;
  /** overrides of the scheduler's parameters for this queue (TF's per-model batching params) */
  parameters?: BatchingParameters;
  onBatch?(event: BatchEvent): void;
}

export interface BatchScheduler {
  /** A queue for one model version; close it when the version unloads. */
  addQueue<I, O>(spec: QueueSpec<I, O>): Batcher<I, O>;
  /** Close every queue and wait for the runs. */
  close(): Promise<void>;
}

/** What the scheduler asks of a queue. */
export interface Runnable {
  take(now: number): (() => Promise<void>) | undefined;
  nextWake(): number | undefined;
  readonly done: boolean;
}
