/**
 * Requests big enough to hurt: predict runs in chunks (linear in the rows, the event loop free
 * between chunks), a row cap answers 400 (INVALID_ARGUMENT), a deadline answers 504, and status keeps answering
 * while a long predict runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { saveModel } from '../../src/ml/fs-model-io.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { tensorsOfPredictBody } from '../../src/serving/json-tensor.js';
import { loadServable } from '../../src/serving/servable-loader.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/serving/server.js';
import { twoHeaded } from '../fixtures/models.js';

function linear(w: number, b: number): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], name: 'y' })] });
  model.setWeights([tf.tensor2d([[w]]), tf.tensor1d([b])]);
  return model;
}

/** ~100 µs a row on the wasm backend: 100k rows (a 600 kB body) are seconds of work */
function heavy(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 1024, activation: 'relu', inputShape: [1] }),
      tf.layers.dense({ units: 1024, activation: 'relu' }),
      tf.layers.dense({ units: 1, name: 'y' }),
    ],
  });
}

let base: string;
let running: { server: RunningServer; repository: ModelRepository } | undefined;

beforeAll(async () => {
  // the heavy model's sizes are set for the wasm backend (~10 s for 100k rows); tfjs-node is
  // several times faster on it and would finish before the deadline these tests need to reach
  process.env.TSFX_TF_BACKEND ??= 'tfjs-backend-wasm';
  await ensureBackend();
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-serve-large-'));
  await saveModel(linear(2, 1), path.join(base, 'lin', '1'));
  await saveModel(twoHeaded(), path.join(base, 'multi', '1'));
  await saveModel(heavy(), path.join(base, 'heavy', '1'));
});

afterEach(async () => {
  await running?.server.close();
  await running?.repository.stop();
  running = undefined;
});

async function serve(options: Omit<ServerOptions, 'repository'> = {}): Promise<string> {
  const repository = new ModelRepository(base, { pollMs: 60_000 });
  await repository.start();
  const server = await startServer({ repository, port: 0, host: '127.0.0.1', ...options });
  running = { server, repository };
  return server.url;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const column = (n: number) => Array.from({ length: n }, (_, i) => [i]);

describe('large predict requests', () => {
  it('keeps every row in order across chunk boundaries, for rows, columns and several outputs', async () => {
    const url = await serve({ chunkRows: 7 });
    const rows = await post(`${url}/v1/models/lin:predict`, { instances: column(50) });
    expect(rows.status).toBe(200);
    expect(rows.json.predictions).toEqual(column(50).map(([x]) => [2 * x! + 1]));
    const cols = await post(`${url}/v1/models/lin:predict`, { inputs: column(15) });
    expect(cols.json.outputs).toEqual(column(15).map(([x]) => [2 * x! + 1]));
    const instances = Array.from({ length: 20 }, (_, i) => ({ a: [i, 1], b: [i] }));
    const multi = await post(`${url}/v1/models/multi:predict`, { instances });
    expect(multi.json.predictions).toEqual(instances.map(({ a, b }) => ({ y: [a[0]! + 2 * a[1]! + 3 * b[0]!], z: a })));
  });

  it('predicts in time linear in the rows (with batch size 32, 600k rows took 20 s on wasm)', async () => {
    const servable = await loadServable(path.join(base, 'lin', '1'));
    const { tensors } = tensorsOfPredictBody(
      { instances: column(600_000) },
      servable.signatures.serving_default!.inputs,
    );
    const t0 = performance.now();
    const out = await servable.run(tensors);
    const ms = performance.now() - t0;
    const y = out[servable.outputName]!;
    expect(y.shape).toEqual([600_000, 1]);
    expect(y.values[599_999]).toBe(1_199_999);
    expect(ms).toBeLessThan(2000);
    servable.dispose();
  });

  it('rejects more rows than --max-rows with 400, naming the limit, in both formats', async () => {
    const url = await serve({ maxRows: 10 });
    expect((await post(`${url}/v1/models/lin:predict`, { instances: column(10) })).status).toBe(200);
    const cases: [string, unknown][] = [
      ['lin', { instances: column(11) }],
      ['lin', { inputs: column(11) }],
      ['multi', { inputs: { a: column(11), b: column(11) } }],
    ];
    for (const [model, body] of cases) {
      const r = await post(`${url}/v1/models/${model}:predict`, body);
      expect(r.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(r.json.error).toMatch(/11 rows.*at most 10 rows per request \(--max-rows\)/);
    }
  });

  it('answers status while a long predict runs, then stops the predict at its deadline with 504', async () => {
    const url = await serve({ timeoutMs: 1500 });
    const t0 = performance.now();
    let predictDoneAt: number | undefined;
    // ~10 s of work if run to the end
    const big = post(`${url}/v1/models/heavy:predict`, { instances: column(100_000) }).finally(
      () => (predictDoneAt = performance.now()),
    );
    await new Promise((r) => setTimeout(r, 700));
    const status = await fetch(`${url}/v1/models/heavy`);
    const statusAt = performance.now();
    expect(status.status).toBe(200);
    expect(predictDoneAt, 'the status request waited for the predict').toBeUndefined();
    expect(statusAt - t0).toBeLessThan(1400);
    const r = await big;
    expect(r.status).toBe(504);
    expect(r.json.error).toMatch(/deadline exceeded.*1500 ms/i);
    expect(predictDoneAt! - t0).toBeLessThan(4000);
  });
});
