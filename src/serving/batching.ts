/**
 * Server-side batching of concurrent requests, with TF Serving's knobs and semantics
 * (BatchingParameters; SharedBatchScheduler + BatchingSession): requests for one model version
 * queue up, their rows are concatenated into one batch, the model runs once, and each caller
 * gets its own rows of the output back, in order. One scheduler runs at most `numBatchThreads`
 * batches at a time across every queue, round-robin, as TF's shared batch threads do, so a busy
 * model cannot starve another. Generic over the payload: a `BatchCodec` says how to count,
 * join and cut it (batch-codec.ts has one for servable.ts's tensor maps).
 */
import { BatchQueue, type Entry, type FlushReason, type QueuedBatch, type TaskState } from './batch-queue.js';
import { ServingError, unavailable } from './http-errors.js';

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

const DEFAULTS = { maxBatchSize: 1000, batchTimeoutMicros: 0, maxEnqueuedBatches: 10, numBatchThreads: 1 };

function positiveInt(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new ServingError(400, `batching: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

interface Runnable {
  take(now: number): (() => Promise<void>) | undefined;
  nextWake(): number | undefined;
  readonly done: boolean;
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
        throw new ServingError(
          500,
          `batching ${spec.name}: large batch splitting needs a codec with splitInputs and concatOutputs`,
        );
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

function createBatcher<I, O>(
  spec: QueueSpec<I, O>,
  limits: ConstructorParameters<typeof BatchQueue>[1],
  wake: () => void,
  register: (r: Runnable) => void,
): Batcher<I, O> {
  const { codec, name } = spec;
  const byKey = new Map<string, BatchQueue<I>>();
  let closing = false;
  let inFlight = 0;
  const idle: (() => void)[] = [];
  const settleIdle = () => {
    if (inFlight === 0 && [...byKey.values()].every((q) => q.isEmpty)) idle.splice(0).forEach((f) => f());
  };

  const queueFor = (key: string): BatchQueue<I> => {
    let q = byKey.get(key);
    if (!q) {
      q = new BatchQueue<I>(name, limits);
      byKey.set(key, q);
      const queue = q;
      register({
        take: (now) => {
          const b = queue.take(now);
          return b && (() => runBatch(b, now));
        },
        nextWake: () => (queue.closed ? undefined : queue.openDeadline()),
        get done() {
          return queue.closed && queue.isEmpty;
        },
      });
    }
    return q;
  };

  async function runBatch(batch: QueuedBatch<I>, now: number): Promise<void> {
    inFlight++;
    // tasks that waited past their deadline are not run (TF fails a batch whose tasks all expired)
    const live: Entry<I>[] = [];
    for (const e of batch.entries) {
      e.task.entries.delete(e as Entry<unknown>);
      if (e.task.deadline !== undefined && now > e.task.deadline)
        e.task.reject(new ServingError(429, `${name}: Run() timeout exceeded while waiting in batching queue`));
      else if (!e.task.settled) live.push(e);
    }
    try {
      if (live.length === 0) return;
      const sizes = live.map((e) => e.size);
      const deadlines = live.map((e) => e.task.deadline);
      const info: BatchInfo = {
        rows: sizes.reduce((a, b) => a + b, 0),
        tasks: live.length,
        reason: batch.reason ?? 'timeout',
        deadline: deadlines.includes(undefined) ? undefined : Math.max(...(deadlines as number[])),
      };
      spec.onBatch?.({
        ...info,
        queuingMicros: live.map((e) => Math.round((now - e.task.enqueuedAt) * 1000)),
        inputSizes: sizes,
      });
      let pieces: O[];
      try {
        const input = live.length === 1 ? live[0]!.input : codec.concatInputs(live.map((e) => e.input));
        const output = await spec.run(input, info);
        pieces = live.length === 1 ? [output] : codec.splitOutputs(output, sizes);
        if (pieces.length !== live.length)
          throw new ServingError(
            500,
            `${name}: batch output split into ${pieces.length} parts for ${live.length} tasks`,
          );
      } catch (err) {
        // the batch ran as one: its failure is every member's
        for (const e of live) e.task.reject(err);
        return;
      }
      live.forEach((e, k) => e.task.deliver(e.piece, pieces[k]));
    } finally {
      inFlight--;
      settleIdle();
    }
  }

  return {
    submit(input, options = {}) {
      return new Promise<O>((resolve, reject) => {
        if (closing)
          return reject(
            unavailable(`${name}: the model is being unloaded or the server is shutting down; retry the request`),
          );
        const { signal } = options;
        if (signal?.aborted) return reject(abortError(signal, name));
        const parts: O[] = [];
        let queue: BatchQueue<I> | undefined;
        const onAbort = () => {
          task.reject(abortError(signal!, name));
          if (queue?.remove(task)) settleIdle();
        };
        const task: TaskState = {
          enqueuedAt: performance.now(),
          deadline: options.deadline,
          settled: false,
          pending: 1,
          entries: new Set(),
          reject(err) {
            if (task.settled) return;
            task.settled = true;
            signal?.removeEventListener('abort', onAbort);
            if (queue?.remove(task)) settleIdle(); // a failed piece takes the task's other pieces out
            reject(err);
          },
          deliver(piece, output) {
            if (task.settled) return;
            parts[piece] = output as O;
            if (--task.pending > 0) return;
            task.settled = true;
            signal?.removeEventListener('abort', onAbort);
            resolve(parts.length === 1 ? parts[0]! : codec.concatOutputs!(parts));
          },
        };
        try {
          const size = codec.size(input);
          queue = queueFor(codec.key?.(input) ?? '');
          queue.add(input, size, task, task.enqueuedAt, codec.splitInputs);
        } catch (err) {
          return reject(err);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        wake();
      });
    },
    get enqueuedTasks() {
      return [...byKey.values()].reduce((n, q) => n + q.enqueuedTasks, 0);
    },
    close() {
      closing = true;
      for (const q of byKey.values()) q.closed = true;
      wake();
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
  };
}

function abortError(signal: AbortSignal, name: string): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof ServingError) return reason;
  // TF's CANCELLED, which its REST face answers 499 (client closed request)
  return new ServingError(499, `${name}: the request was cancelled while waiting for its batch`);
}
