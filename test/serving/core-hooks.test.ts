/**
 * The two hooks the serving core leaves for batching and metrics: every predict, classify and
 * regress runs its model through `runner` (here one that merges nothing but records the call),
 * and every REST request, failed ones included, reaches `observe` once with model, version,
 * API, status code and latency.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { saveModel } from '../../src/ml/fs-model-io.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { startServer, type RunningServer } from '../../src/serving/server.js';
import type { RequestEvent, RunKey } from '../../src/serving/serving-core.js';

let server: RunningServer;
let repository: ModelRepository;
const events: RequestEvent[] = [];
const runs: { key: Omit<RunKey, 'servable'>; rows: number }[] = [];

beforeAll(async () => {
  await ensureBackend();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-hooks-'));
  const lin = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], name: 'y' })] });
  lin.setWeights([tf.tensor2d([[2]]), tf.tensor1d([1])]);
  await saveModel(lin, path.join(base, 'lin', '4'));
  repository = new ModelRepository(base, { pollMs: 60_000 });
  await repository.start();
  server = await startServer({
    repository,
    port: 0,
    host: '127.0.0.1',
    coreOptions: {
      observe: (e) => events.push(e),
      runner: async ({ model, version, signatureName }, inputs, run) => {
        runs.push({ key: { model, version, signatureName }, rows: Object.values(inputs)[0]!.shape[0]! });
        return run(inputs);
      },
    },
  });
});

afterAll(async () => {
  await server?.close();
  await repository?.stop();
});

it('runs every model call through the runner and reports every request to the observer', async () => {
  const post = (p: string, body: string) => fetch(server.url + p, { method: 'POST', body });
  expect((await post('/v1/models/lin:predict', '{"instances": [[1], [2], [3]]}')).status).toBe(200);
  expect((await post('/v1/models/lin:predict', '{"instances": [[1]')).status).toBe(400);
  expect((await post('/v1/models/nope:predict', '{"instances": [[1]]}')).status).toBe(404);
  expect((await fetch(`${server.url}/v1/models/lin/metadata`)).status).toBe(200);
  expect((await fetch(`${server.url}/v1/models/lin`)).status).toBe(200);
  expect(runs).toEqual([{ key: { model: 'lin', version: 4, signatureName: 'serving_default' }, rows: 3 }]);
  expect(events.map(({ latencyMs: _, ...e }) => e)).toEqual([
    { model: 'lin', version: 4, api: 'predict', entrypoint: 'REST', code: 'OK' },
    { model: 'lin', version: undefined, api: 'predict', entrypoint: 'REST', code: 'INVALID_ARGUMENT' },
    { model: 'nope', version: undefined, api: 'predict', entrypoint: 'REST', code: 'NOT_FOUND' },
    { model: 'lin', version: 4, api: 'metadata', entrypoint: 'REST', code: 'OK' },
    { model: 'lin', version: undefined, api: 'status', entrypoint: 'REST', code: 'OK' },
  ]);
  for (const e of events) expect(e.latencyMs).toBeGreaterThan(0);
});
