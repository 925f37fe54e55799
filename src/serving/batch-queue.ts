/**
 * One batching queue, as TensorFlow's SharedBatchScheduler queue behaves (shared_batch_scheduler.h):
 * a deque of batches whose back one is open and the rest closed. A task joins the open batch; if it
 * doesn't fit, the open batch is closed and a new one opened, unless the queue already holds
 * `maxEnqueuedBatches` batches, which turns the task away. A batch being run has left the queue.
 * The open batch becomes runnable once it is full, once its first task has waited
 * `batchTimeoutMicros`, or once the queue is closing. Pure bookkeeping: the scheduler
 * (batching.ts) owns the clock, the timers and the runs.
 */
import { badRequest, ServingError } from './http-errors.js';

/** Why a batch left the queue: it filled up, its oldest task waited the timeout, or the queue closed. */
export type FlushReason = 'full' | 'timeout' | 'close';

/** One queued piece of work: a whole task, or one piece of a task split across batches. */
export interface Entry<I> {
  input: I;
  size: number;
  /** which piece of its task (0 when not split) */
  piece: number;
  task: TaskState;
}

/** What a caller waits on; a split task resolves when every piece has. */
export interface TaskState {
  /** performance.now() when submitted */
  enqueuedAt: number;
  /** performance.now() after which the task is not worth running */
  deadline?: number;
  /** settled (resolved, rejected, aborted): later results are dropped */
  settled: boolean;
  /** pieces not yet queued-and-run */
  pending: number;
  /** every queued entry of this task, so an abort can take them out */
  entries: Set<Entry<unknown>>;
  reject(err: unknown): void;
  deliver(piece: number, output: unknown): void;
}

export interface QueuedBatch<I> {
  entries: Entry<I>[];
  size: number;
  /** performance.now() when its first task joined */
  openedAt: number;
  reason?: FlushReason;
}

export interface QueueLimits {
  /** most rows one task may carry (TF: input_batch_size_limit, `max_batch_size`) */
  maxBatchSize: number;
  /** most rows one run gets (TF: max_execution_batch_size; = maxBatchSize unless splitting) */
  maxExecutionBatchSize: number;
  batchTimeoutMicros: number;
  maxEnqueuedBatches: number;
  enableLargeBatchSplitting: boolean;
}

/** The queue-full error. TF returns UNAVAILABLE (503) here; tsfx answers 429 as the issue asks, RESOURCE_EXHAUSTED's code. */
export function queueFull(where: string, detail = ''): ServingError {
  return new ServingError(
    'RESOURCE_EXHAUSTED',
    `${where}: the batch scheduling queue to which this task was submitted is full${detail}`,
  );
}

export class BatchQueue<I> {
  private batches: QueuedBatch<I>[] = [];
  closed = false;

  constructor(
    readonly where: string,
    readonly limits: QueueLimits,
  ) {
    this.batches.push(emptyBatch());
  }

  /** tasks waiting (not yet running), counted by entries */
  get enqueuedTasks(): number {
    return this.batches.reduce((n, b) => n + b.entries.length, 0);
  }

  get isEmpty(): boolean {
    return this.batches.length === 1 && this.batches[0]!.entries.length === 0;
  }

  /** rows that can still join without turning a task away (TF's SchedulingCapacity) */
  capacity(): number {
    const { maxEnqueuedBatches, maxExecutionBatchSize } = this.limits;
    return (
      (maxEnqueuedBatches - this.batches.length) * maxExecutionBatchSize + (maxExecutionBatchSize - this.open.size)
    );
  }

  private get open(): QueuedBatch<I> {
    return this.batches[this.batches.length - 1]!;
  }

  /**
   * Queue a task's pieces (one piece unless it is split) or throw: 400 past maxBatchSize,
   * 429 when the queue is full. `cut(input, sizes)` splits an input by rows.
   */
  add(input: I, size: number, task: TaskState, now: number, cut?: (input: I, sizes: number[]) => I[]): void {
    const { maxBatchSize, maxExecutionBatchSize, maxEnqueuedBatches, enableLargeBatchSplitting } = this.limits;
    if (size > maxBatchSize)
      throw badRequest(`${this.where}: Task size ${size} is larger than maximum input batch size ${maxBatchSize}`);
    let sizes = [size];
    if (enableLargeBatchSplitting && cut && this.open.size + size > maxExecutionBatchSize) {
      const cap = this.capacity();
      if (size > cap) throw queueFull(this.where, `; task size is ${size} but scheduling capacity is only ${cap}`);
      sizes = pieceSizes(size, maxExecutionBatchSize - this.open.size, maxExecutionBatchSize);
    } else if (this.open.size + size > maxExecutionBatchSize && this.batches.length >= maxEnqueuedBatches) {
      throw queueFull(this.where);
    }
    const inputs = sizes.length === 1 ? [input] : cut!(input, sizes);
    task.pending = sizes.length;
    sizes.forEach((s, piece) => {
      if (this.open.size + s > maxExecutionBatchSize) this.startNewBatch('full');
      const entry: Entry<I> = { input: inputs[piece]!, size: s, piece, task };
      if (this.open.entries.length === 0) this.open.openedAt = now;
      this.open.entries.push(entry);
      this.open.size += s;
      task.entries.add(entry as Entry<unknown>);
    });
  }

  /** Take an aborted task's entries out of the queue; true if any were still queued. */
  remove(task: TaskState): boolean {
    let found = false;
    for (const b of this.batches) {
      const kept = b.entries.filter((e) => e.task !== task);
      if (kept.length !== b.entries.length) {
        found = true;
        b.entries = kept;
        b.size = kept.reduce((n, e) => n + e.size, 0);
      }
    }
    // a closed batch emptied by aborts is dropped; the open one stays (the deque is never empty)
    this.batches = this.batches.filter((b, i) => i === this.batches.length - 1 || b.entries.length > 0);
    return found;
  }

  /** performance.now() at which the open batch's timeout fires, if it holds tasks */
  openDeadline(): number | undefined {
    const b = this.open;
    return b.entries.length ? b.openedAt + this.limits.batchTimeoutMicros / 1000 : undefined;
  }

  /** The next runnable batch (it leaves the queue), or undefined. */
  take(now: number): QueuedBatch<I> | undefined {
    if (this.batches.length === 1) {
      const b = this.open;
      if (b.entries.length === 0) return undefined;
      if (this.closed) this.startNewBatch('close');
      else if (b.size >= this.limits.maxExecutionBatchSize) this.startNewBatch('full');
      else if (now >= b.openedAt + this.limits.batchTimeoutMicros / 1000) this.startNewBatch('timeout');
      else return undefined;
    }
    return this.batches.shift();
  }

  private startNewBatch(reason: FlushReason): void {
    this.open.reason = reason;
    this.batches.push(emptyBatch());
  }
}

function emptyBatch<I>(): QueuedBatch<I> {
  return { entries: [], size: 0, openedAt: 0 };
}

/** A task of `size` rows cut to fill the open batch's `room`, then whole batches, then the rest. */
function pieceSizes(size: number, room: number, perBatch: number): number[] {
  const sizes: number[] = [];
  let left = size;
  if (room > 0) {
    sizes.push(Math.min(room, left));
    left -= sizes[0]!;
  }
  while (left > 0) {
    sizes.push(Math.min(perBatch, left));
    left -= sizes[sizes.length - 1]!;
  }
  return sizes;
}
