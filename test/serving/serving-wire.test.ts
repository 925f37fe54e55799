/**
 * Metrics and server-side batching wired into a real running server (serving-hooks.ts) with a
 * real trained penguin Model: concurrent clients get the numbers the Model gives in-process
 * while their requests share batches; a full queue answers 429 and the server goes on; the
 * Prometheus page, read by prometheus_client's own parser, counts every request by model,
 * version, API and status, 4xx included; a version swapped out under batching loses no request.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { startServer, type RunningServer } from '../../src/serving/server.js';
import { createServingHooks, type ServingHooks } from '../../src/serving/serving-hooks.js';
import type { BatchingFile } from '../../src/serving/batching-config.js';
import { predictorOfFolder } from '../helpers/penguin-model.js';
import { penguinFixture, pushVersion, type PenguinFixture } from './penguin-fixture.js';
import { family, parse } from './prometheus-parse.js';

let penguins: PenguinFixture;
let expected: number[][];
let base: string;
const running: { server: RunningServer; hooks: ServingHooks; repository: ModelRepository }[] = [];

/** A server over `base` with metrics, and batching when `batching` is given, wired as `tsfx serve` wires it. */
async function serve(batching?: BatchingFile, pollMs = 100) {
  const hooks = createServingHooks({ batching });
  const repository = new ModelRepository(base, { pollMs, hooks: hooks.repository });
  await repository.start();
  const server = await startServer({
    repository,
    port: 0,
    host: '127.0.0.1',
    coreOptions: hooks.coreOptions,
    metricsText: hooks.metricsText,
  });
  running.push({ server, hooks, repository });
  return { server, hooks, repository };
}

async function post(server: RunningServer, p: string, body: unknown) {
  const res = await fetch(server.url + p, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as any };
}

const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-5);

async function page(server: RunningServer) {
  const res = await fetch(server.url + '/monitoring/prometheus/metrics');
  expect(res.status).toBe(200);
  return parse(await res.text());
}

/** the value of a sample whose labels include `labels` (0 if none) */
function sample(fams: Awaited<ReturnType<typeof parse>>, fam: string, name: string, labels: Record<string, string>) {
  const s = family(fams, fam).samples.filter(
    (x) =>
      x.name === name &&
      Object.entries(labels).every(([k, v]) => (k === 'le' ? Number(x.labels[k]) === Number(v) : x.labels[k] === v)),
  );
  return s.reduce((a, x) => a + x.value, 0);
}

beforeAll(async () => {
  await ensureBackend();
  penguins = await penguinFixture();
  const predictor = await predictorOfFolder(penguins.model);
  const out = await predictor.predictRows(penguins.requestRows);
  expected = Array.from({ length: out.rows }, (_, r) => out.values.slice(r * out.width, (r + 1) * out.width));
  predictor.model.dispose();
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-serving-wire-'));
  pushVersion(penguins.model, base, 'penguin', 1, [{ instances: penguins.requestRows.slice(0, 3) }]);
});

afterAll(async () => {
  for (const r of running) {
    await r.server.close();
    await r.hooks.close();
    await r.repository.stop();
  }
});

