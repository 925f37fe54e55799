/**
 * Messages between the replica stepper (main thread) and its replica threads. Requests carry an
 * id and get exactly one reply; `apply` has none, and an error while applying is reported on the
 * next request's reply (the thread handles messages in order, so it applies before it computes).
 */
import type { BackendDescription } from './training-backend.js';
import type { EvalSums, ModelSource, TrainBatch, TrainState } from './stepper.js';

/** A replica's share of a step, and how long it computed (for the profile). */
export interface SliceGradients {
  grads: Float32Array;
  loss: number;
  /** ms from taking the request up to the reply: tensors in, forward, backward, gradients out */
  computeMs: number;
  /** ms the apply before this request took (0 for the first) */
  applyMs: number;
}

export interface ReplicaInit {
  source: ModelSource;
  backend?: string;
  index: number;
}

export type ReplicaRequest =
  | { op: 'grads'; id: number; batch: TrainBatch; totalWeight: number }
  | { op: 'evaluate'; id: number; batch: TrainBatch }
  | { op: 'predict'; id: number; batch: Omit<TrainBatch, 'ys'> }
  | { op: 'getState'; id: number }
  | { op: 'setState'; id: number; state: TrainState }
  | { op: 'setLearningRate'; id: number; lr: number };

export type ReplicaMessage = ReplicaRequest | { op: 'apply'; grads: Float32Array };

export interface ReplicaFailure {
  name: string;
  message: string;
  stack?: string;
}

export type ReplicaReply =
  | { op: 'ready'; backend: BackendDescription; gradientSize: number }
  | { op: 'failed'; error: ReplicaFailure }
  | {
      id: number;
      ok: true;
      value: SliceGradients | EvalSums | Float32Array | TrainState | undefined;
    }
  | { id: number; ok: false; error: ReplicaFailure };

/** The buffers a batch holds, to transfer rather than copy. */
export function batchBuffers(batch: Omit<TrainBatch, 'ys'> & { ys?: Float32Array }): ArrayBuffer[] {
  const arrays = [...Object.values(batch.xs), batch.ys, batch.weights].filter(
    (a): a is Float32Array | Int32Array => !!a,
  );
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
