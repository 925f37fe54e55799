import { describe, expect, it } from 'vitest';
import { tensorMapCodec, type TensorMap } from '../../src/serving/batch-codec.js';
import { createBatchScheduler } from '../../src/serving/batching.js';
import { codeOfHttpStatus } from '../../src/serving/http-errors.js';
import { createServingMetrics } from '../../src/serving/metrics.js';
import { family, parse } from './prometheus-parse.js';

const rows = (n: number): TensorMap => ({
  x: { dtype: 'DT_FLOAT', shape: [n, 1], values: Array.from({ length: n }, (_, i) => i) },
});

describe('createServingMetrics', () => {
  it('renders TF Serving names, labels and buckets that a Prometheus parser reads back exactly', async () => {
    const metrics = createServingMetrics();
    // real requests through a real batcher, timed as a face would time them
    const scheduler = createBatchScheduler({ maxBatchSize: 16, batchTimeoutMicros: 3000 });
    const batcher = scheduler.addQueue({
      name: 'penguin/2',
      codec: tensorMapCodec,
      run: async (x) => {
        await new Promise((r) => setTimeout(r, 2));
        return x;
      },
      onBatch: (e) => metrics.observeBatch({ model: 'penguin', version: 2 }, e),
    });
    const sizes = [1, 2, 3, 4, 5, 6, 7];
    const latencies: number[] = [];
    await Promise.all(
      sizes.map(async (n) => {
        const t0 = performance.now();
        await batcher.submit(rows(n));
        const us = Math.round((performance.now() - t0) * 1000);
        latencies.push(us);
        metrics.observeRequest({
          model: 'penguin',
          version: 2,
          api: 'predict',
          entrypoint: 'REST',
          status: 'OK',
          latencyUs: us,
        });
      }),
    );
    await scheduler.close();
    metrics.observeRequest({ model: 'nope', api: 'predict', entrypoint: 'REST', status: 'NOT_FOUND', latencyUs: 50 });
    metrics.observeRequest({
      model: 'penguin',
      version: 2,
      api: 'Predict',
      entrypoint: 'GRPC',
      status: 'OK',
      latencyUs: 25,
    });
    metrics.observeRequest({
      model: 'penguin',
      version: 2,
      api: 'Predict',
      entrypoint: 'GRPC',
      status: 'RESOURCE_EXHAUSTED',
      latencyUs: 9,
    });
    metrics.observeWarmup({ modelPath: '/models/penguin/2', status: 'OK', latencyUs: 1234, records: 3 });

    const text = await metrics.render();
    expect(metrics.contentType).toMatch(/^text\/plain/);
    const fs = await parse(text);

    const count = family(fs, ':tensorflow:serving:request_count');
    expect(count.type).toBe('counter');
    const countOf = (labels: Record<string, string>) =>
      count.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(countOf({ model_name: 'penguin', status: 'OK', version: '2', API: 'predict', entrypoint: 'REST' })).toBe(7);
    expect(countOf({ model_name: 'nope', status: 'NOT_FOUND', version: '' })).toBe(1);
    expect(countOf({ model_name: 'penguin', status: 'OK', entrypoint: 'GRPC', API: 'Predict' })).toBe(1);
    expect(countOf({ model_name: 'penguin', status: 'RESOURCE_EXHAUSTED' })).toBe(1);

    const latency = family(fs, ':tensorflow:serving:request_latency');
    expect(latency.type).toBe('histogram');
    const rest = latency.samples.filter((s) => s.labels.entrypoint === 'REST');
    const buckets = rest.filter((s) => s.name.endsWith('_bucket'));
    // TF's limits as its exporter prints them: 10 * 1.8^i to six digits, 33 of them, then +Inf
    expect(buckets.slice(0, 6).map((b) => b.labels.le)).toEqual(['10', '18', '32.4', '58.32', '104.976', '188.957']);
    expect(buckets).toHaveLength(34);
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    for (const b of buckets) {
      const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
      expect(b.value).toBe(latencies.filter((us) => us <= le).length);
    }
    expect(rest.find((s) => s.name.endsWith('_sum'))!.value).toBe(latencies.reduce((a, b) => a + b, 0));
    expect(rest.find((s) => s.name.endsWith('_count'))!.value).toBe(7);
    // failed requests count but are not timed (TF records latency for OK only)
    expect(latency.samples.some((s) => s.labels.model_name === 'nope')).toBe(false);
    expect(latency.samples.find((s) => s.name.endsWith('_count') && s.labels.entrypoint === 'GRPC')!.value).toBe(1);

    const processed = family(fs, ':tensorflow:serving:batching_session:processed_batch_size');
    const runs = family(fs, ':tensorflow:serving:batching_session:wrapped_run_count').samples[0]!.value;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThan(sizes.length); // concurrent requests did share runs
    expect(processed.samples.find((s) => s.name.endsWith('_count'))!.value).toBe(runs);
    expect(processed.samples.find((s) => s.name.endsWith('_sum'))!.value).toBe(28);
    const input = family(fs, ':tensorflow:serving:batching_session:input_batch_size').samples;
    expect(input.find((s) => s.name.endsWith('_bucket') && s.labels.le === '4')!.value).toBe(4);
    expect(input.find((s) => s.name.endsWith('_count'))!.value).toBe(7);
    const queuing = family(fs, ':tensorflow:serving:batching_session:queuing_latency').samples;
    expect(queuing.find((s) => s.name.endsWith('_count'))!.labels).toMatchObject({
      thread_pool_name: 'model_server_batch_threads',
      model_name: 'penguin',
      version: '2',
    });
    expect(queuing.find((s) => s.name.endsWith('_count'))!.value).toBe(7);

    const warm = family(fs, ':tensorflow:serving:model_warmup_records_read').samples[0]!;
    expect(warm).toMatchObject({ labels: { model_path: '/models/penguin/2', status: 'OK' }, value: 3 });
  });

  it('maps HTTP statuses back to the canonical codes TF Serving labels requests with', () => {
    expect([200, 400, 404, 429, 499, 503, 504, 500].map(codeOfHttpStatus)).toEqual([
      'OK',
      'INVALID_ARGUMENT',
      'NOT_FOUND',
      'RESOURCE_EXHAUSTED',
      'CANCELLED',
      'UNAVAILABLE',
      'DEADLINE_EXCEEDED',
      'UNKNOWN',
    ]);
  });
});
