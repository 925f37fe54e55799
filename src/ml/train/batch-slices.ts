/** Splitting a batch by rows, for the replicas (copies, so each slice's buffers can be transferred). */
import type { TrainBatch } from './stepper.js';

/** [from, to) row ranges of n nearly equal parts; empty parts are left out. */
export function splitRows(rows: number, n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.round((rows * i) / n);
    const to = Math.round((rows * (i + 1)) / n);
    if (to > from) out.push([from, to]);
  }
  return out;
}

/** Rows [from, to) of a batch, in fresh arrays. */
export function sliceBatch<B extends Omit<TrainBatch, 'ys'> & { ys?: Float32Array }>(
  batch: B,
  from: number,
  to: number,
): B {
  const per = (a: Float32Array | Int32Array) => a.length / batch.rows;
  const xs: TrainBatch['xs'] = {};
  for (const [name, a] of Object.entries(batch.xs)) xs[name] = a.slice(from * per(a), to * per(a));
  return {
    ...batch,
    rows: to - from,
    xs,
    ...(batch.ys ? { ys: batch.ys.slice(from, to) } : {}),
    ...(batch.weights ? { weights: batch.weights.slice(from, to) } : {}),
  };
}
