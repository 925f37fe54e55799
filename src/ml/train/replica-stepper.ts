/**
 * Data-parallel training on one machine, in the role of TensorFlow's MirroredStrategy (which
 * tfjs lacks): n worker threads each hold the same model (built from the ModelSource with the
 * same seed) on their own tfjs backend. Each step splits the batch into n slices; every replica
 * computes the gradients of its slice's loss divided by the whole batch's weight, the main
 * thread sums them (the weighted average of the slices' mean gradients), and every replica
 * applies that same sum. So a step equals one step on the whole batch, and the replicas stay
 * identical. This is how the Trainer uses more than one core.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DefinitionError, TsfxError, UserCodeError } from '../../errors.js';
import { batchWeight } from './model-core.js';
import {
  batchBuffers,
  type ReplicaFailure,
  type ReplicaInit,
  type ReplicaReply,
  type ReplicaRequest,
  type SliceGradients,
} from './replica-protocol.js';
import type { EvalSums, ModelSource, Stepper, TrainBatch, TrainState } from './stepper.js';
import type { BackendDescription } from './training-backend.js';
import { sliceBatch, splitRows } from './batch-slices.js';

export interface ReplicaStepperOptions {
  /** worker threads, each with a replica of the model (>= 1) */
  replicas: number;
  /** per-node backend override, as LocalStepperOptions.backend */
  backend?: string;
}

// tsx's hooks do not reach worker threads, so each registers them before importing the .ts entry
const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
const entry = new URL('./replica-worker.ts', import.meta.url).href;
const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;

