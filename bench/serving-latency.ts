/**
 * What the HTTP + JSON path of `tsfx serve` costs per prediction: a small MLP served in-process
 * over loopback, N sequential batch-1 requests and a run with several in flight, against
 * model.predict called directly on the same inputs, and the in-flight run again against a server
 * with server-side batching on (as `tsfx serve --enable-batching`, batch timeout --batch-timeout-us).
 * Both servers keep their Prometheus metrics, as `tsfx serve` always does. Prints figures only,
 * never asserts a time.
 *
 *   node --import tsx bench/serving-latency.ts [--requests 500] [--concurrency 8] [--features 16] [--batch-timeout-us 1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { table } from '../src/cli/format.js';
import { ensureBackend } from '../src/ml/backend.js';
import { loadModel, saveModel } from '../src/ml/fs-model-io.js';
import { ModelRepository } from '../src/serving/model-repository.js';
import { startServer } from '../src/serving/server.js';
import { createServingHooks } from '../src/serving/serving-hooks.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    features: { type: 'string', default: '16' },
    'batch-timeout-us': { type: 'string', default: '1000' },
  },
});
const n = Number(values.requests);
const concurrency = Number(values.concurrency);
const features = Number(values.features);

const backend = await ensureBackend();
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-bench-serve-'));
const mlp = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [features] }),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
await saveModel(mlp, path.join(base, 'mlp', '1'));
/** a server over the model base wired as `tsfx serve` wires it: metrics always, batching when asked */
async function serve(batching?: { maxBatchSize: number; batchTimeoutMicros: number; maxEnqueuedBatches: number }) {
  const hooks = createServingHooks({ batching });
  const repository = new ModelRepository(base, { pollMs: 60_000, hooks: hooks.repository });
  await repository.start();
  const server = await startServer({
    repository,
    port: 0,
    host: '127.0.0.1',
    coreOptions: hooks.coreOptions,
    metricsText: hooks.metricsText,
  });
  return { hooks, repository, server };
}
const plain = await serve();
const batchTimeoutMicros = Number(values['batch-timeout-us']);
const batched = await serve({ maxBatchSize: 64, batchTimeoutMicros, maxEnqueuedBatches: 1000 });
// the same saved model, loaded beside the served one, for the in-process figures
const model = await loadModel(path.join(base, 'mlp', '1'));

// deterministic inputs so every run sends the same bodies
const inputs = Array.from({ length: n }, (_, i) => Array.from({ length: features }, (_, j) => Math.sin(i * 31 + j)));
const bodies = inputs.map((x) => JSON.stringify({ instances: [x] }));
const url = `${plain.server.url}/v1/models/mlp:predict`;
const batchedUrl = `${batched.server.url}/v1/models/mlp:predict`;

async function request(i: number, to = url): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(to, {
    method: 'POST',
    body: bodies[i % n],
    headers: { 'content-type': 'application/json' },
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  await res.json();
  return performance.now() - t0;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface Row {
  name: string;
  latencies: number[];
  wallMs: number;
}

function direct(): Row {
  const latencies: number[] = [];
  const t0 = performance.now();
  for (const x of inputs) {
    const s = performance.now();
    tf.tidy(() => (model.predict(tf.tensor2d([x])) as tf.Tensor).dataSync());
    latencies.push(performance.now() - s);
  }
  return { name: 'model.predict (in process)', latencies, wallMs: performance.now() - t0 };
}

async function sequential(): Promise<Row> {
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) latencies.push(await request(i));
  return { name: 'HTTP sequential', latencies, wallMs: performance.now() - t0 };
}

async function parallel(to = url, what = ''): Promise<Row> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) latencies.push(await request(next++, to));
    }),
  );
  return { name: `HTTP ${concurrency} in flight${what}`, latencies, wallMs: performance.now() - t0 };
}

/** rows per model run on the batching server, from its own metrics */
async function meanBatch(): Promise<string> {
  const m = (await batched.hooks.metrics.registry.getMetricsAsJSON()).find(
    (x) => x.name === ':tensorflow:serving:batching_session:processed_batch_size',
  );
  const v = (suffix: string) =>
    m?.values.find((s) => (s as { metricName?: string }).metricName?.endsWith(suffix))?.value ?? 0;
  return (v('_sum') / Math.max(1, v('_count'))).toFixed(1);
}

// warm up both paths (JIT, kernels, keep-alive connections) before measuring
for (let i = 0; i < 50; i++) await request(i);
for (let i = 0; i < 50; i++) await request(i, batchedUrl);
direct();

/** One request at the row cap: chunked predict keeps it linear (batch size 32 made it superlinear). */
async function large(): Promise<{ rows: number; ms: number }> {
  const rowsPerRequest = 100_000;
  const body = JSON.stringify({ instances: Array.from({ length: rowsPerRequest }, (_, i) => inputs[i % n]) });
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', body });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  await res.json();
  return { rows: rowsPerRequest, ms: performance.now() - t0 };
}

const rows = [
  direct(),
  await sequential(),
  await parallel(),
  await parallel(batchedUrl, `, batching (max 64, timeout ${batchTimeoutMicros} us)`),
];
const big = await large();
const baseP50 = pct(
  [...rows[0]!.latencies].sort((a, b) => a - b),
  50,
);
console.log(
  `tsfx serve latency: ${n} batch-1 requests, MLP ${features}-64-64-1, tfjs backend ${backend.name}, ${os.cpus().length} cores`,
);
console.log(
  table(
    ['path', 'p50 ms', 'p99 ms', 'req/s', 'p50 vs direct'],
    rows.map((r) => {
      const s = [...r.latencies].sort((a, b) => a - b);
      return [
        r.name,
        pct(s, 50).toFixed(3),
        pct(s, 99).toFixed(3),
        Math.round((r.latencies.length / r.wallMs) * 1000),
        `${(pct(s, 50) / baseP50).toFixed(1)}x`,
      ];
    }),
  ),
);
console.log(
  `one ${big.rows}-row request over HTTP (JSON both ways): ${big.ms.toFixed(0)} ms, ${Math.round((big.rows / big.ms) * 1000)} rows/s`,
);
console.log(`batching server: ${await meanBatch()} rows per model run on average (warm-up included)`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
for (const s of [plain, batched]) {
  await s.server.close();
  await s.hooks.close();
  await s.repository.stop();
}
fs.rmSync(base, { recursive: true, force: true });
