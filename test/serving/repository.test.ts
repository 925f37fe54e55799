/**
 * A running server following its model folders: versions appearing and disappearing, labels
 * moved by promote/rollback, half-written and broken versions kept out without a crash.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { saveModel } from '../../src/ml/fs-model-io.js';
import { promote, readLabels, rollback } from '../../src/serving/labels.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { startServer, type RunningServer } from '../../src/serving/server.js';

function linear(w: number, b: number): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], name: 'y' })] });
  model.setWeights([tf.tensor2d([[w]]), tf.tensor1d([b])]);
  return model;
}

interface Status {
  version: string;
  state: string;
  status: { error_code: string; error_message: string };
}

let running: { server: RunningServer; repository: ModelRepository } | undefined;

async function serve(base: string, maxVersions?: number) {
  // these tests follow every version; the default policy (latest 1) has tests of its own
  const repository = new ModelRepository(base, {
    pollMs: 50,
    policy: maxVersions ? { latest: maxVersions } : { all: true },
  });
  await repository.start();
  const server = await startServer({ repository, port: 0, host: '127.0.0.1' });
  running = { server, repository };
  return server.url;
}

afterEach(async () => {
  await running?.server.close();
  await running?.repository.stop();
  running = undefined;
});

beforeAll(async () => {
  await ensureBackend();
});

const newBase = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-repo-'));

async function status(url: string, model = 'lin'): Promise<Status[]> {
  const res = await fetch(`${url}/v1/models/${model}`);
  return res.status === 200 ? ((await res.json()) as { model_version_status: Status[] }).model_version_status : [];
}

/** Poll (bounded by count, not by a clock) until `check` holds. */
async function waitFor<T>(get: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  let v = await get();
  for (let i = 0; i < 200 && !check(v); i++) {
    await new Promise((r) => setTimeout(r, 25));
    v = await get();
  }
  expect(check(v), `condition never held; last value ${JSON.stringify(v)}`).toBe(true);
  return v;
}