/** A replica's error as an error of the family the thread threw (so retryability survives). */
function revive(index: number, e: ReplicaFailure): Error {
  const message = `replica ${index}: ${e.message}`;
  const err =
    e.name === 'DefinitionError'
      ? new DefinitionError(message)
      : e.name === 'UserCodeError'
        ? new UserCodeError(`replica ${index}`, new Error(e.message))
        : new TsfxError(message);
  if (e.stack) err.stack = `${err.name}: ${message}\n--- in replica ${index} ---\n${e.stack}`;
  return err;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

class Replica {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private dead?: Error;

  constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on('message', (reply: ReplicaReply) => {
      if (!('id' in reply)) return;
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) w?.resolve(reply.value);
      else w?.reject(revive(index, reply.error));
    });
    const die = (err: Error) => {
      this.dead ??= err;
      for (const w of this.waiting.values()) w.reject(this.dead);
      this.waiting.clear();
    };
    worker.on('error', (err) => die(new TsfxError(`replica ${index} crashed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => die(new TsfxError(`replica ${index} exited (code ${code})`)));
  }

  request<T>(msg: WithoutId<ReplicaRequest>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  post(msg: { op: 'apply'; grads: Float32Array }, transfer: ArrayBuffer[]): void {
    if (!this.dead) this.worker.postMessage(msg, transfer);
  }

  terminate(): Promise<number> {
    this.dead ??= new TsfxError(`replica ${this.index} was disposed`);
    return this.worker.terminate();
  }
}

function start(index: number, init: ReplicaInit): Promise<{ replica: Replica; backend: BackendDescription }> {
  const worker = new Worker(bootstrap, { eval: true, workerData: init });
  return new Promise((resolve, reject) => {
    const onMessage = (reply: ReplicaReply) => {
      if (!('op' in reply)) return;
      worker.off('message', onMessage);
      if (reply.op === 'ready') resolve({ replica: new Replica(index, worker), backend: reply.backend });
      else if (reply.op === 'failed') {
        reject(revive(index, reply.error));
        void worker.terminate();
      }
    };
    worker.on('message', onMessage);
    worker.once('error', (err) =>
      reject(new TsfxError(`replica ${index} failed to start: ${err.message}`, { cause: err })),
    );
    worker.once('exit', (code) => reject(new TsfxError(`replica ${index} exited while starting (code ${code})`)));
  });
}

/**
 * All the replies, or the failure of the lowest-numbered replica that failed (deterministic,
 * unlike Promise.all's first to arrive). Nothing is applied after a failure, so the replicas
 * stay equal and the stepper stays usable.
 */
async function settle<T>(requests: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(requests);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** n replicas in worker threads, one averaged step at a time. */
export class ReplicaStepper implements Stepper {
  readonly backend: Stepper['backend'];
  /**
   * Where step time goes, summed over steps (ms). `wait` runs from posting the slices to the
   * last reply; within it the slowest replica spent `compute` on its gradients and `apply` on
   * the previous step's update, the rest is messaging and queueing. `slice` and `sum` are this
   * thread's copies and the gradient sum.
   */
  readonly profile = { steps: 0, step: 0, slice: 0, wait: 0, compute: 0, apply: 0, sum: 0 };

  private constructor(
    private readonly replicas: Replica[],
    /** replica 0's backend, device and versions (every replica selects the same way) */
    readonly description: BackendDescription,
  ) {
    const { name, package: pkg, reason } = description;
    this.backend = { name, package: pkg, reason: `${replicas.length} replica thread(s); ${reason}` };
  }

  /** @example const stepper = await ReplicaStepper.create(source, { replicas: 2 }); */
  static async create(source: ModelSource, options: ReplicaStepperOptions): Promise<ReplicaStepper> {
    const n = options.replicas;
    if (!Number.isInteger(n) || n < 1)
      throw new DefinitionError(`must be a whole number >= 1, got ${n}`, ['strategy', 'replicas']);
    // one after another: tfjs-node's native library, loaded by two threads at once, crashes the process
    const started: PromiseSettledResult<Awaited<ReturnType<typeof start>>>[] = [];
    for (let i = 0; i < n; i++) {
      const [s] = await Promise.allSettled([start(i, { source, backend: options.backend, index: i })]);
      started.push(s!);
      if (s!.status === 'rejected') break;
    }
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(ok.map((s) => s.replica.terminate()));
      throw failed.reason;
    }
    return new ReplicaStepper(
      ok.map((s) => s.replica),
      ok[0]!.backend,
    );
  }

  async step(batch: TrainBatch): Promise<number> {
    const p = this.profile;
    const t0 = performance.now();
    const totalWeight = batchWeight(batch);
    const slices = splitRows(batch.rows, this.replicas.length).map(([from, to]) => sliceBatch(batch, from, to));
    const t1 = performance.now();
    const replies = await settle(
      slices.map((slice, i) =>
        this.replicas[i]!.request<SliceGradients>({ op: 'grads', batch: slice, totalWeight }, batchBuffers(slice)),
      ),
    );
    const t2 = performance.now();
    const sum = replies[0]!.grads;
    let loss = replies[0]!.loss;
    for (const r of replies.slice(1)) {
      loss += r.loss;
      for (let j = 0; j < sum.length; j++) sum[j]! += r.grads[j]!;
    }
    // the last replica takes the buffer itself, the others a copy each
    this.replicas.forEach((r, i) => {
      const grads = i === this.replicas.length - 1 ? sum : sum.slice();
      r.post({ op: 'apply', grads }, [grads.buffer as ArrayBuffer]);
    });
    const t3 = performance.now();
    p.steps++;
    p.step += t3 - t0;
    p.slice += t1 - t0;
    p.wait += t2 - t1;
    p.sum += t3 - t2;
    p.compute += Math.max(...replies.map((r) => r.computeMs));
    p.apply += Math.max(...replies.map((r) => r.applyMs));
    return loss;
  }

  async evaluate(batch: TrainBatch): Promise<EvalSums> {
    const sums = await settle(
      splitRows(batch.rows, this.replicas.length).map(([from, to], i) => {
        const slice = sliceBatch(batch, from, to);
        return this.replicas[i]!.request<EvalSums>({ op: 'evaluate', batch: slice }, batchBuffers(slice));
      }),
    );
    const out: EvalSums = { rows: 0, lossSum: 0, metricSums: {} };
    for (const s of sums) {
      out.rows += s.rows;
      out.lossSum += s.lossSum;
      for (const [k, v] of Object.entries(s.metricSums)) out.metricSums[k] = (out.metricSums[k] ?? 0) + v;
    }
    return out;
  }

  async predict(batch: Omit<TrainBatch, 'ys'>): Promise<Float32Array> {
    const parts = await settle(
      splitRows(batch.rows, this.replicas.length).map(([from, to], i) => {
        const slice = sliceBatch(batch, from, to);
        return this.replicas[i]!.request<Float32Array>({ op: 'predict', batch: slice }, batchBuffers(slice));
      }),
    );
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  /** Replica 0's state: every replica holds the same weights and optimizer state. */
  getState(): Promise<TrainState> {
    return this.replicas[0]!.request<TrainState>({ op: 'getState' });
  }

  async setState(state: TrainState): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.request({ op: 'setState', state })));
  }

  async setLearningRate(lr: number): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.request({ op: 'setLearningRate', lr })));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.terminate()));
  }
}
