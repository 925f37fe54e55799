/**
 * One model version's batching queue as its callers see it: submit a request, get its rows of
 * the batch output back. Requests whose tensors differ in row shape go to separate sub-queues
 * (TF keeps one queue per tensor signature); the shared scheduler (batching.ts) decides when
 * each queued batch runs.
 */
import { BatchQueue, type Entry, type QueuedBatch, type QueueLimits, type TaskState } from './batch-queue.js';
import type { BatchInfo, Batcher, QueueSpec, Runnable } from './batching-types.js';
import { ServingError, unavailable } from './http-errors.js';

/** Build a queue for the scheduler: `wake` asks it to look for work, `register` hands it a runnable. */
export function createBatcher<I, O>(
  spec: QueueSpec<I, O>,
  limits: QueueLimits,
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
        e.task.reject(
          new ServingError('RESOURCE_EXHAUSTED', `${name}: Run() timeout exceeded while waiting in batching queue`),
        );
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
            'INTERNAL',
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
  return new ServingError('CANCELLED', `${name}: the request was cancelled while waiting for its batch`);
}