describe('batching and metrics in a running server', () => {
  it('answers concurrent clients with the in-process numbers while their requests share batches', async () => {
    const { server } = await serve({ maxBatchSize: 64, batchTimeoutMicros: 5000, maxEnqueuedBatches: 100 });
    const n = penguins.requestRows.length;
    // 24 clients, 5 requests each, 1 to 3 rows from a client-specific place in the eval rows
    const wrong: string[] = [];
    let sent = 0;
    await Promise.all(
      Array.from({ length: 24 }, async (_, c) => {
        for (let k = 0; k < 5; k++) {
          const start = (c * 7 + k * 3) % (n - 3);
          const size = 1 + ((c + k) % 3);
          const r = await post(server, '/v1/models/penguin:predict', {
            instances: penguins.requestRows.slice(start, start + size),
          });
          sent++;
          if (r.status !== 200) wrong.push(`${r.status} ${r.text}`);
          else
            (r.json.predictions as number[][]).forEach((p, i) => {
              if (!close(p, expected[start + i]!))
                wrong.push(`client ${c} row ${start + i}: ${p} != ${expected[start + i]}`);
            });
        }
      }),
    );
    expect(wrong).toEqual([]);
    const fams = await page(server);
    const labels = { model_name: 'penguin', version: '1' };
    const batches = sample(
      fams,
      ':tensorflow:serving:batching_session:processed_batch_size',
      ':tensorflow:serving:batching_session:processed_batch_size_count',
      labels,
    );
    const singles = sample(
      fams,
      ':tensorflow:serving:batching_session:processed_batch_size',
      ':tensorflow:serving:batching_session:processed_batch_size_bucket',
      { ...labels, le: '1.0' },
    );
    const runs = sample(
      fams,
      ':tensorflow:serving:batching_session:wrapped_run_count',
      ':tensorflow:serving:batching_session:wrapped_run_count_total',
      labels,
    );
    // fewer model runs than requests, and some batch held more than one row
    expect(runs).toBe(batches);
    expect(batches).toBeLessThan(sent);
    expect(batches - singles).toBeGreaterThan(0);
    // every request's rows went into some batch
    const inputs = sample(
      fams,
      ':tensorflow:serving:batching_session:input_batch_size',
      ':tensorflow:serving:batching_session:input_batch_size_count',
      labels,
    );
    expect(inputs).toBe(sent);
    expect(
      sample(fams, ':tensorflow:serving:request_count', ':tensorflow:serving:request_count_total', {
        ...labels,
        API: 'predict',
        status: 'OK',
        entrypoint: 'REST',
      }),
    ).toBe(sent);
  });

  it('counts requests per model, version, API and status, 4xx included', async () => {
    const { server } = await serve();
    const rows = penguins.requestRows.slice(0, 2);
    const examples = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)));
    for (let i = 0; i < 3; i++)
      expect((await post(server, '/v1/models/penguin:predict', { instances: rows })).status).toBe(200);
    expect(
      (await post(server, '/v1/models/penguin:classify', { signature_name: 'classification', examples })).status,
    ).toBe(200);
    expect((await post(server, '/v1/models/nope:predict', { instances: rows })).status).toBe(404);
    expect((await post(server, '/v1/models/penguin:predict', '{"instances": [')).status).toBe(400);
    expect((await post(server, '/v1/models/penguin/versions/7:predict', { instances: rows })).status).toBe(404);
    expect((await fetch(server.url + '/v1/models/penguin')).status).toBe(200);
    const fams = await page(server);
    const count = (labels: Record<string, string>) =>
      sample(fams, ':tensorflow:serving:request_count', ':tensorflow:serving:request_count_total', {
        entrypoint: 'REST',
        ...labels,
      });
    expect(count({ model_name: 'penguin', version: '1', API: 'predict', status: 'OK' })).toBe(3);
    expect(count({ model_name: 'penguin', version: '1', API: 'classify', status: 'OK' })).toBe(1);
    expect(count({ model_name: 'nope', version: '', API: 'predict', status: 'NOT_FOUND' })).toBe(1);
    expect(count({ model_name: 'penguin', version: '', API: 'predict', status: 'INVALID_ARGUMENT' })).toBe(1);
    expect(count({ model_name: 'penguin', version: '', API: 'predict', status: 'NOT_FOUND' })).toBe(1);
    expect(count({ model_name: 'penguin', API: '', status: 'OK' })).toBe(1);
    // latency only for OK requests, as TF Serving records it
    const latency = (api: string) =>
      sample(fams, ':tensorflow:serving:request_latency', ':tensorflow:serving:request_latency_count', {
        model_name: 'penguin',
        API: api,
        version: '1',
      });
    expect(latency('predict')).toBe(3);
    expect(
      sample(fams, ':tensorflow:serving:runtime_latency', ':tensorflow:serving:runtime_latency_count', {
        model_name: 'penguin',
        runtime: 'TFJS',
      }),
    ).toBe(4);
    expect(
      sample(fams, ':tensorflow:serving:request_example_count', ':tensorflow:serving:request_example_count_total', {
        model: 'penguin',
      }),
    ).toBe(2);
    // the version's warm-up request ran once, OK
    expect(
      sample(
        fams,
        ':tensorflow:serving:model_warmup_records_read',
        ':tensorflow:serving:model_warmup_records_read_total',
        { status: 'OK' },
      ),
    ).toBe(1);
  });

  it('turns a burst away with 429 when the queue is full, and keeps serving', async () => {
    // every request fills a batch of its own; while one runs, one more may wait
    const size = Math.min(32, penguins.requestRows.length);
    const { server } = await serve({ maxBatchSize: size, batchTimeoutMicros: 0, maxEnqueuedBatches: 1 });
    const body = { instances: penguins.requestRows.slice(0, size) };
    const answers: Awaited<ReturnType<typeof post>>[] = [];
    // the first burst also opens the connections; bursts until one is turned away (at most 3)
    for (let burst = 0; burst < 3 && !answers.some((a) => a.status === 429); burst++)
      answers.push(
        ...(await Promise.all(Array.from({ length: 150 }, () => post(server, '/v1/models/penguin:predict', body)))),
      );
    const by = (s: number) => answers.filter((a) => a.status === s);
    expect(by(200).length + by(429).length).toBe(answers.length);
    expect(by(429).length).toBeGreaterThan(0);
    expect(by(200).length).toBeGreaterThan(0);
    expect(by(429)[0]!.json.error).toMatch(
      /^penguin\/1: the batch scheduling queue to which this task was submitted is full/,
    );
    for (const a of by(200)) expect(close(a.json.predictions[3], expected[3]!)).toBe(true);
    const after = await post(server, '/v1/models/penguin:predict', body);
    expect(after.status).toBe(200);
    const fams = await page(server);
    expect(
      sample(fams, ':tensorflow:serving:request_count', ':tensorflow:serving:request_count_total', {
        model_name: 'penguin',
        status: 'RESOURCE_EXHAUSTED',
      }),
    ).toBe(by(429).length);
  });

  it('loses no request while a batched version is swapped out and unloaded', async () => {
    const { server } = await serve({ maxBatchSize: 32, batchTimeoutMicros: 2000, maxEnqueuedBatches: 1000 }, 30);
    let stop = false;
    const failures: string[] = [];
    let ok = 0;
    const body = { instances: penguins.requestRows.slice(0, 2) };
    const loops = Array.from({ length: 6 }, async () => {
      while (!stop) {
        const r = await post(server, '/v1/models/penguin:predict', body);
        if (r.status === 200 && close(r.json.predictions[1], expected[1]!)) ok++;
        else failures.push(`${r.status} ${r.text}`);
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    pushVersion(penguins.model, base, 'penguin', 2, [{ instances: penguins.requestRows.slice(0, 3) }]);
    const states = async () =>
      ((await (await fetch(server.url + '/v1/models/penguin')).json()) as any).model_version_status
        .map((s: any) => `${s.version}:${s.state}`)
        .join(',');
    for (let i = 0; i < 400 && (await states()) !== '2:AVAILABLE,1:END'; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await states()).toBe('2:AVAILABLE,1:END');
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(loops);
    expect(failures).toEqual([]);
    const fams = await page(server);
    const okOf = (version: string) =>
      sample(fams, ':tensorflow:serving:request_count', ':tensorflow:serving:request_count_total', {
        model_name: 'penguin',
        version,
        API: 'predict',
        status: 'OK',
      });
    expect(okOf('1') + okOf('2')).toBe(ok);
    expect(okOf('1')).toBeGreaterThan(0);
    expect(okOf('2')).toBeGreaterThan(0);
    // version 2's requests went through version 2's own batcher
    expect(
      sample(
        fams,
        ':tensorflow:serving:batching_session:input_batch_size',
        ':tensorflow:serving:batching_session:input_batch_size_count',
        { model_name: 'penguin', version: '2' },
      ),
    ).toBe(okOf('2'));
  });
});