async function predict(url: string, p: string, x: number): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v1/models/${p}:predict`, {
    method: 'POST',
    body: JSON.stringify({ instances: [[x]] }),
  });
  return { status: res.status, body: await res.json() };
}

const versions = (s: Status[]) => s.map((v) => `${v.version}:${v.state}`);

describe('model repository', () => {
  it('serves a version added while running, and drops a removed one', async () => {
    const base = newBase();
    await saveModel(linear(2, 1), path.join(base, 'lin', '1'));
    const url = await serve(base);
    expect(versions(await status(url))).toEqual(['1:AVAILABLE']);
    await saveModel(linear(10, 0), path.join(base, 'lin', '2'));
    await waitFor(
      () => status(url),
      (s) => versions(s).join() === '2:AVAILABLE,1:AVAILABLE',
    );
    expect((await predict(url, 'lin', 1)).body).toEqual({ predictions: [[10]] });
    // a model that appears later is picked up too
    await saveModel(linear(1, 5), path.join(base, 'late', '3'));
    await waitFor(
      () => status(url, 'late'),
      (s) => versions(s).join() === '3:AVAILABLE',
    );
    fs.rmSync(path.join(base, 'lin', '2'), { recursive: true });
    await waitFor(
      () => status(url),
      (s) => versions(s).join() === '1:AVAILABLE',
    );
    expect((await predict(url, 'lin', 1)).body).toEqual({ predictions: [[3]] });
    expect((await predict(url, 'lin/versions/2', 1)).status).toBe(404);
  });

  it('never serves a half-written version and reports a broken one without crashing', async () => {
    const base = newBase();
    await saveModel(linear(2, 1), path.join(base, 'lin', '1'));
    // 2: weights copied, model.json not yet; 3: model.json present but weights cut short
    const v2 = path.join(base, 'lin', '2');
    const v3 = path.join(base, 'lin', '3');
    await saveModel(linear(4, 0), v2);
    fs.rmSync(path.join(v2, 'model.json'));
    await saveModel(linear(5, 0), v3);
    const full = fs.readFileSync(path.join(v3, 'weights.bin'));
    fs.writeFileSync(path.join(v3, 'weights.bin'), full.subarray(0, 3));
    const url = await serve(base);
    const s = await status(url);
    expect(versions(s)).toEqual(['3:END', '1:AVAILABLE']);
    expect(s[0]!.status.error_code).toBe('DATA_LOSS');
    expect(s[0]!.status.error_message).toMatch(/weights\.bin.*needs 8 bytes but weights\.bin hold 3/);
    // the newest available version answers; the broken one is a 404 naming why
    expect((await predict(url, 'lin', 1)).body).toEqual({ predictions: [[3]] });
    const broken = await predict(url, 'lin/versions/3', 1);
    expect(broken.status).toBe(404);
    expect(broken.body.error).toMatch(/version 3 is not available \(state END: .*needs 8 bytes/);
    // finishing both uploads makes both servable without a restart
    fs.writeFileSync(path.join(v3, 'weights.bin'), full);
    await saveModel(linear(4, 0), v2);
    await waitFor(
      () => status(url),
      (st) => versions(st).join() === '3:AVAILABLE,2:AVAILABLE,1:AVAILABLE',
    );
    expect((await predict(url, 'lin', 2)).body).toEqual({ predictions: [[10]] });
    expect((await predict(url, 'lin/versions/2', 2)).body).toEqual({ predictions: [[8]] });
  });

  it('never serves a version whose manifest points outside its folder, and keeps serving the others', async () => {
    const base = newBase();
    await saveModel(linear(2, 1), path.join(base, 'lin', '1'));
    // version 2 borrows version 1's weights (the right size) through '../1/weights.bin'
    const v2 = path.join(base, 'lin', '2');
    await saveModel(linear(4, 0), v2);
    const json = JSON.parse(fs.readFileSync(path.join(v2, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../1/weights.bin'];
    fs.writeFileSync(path.join(v2, 'model.json'), JSON.stringify(json));
    const url = await serve(base);
    const s = await status(url);
    expect(versions(s)).toEqual(['2:END', '1:AVAILABLE']);
    expect(s[0]!.status.error_message).toMatch(/paths\[0\] '\.\.\/1\/weights\.bin' leaves the version folder/);
    expect((await predict(url, 'lin', 1)).body).toEqual({ predictions: [[3]] });
    expect((await predict(url, 'lin/versions/2', 1)).status).toBe(404);
  });

  it('moves labels with promote and rollback, keeping a history', async () => {
    const base = newBase();
    for (const v of [1, 2, 3]) await saveModel(linear(v, 0), path.join(base, 'lin', String(v)));
    promote(base, 'lin', 1, 'stable');
    const url = await serve(base);
    expect((await predict(url, 'lin/labels/stable', 7)).body).toEqual({ predictions: [[7]] });
    expect((await predict(url, 'lin/labels/canary', 7)).status).toBe(400);

    promote(base, 'lin', 2, 'stable');
    promote(base, 'lin', 3, 'stable');
    promote(base, 'lin', 3, 'canary');
    expect(readLabels(base, 'lin')).toEqual({ labels: { stable: 3, canary: 3 }, history: { stable: [1, 2] } });
    await waitFor(
      () => predict(url, 'lin/labels/stable', 7),
      (r) => r.body.predictions?.[0]?.[0] === 21,
    );
    expect((await predict(url, 'lin/labels/canary', 1)).body).toEqual({ predictions: [[3]] });

    rollback(base, 'lin', 'stable');
    await waitFor(
      () => predict(url, 'lin/labels/stable', 7),
      (r) => r.body.predictions?.[0]?.[0] === 14,
    );
    rollback(base, 'lin', 'stable');
    expect(readLabels(base, 'lin').labels.stable).toBe(1);
    expect(() => rollback(base, 'lin', 'stable')).toThrow(/label 'stable' of model 'lin' has no earlier version/);
    expect(() => rollback(base, 'lin', 'beta')).toThrow(/has no label 'beta'/);
    expect(() => promote(base, 'lin', 9, 'stable')).toThrow(/no saved model at .*lin\/9/);
  });

  it("treats labels named like Object's prototype members as ordinary labels", async () => {
    const base = newBase();
    for (const v of [1, 2]) await saveModel(linear(v, 0), path.join(base, 'lin', String(v)));
    expect(() => rollback(base, 'lin', 'toString')).toThrow(/model 'lin' has no label 'toString'/);
    promote(base, 'lin', 1, 'constructor');
    promote(base, 'lin', 2, 'constructor');
    expect(readLabels(base, 'lin').history.constructor).toEqual([1]);
    expect(rollback(base, 'lin', 'constructor').labels.constructor).toBe(1);
    // a hand-written flat file: JSON.parse makes "__proto__" an own key, which must stay a label
    fs.writeFileSync(path.join(base, 'lin', 'labels.json'), '{"__proto__": 2, "constructor": 1}');
    expect(Object.entries(readLabels(base, 'lin').labels)).toEqual([
      ['__proto__', 2],
      ['constructor', 1],
    ]);
    const url = await serve(base);
    expect((await predict(url, 'lin/labels/__proto__', 5)).body).toEqual({ predictions: [[10]] });
    expect((await predict(url, 'lin/labels/constructor', 5)).body).toEqual({ predictions: [[5]] });
    expect((await predict(url, 'lin/labels/valueOf', 5)).body).toEqual({
      error: "Unrecognized servable version label: valueOf (model 'lin')",
    });
  });

  it('keeps the previous labels when labels.json is broken, and refuses a label on a missing version', async () => {
    const base = newBase();
    await saveModel(linear(2, 1), path.join(base, 'lin', '1'));
    const file = path.join(base, 'lin', 'labels.json');
    fs.writeFileSync(file, JSON.stringify({ stable: 1, canary: 4 }));
    const url = await serve(base);
    const canary = await predict(url, 'lin/labels/canary', 1);
    expect(canary.status).toBe(400);
    expect(canary.body.error).toMatch(
      /label 'canary' of model 'lin' points to version 4, which is not available for inference \(no such version\)/,
    );
    fs.writeFileSync(file, '{"stable": ');
    await running!.repository.refresh();
    expect((await predict(url, 'lin/labels/stable', 1)).body).toEqual({ predictions: [[3]] });
  });

  it('loads by the version policy: latest 1 by default, specific versions, plus labelled ones', async () => {
    const base = newBase();
    for (const v of [1, 2, 3]) await saveModel(linear(v, 0), path.join(base, 'lin', String(v)));
    const repository = new ModelRepository(base, { pollMs: 60_000 });
    await repository.start();
    expect(repository.status('lin').map((v) => `${v.version}:${v.state}`)).toEqual(['3:AVAILABLE']);
    await repository.stop();
    promote(base, 'lin', 1, 'stable');
    const specific = new ModelRepository(base, { pollMs: 60_000, policy: { specific: [2] } });
    await specific.start();
    expect(specific.status('lin').map((v) => `${v.version}:${v.state}`)).toEqual(['2:AVAILABLE', '1:AVAILABLE']);
    expect(() => specific.acquire('lin', { version: 3 })).toThrow(/Servable not found for request: Specific\(lin, 3\)/);
    const held = specific.acquire('lin', { label: 'stable' });
    expect(held.version).toBe(1);
    held.release();
    await specific.stop();
  });

  it('loads only the newest N versions plus labelled ones', async () => {
    const base = newBase();
    for (const v of [1, 2, 3, 4]) await saveModel(linear(v, 0), path.join(base, 'lin', String(v)));
    promote(base, 'lin', 1, 'stable');
    const url = await serve(base, 2);
    expect(versions(await status(url))).toEqual(['4:AVAILABLE', '3:AVAILABLE', '1:AVAILABLE']);
  });
});
