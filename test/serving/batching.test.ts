import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { tensorMapCodec, type TensorMap } from '../../src/serving/batch-codec.js';
import {
  createBatchScheduler,
  type BatchEvent,
  type BatchInfo,
  type BatchingParameters,
  type BatchScheduler,
} from '../../src/serving/batching.js';
import { DefinitionError } from '../../src/errors.js';
import { ServingError } from '../../src/serving/http-errors.js';

/** n rows of 2 floats, row i = [base + i, -(base + i)] so every caller's rows are told apart */
const rowsFrom = (base: number, n: number): TensorMap => ({
  x: { dtype: 'DT_FLOAT', shape: [n, 2], values: Array.from({ length: n }, (_, i) => [base + i, -(base + i)]).flat() },
});

/** a model stand-in that is not a mock of anything: y = 10 * x, one output named y */
const timesTen = async (input: TensorMap): Promise<TensorMap> => ({
  y: { ...input.x!, values: (input.x!.values as number[]).map((v) => v * 10) },
});

const gates: (() => void)[] = [];
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  gates.push(open);
  return { open, opened };
};

/** the error `p` rejects with, failing fast if it resolves or is still pending after 2 s */
const rejection = async (p: Promise<unknown>): Promise<ServingError> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise((r) => (timer = setTimeout(() => r('still pending after 2 s'), 2000)));
  const err = await Promise.race([
    p.then(
      () => 'resolved',
      (e: unknown) => e,
    ),
    pending,
  ]);
  clearTimeout(timer);
  expect(err).toBeInstanceOf(ServingError);
  return err as ServingError;
};

let schedulers: BatchScheduler[] = [];
afterEach(async () => {
  // a failed test must not leave a run held at its gate, or close() would wait for it
  gates.splice(0).forEach((open) => open());
  await Promise.all(schedulers.map((s) => s.close()));
  schedulers = [];
});

function setup(params: BatchingParameters, run: (input: TensorMap, info: BatchInfo) => Promise<TensorMap> = timesTen) {
  const scheduler = createBatchScheduler(params);
  schedulers.push(scheduler);
  const events: BatchEvent[] = [];
  const inputs: TensorMap[] = [];
  const batcher = scheduler.addQueue({
    name: 'penguin/1',
    codec: tensorMapCodec,
    run: (input, info) => {
      inputs.push(input);
      return run(input, info);
    },
    onBatch: (e) => events.push(e),
  });
  return { scheduler, batcher, events, inputs };
}

