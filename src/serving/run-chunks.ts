/**
 * Run a model over a batch in bounded chunks. model.predict's default batch size of 32 makes a
 * big batch cost superlinear time (600k rows: 20 s; one predict per chunk with batchSize = the
 * chunk: milliseconds), and one synchronous call for the whole batch would hold the event loop,
 * so status requests, deadlines and SIGTERM wait for it. Between chunks the loop runs, the
 * deadline and the shutdown signal are checked.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { deadlineExceeded, unavailable } from './http-errors.js';
import { inputSpecs } from './signature.js';

export interface Batch {
  /** per model input, in model order: full shape (batch first) and flat values */
  tensors: { shape: number[]; values: (number | boolean)[] }[];
}

export interface RunControl {
  /** most rows per model.predict call */
  chunkRows?: number;
  /** performance.now() time after which the request answers 504 */
  deadline?: number;
  /** the timeout the deadline came from, for the message */
  timeoutMs?: number;
  /** aborted when the server stops waiting for in-flight requests */
  signal?: AbortSignal;
}

/** the most rows one model.predict call gets, whatever the model's speed */
export const DEFAULT_CHUNK_ROWS = 8192;
/** each chunk aims at this long, so other requests wait at most about this for the loop */
const TARGET_CHUNK_MS = 20;
const FIRST_CHUNK_ROWS = 64;

/** Throw if the request should stop here: past its deadline, or the server is shutting down. */
export function checkpoint(control: RunControl): void {
  if (control.signal?.aborted) throw unavailable('the server is shutting down; retry the request');
  if (control.deadline !== undefined && performance.now() > control.deadline) {
    throw deadlineExceeded(
      `Deadline exceeded: the request ran longer than the server's ${control.timeoutMs ?? '?'} ms timeout`,
    );
  }
}

function predictRows(model: tf.LayersModel, batch: Batch, rows: number, start: number, end: number): tf.Tensor[] {
  const specs = inputSpecs(model);
  return tf.tidy(() => {
    const xs = batch.tensors.map((t, k) => {
      const perRow = t.values.length / rows;
      const values = t.values.slice(start * perRow, end * perRow) as number[];
      return tf.tensor(values, [end - start, ...t.shape.slice(1)], specs[k]!.dtype);
    });
    // batchSize = the chunk: predict's default of 32 splits it into slices whose concat grows superlinearly
    const y = model.predict(xs.length === 1 ? xs[0]! : xs, { batchSize: end - start });
    return Array.isArray(y) ? y : [y];
  });
}

/**
 * Per model output, one entry per row (plain arrays); every tensor disposed. Chunks are sized
 * by time (about TARGET_CHUNK_MS each, at most `chunkRows` rows), so a heavy model gets small
 * chunks and a light one large ones.
 */
export async function runInChunks(model: tf.LayersModel, batch: Batch, control: RunControl = {}): Promise<unknown[][]> {
  const rows = batch.tensors[0]?.shape[0] ?? 0;
  const maxChunk = Math.max(1, control.chunkRows ?? DEFAULT_CHUNK_ROWS);
  let chunk = Math.min(FIRST_CHUNK_ROWS, maxChunk);
  const outputs: unknown[][] = model.outputs.map(() => []);
  for (let start = 0; start < rows;) {
    checkpoint(control);
    const end = Math.min(rows, start + chunk);
    const t0 = performance.now();
    const ys = predictRows(model, batch, rows, start, end);
    try {
      ys.forEach((y, k) => {
        for (const row of y.arraySync() as unknown[]) outputs[k]!.push(row);
      });
    } finally {
      tf.dispose(ys);
    }
    const ms = performance.now() - t0;
    // at most double per step: one fast chunk (a warm cache) must not make the next one huge
    const fit = ms > 0 ? Math.floor(((end - start) * TARGET_CHUNK_MS) / ms) : chunk * 2;
    chunk = Math.max(1, Math.min(maxChunk, chunk * 2, fit));
    start = end;
    if (start < rows) await yieldToLoop();
  }
  return outputs;
}