describe('createBatchScheduler', () => {
  it('joins concurrent requests into one run and gives each caller its own rows, in order', async () => {
    const { batcher, events, inputs } = setup({ maxBatchSize: 100, batchTimeoutMicros: 30_000 });
    const sizes = [1, 3, 2, 5, 1];
    const t0 = performance.now();
    const results = await Promise.all(sizes.map((n, k) => batcher.submit(rowsFrom(100 * k, n))));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29); // it waited for the timeout
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ rows: 12, tasks: 5, reason: 'timeout', inputSizes: sizes });
    expect(inputs[0]!.x!.shape).toEqual([12, 2]);
    results.forEach((out, k) => {
      expect(out.y!.shape).toEqual([sizes[k], 2]);
      expect(out.y!.values).toEqual((rowsFrom(100 * k, sizes[k]!).x!.values as number[]).map((v) => v * 10));
    });
    for (const q of events[0]!.queuingMicros) expect(q).toBeGreaterThanOrEqual(25_000);
  });

  it('runs a batch as soon as it is full, long before its timeout', async () => {
    const { batcher, events } = setup({ maxBatchSize: 4, batchTimeoutMicros: 10_000_000 });
    const t0 = performance.now();
    await Promise.all([batcher.submit(rowsFrom(0, 2)), batcher.submit(rowsFrom(10, 2))]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(events.map((e) => [e.reason, e.rows])).toEqual([['full', 4]]);
    // 3 rows then 2: the second doesn't fit, so the first batch closes full; close() flushes the rest
    const a = batcher.submit(rowsFrom(0, 3));
    const b = batcher.submit(rowsFrom(10, 2));
    await a;
    expect(events.map((e) => [e.reason, e.rows])).toEqual([
      ['full', 4],
      ['full', 3],
    ]);
    await batcher.close();
    expect((await b).y!.values).toEqual([100, -100, 110, -110]);
    expect(events.at(-1)).toMatchObject({ reason: 'close', rows: 2 });
  });

  it('turns a task away with 429 once max_enqueued_batches are queued, and runs the rest', async () => {
    const g = gate();
    const { batcher, events } = setup({ maxBatchSize: 2, maxEnqueuedBatches: 2, batchTimeoutMicros: 0 }, async (i) => {
      await g.opened;
      return timesTen(i);
    });
    const running = batcher.submit(rowsFrom(0, 2));
    await new Promise((r) => setTimeout(r, 20)); // its batch is now running, out of the queue
    expect(events).toHaveLength(1);
    const quitter = new AbortController();
    const first = batcher.submit(rowsFrom(10, 2));
    const second = batcher.submit(rowsFrom(20, 2), { signal: quitter.signal }); // two batches queued
    expect(batcher.enqueuedTasks).toBe(2);
    const err = await rejection(batcher.submit(rowsFrom(30, 1)));
    expect(err.statusCode).toBe(429);
    expect(err.message).toBe('penguin/1: the batch scheduling queue to which this task was submitted is full');
    // an abort frees its room: the next task is taken again
    quitter.abort();
    expect((await rejection(second)).statusCode).toBe(499);
    const third = batcher.submit(rowsFrom(30, 2));
    g.open();
    const done = await Promise.all([running, first, third]);
    expect(done.map((o) => (o.y!.values as number[])[0])).toEqual([0, 100, 300]);
    expect(events.map((e) => e.rows)).toEqual([2, 2, 2]);
  });

  it('rejects a task larger than max_batch_size with 400, or splits it when splitting is on', async () => {
    const plain = setup({ maxBatchSize: 4 });
    const err = await rejection(plain.batcher.submit(rowsFrom(0, 5)));
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe('penguin/1: Task size 5 is larger than maximum input batch size 4');

    const split = setup({
      maxBatchSize: 10,
      maxExecutionBatchSize: 4,
      enableLargeBatchSplitting: true,
      batchTimeoutMicros: 5000,
    });
    const small = split.batcher.submit(rowsFrom(100, 1));
    const big = split.batcher.submit(rowsFrom(0, 9));
    const [s, b] = await Promise.all([small, big]);
    expect(split.events.map((e) => e.rows)).toEqual([4, 4, 2]); // 1 + 3 of the big one, then 4, then 2
    expect(s.y!.values).toEqual([1000, -1000]);
    expect(b.y!.shape).toEqual([9, 2]);
    expect(b.y!.values).toEqual((rowsFrom(0, 9).x!.values as number[]).map((v) => v * 10));
  });

  it('rejects every member of a batch whose run fails, and keeps serving', async () => {
    let calls = 0;
    const { batcher } = setup({ maxBatchSize: 8, batchTimeoutMicros: 5000 }, async (i) => {
      if (calls++ === 0) throw new ServingError('INVALID_ARGUMENT', 'prediction failed: boom');
      return timesTen(i);
    });
    const settled = await Promise.allSettled([batcher.submit(rowsFrom(0, 1)), batcher.submit(rowsFrom(5, 2))]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    for (const s of settled) expect((s as PromiseRejectedResult).reason.message).toBe('prediction failed: boom');
    expect((await batcher.submit(rowsFrom(1, 1))).y!.values).toEqual([10, -10]);
  });

  it('lets an aborted caller go without disturbing the others, queued or running', async () => {
    const g = gate();
    const { batcher, inputs } = setup({ maxBatchSize: 8, batchTimeoutMicros: 20_000 }, async (i) => {
      await g.opened;
      return timesTen(i);
    });
    const quitter = new AbortController();
    const late = new AbortController();
    const a = batcher.submit(rowsFrom(1, 1));
    const b = batcher.submit(rowsFrom(11, 2), { signal: quitter.signal });
    const c = batcher.submit(rowsFrom(21, 1), { signal: late.signal });
    quitter.abort(); // still queued: its rows leave the batch
    expect((await rejection(b)).statusCode).toBe(499);
    await new Promise((r) => setTimeout(r, 50));
    expect(inputs).toHaveLength(1); // the batch of a and c is running, held at the gate
    late.abort(); // running: the caller goes at once, the batch finishes for the rest
    expect((await rejection(c)).statusCode).toBe(499);
    g.open();
    expect((await a).y!.values).toEqual([10, -10]);
    expect(inputs[0]!.x!.values).toEqual([1, -1, 21, -21]); // b's rows never reached the model
    expect((await batcher.submit(rowsFrom(2, 1))).y!.values).toEqual([20, -20]);
  });

  it("drops a task that waited past its deadline with TF Serving's RESOURCE_EXHAUSTED (429)", async () => {
    const { batcher, events } = setup({ maxBatchSize: 8, batchTimeoutMicros: 30_000 });
    const expired = batcher.submit(rowsFrom(0, 1), { deadline: performance.now() + 5 });
    const fine = batcher.submit(rowsFrom(10, 1), { deadline: performance.now() + 10_000 });
    const err = await rejection(expired);
    expect(err.statusCode).toBe(429);
    expect(err.message).toBe('penguin/1: Run() timeout exceeded while waiting in batching queue');
    expect((await fine).y!.values).toEqual([100, -100]);
    expect(events.map((e) => e.tasks)).toEqual([1]);
  });

  it('never mixes requests of different row shapes, and answers 503 once closed', async () => {
    const { batcher, events } = setup({ maxBatchSize: 8, batchTimeoutMicros: 10_000 });
    const wide: TensorMap = { x: { dtype: 'DT_FLOAT', shape: [1, 3], values: [1, 2, 3] } };
    const [narrow, w] = await Promise.all([batcher.submit(rowsFrom(1, 2)), batcher.submit(wide)]);
    expect(events.map((e) => e.rows).sort()).toEqual([1, 2]);
    expect(w.y!.values).toEqual([10, 20, 30]);
    expect(narrow.y!.shape).toEqual([2, 2]);
    await batcher.close();
    expect((await rejection(batcher.submit(rowsFrom(0, 1)))).statusCode).toBe(503);
  });

  it('shares its batch threads round-robin between models, so a busy one cannot starve another', async () => {
    const scheduler = createBatchScheduler({ numBatchThreads: 1, maxBatchSize: 1, maxEnqueuedBatches: 100 });
    schedulers.push(scheduler);
    const order: string[] = [];
    const queue = (name: string) =>
      scheduler.addQueue({
        name,
        codec: tensorMapCodec,
        run: async (x) => {
          order.push(name);
          await new Promise((r) => setTimeout(r, 5));
          return timesTen(x);
        },
      });
    const busy = queue('busy/1');
    const quiet = queue('quiet/1');
    const all = Array.from({ length: 5 }, (_, k) => busy.submit(rowsFrom(k, 1)));
    all.push(quiet.submit(rowsFrom(9, 1)));
    await Promise.all(all);
    expect(order.indexOf('quiet/1')).toBe(1);
    expect(order.filter((n) => n === 'busy/1')).toHaveLength(5);
  });

  it('refuses parameters TF Serving refuses, naming the knob', () => {
    expect(() => createBatchScheduler({ numBatchThreads: 0 })).toThrow(DefinitionError);
    const scheduler = createBatchScheduler();
    expect(() =>
      scheduler.addQueue({
        name: 'm/1',
        codec: tensorMapCodec,
        run: timesTen,
        parameters: { maxBatchSize: 8, enableLargeBatchSplitting: true, maxExecutionBatchSize: 16 },
      }),
    ).toThrow('batching.maxExecutionBatchSize: 16 is larger than maxBatchSize 8');
    expect(() =>
      scheduler.addQueue({ name: 'm/1', codec: tensorMapCodec, run: timesTen, parameters: { batchTimeoutMicros: -1 } }),
    ).toThrow('batching.batchTimeoutMicros: must be an integer >= 0, got -1');
  });

  it('batches concurrent requests into a real tfjs model and matches unbatched predictions', async () => {
    await tf.ready();
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 3, activation: 'softmax', kernelInitializer: 'glorotUniform' }),
      ],
    });
    const predict = (x: TensorMap): TensorMap => {
      const y = tf.tidy(() => model.predict(tf.tensor(x.x!.values as number[], x.x!.shape)) as tf.Tensor);
      const values = Array.from(y.dataSync());
      const shape = y.shape;
      y.dispose();
      return { probabilities: { dtype: 'DT_FLOAT', shape, values } };
    };
    const { batcher, events } = setup({ maxBatchSize: 64, batchTimeoutMicros: 2000 }, async (x) => predict(x));
    const requests = Array.from({ length: 16 }, (_, k) => rowsFrom(k * 0.37 - 3, 1 + (k % 4)));
    const outs = await Promise.all(requests.map((r) => batcher.submit(r)));
    expect(events.length).toBeLessThan(requests.length);
    expect(events.reduce((n, e) => n + e.tasks, 0)).toBe(16);
    outs.forEach((out, k) => {
      const alone = predict(requests[k]!).probabilities!;
      expect(out.probabilities!.shape).toEqual(alone.shape);
      (out.probabilities!.values as number[]).forEach((v, i) =>
        expect(v).toBeCloseTo((alone.values as number[])[i]!, 6),
      );
    });
    model.dispose();
  });
});

describe('tensorMapCodec', () => {
  it('carries missing masks through a batch and back, a request without one missing nothing', () => {
    const a: TensorMap = {
      x: { dtype: 'DT_FLOAT', shape: [2, 2], values: [1, NaN, 3, 4], missing: [false, true, false, false] },
    };
    const b: TensorMap = { x: { dtype: 'DT_FLOAT', shape: [1, 2], values: [5, 6] } };
    const c: TensorMap = { x: { dtype: 'DT_FLOAT', shape: [1, 2], values: [NaN, 8], missing: [true, false] } };
    const joined = tensorMapCodec.concatInputs([a, b, c]);
    expect(joined.x!.shape).toEqual([4, 2]);
    expect(joined.x!.missing).toEqual([false, true, false, false, false, false, true, false]);
    const [pa, pb, pc] = tensorMapCodec.splitInputs!(joined, [2, 1, 1]);
    expect(pa!.x!.missing).toEqual(a.x!.missing);
    expect(pb!.x!.missing).toEqual([false, false]);
    expect(pc!.x!.missing).toEqual(c.x!.missing);
    // no mask anywhere: none made up
    expect(tensorMapCodec.concatInputs([b, b]).x!.missing).toBeUndefined();
  });
});
