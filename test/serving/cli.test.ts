/** `tsfx serve`, `tsfx promote` and `tsfx rollback` as a user runs them: real processes. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { saveModel } from '../../src/ml/fs-model-io.js';

const run = promisify(execFile);
const tsfx = path.resolve('bin/tsfx.js');
let base: string;

function linear(w: number, b: number): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.setWeights([tf.tensor2d([[w]]), tf.tensor1d([b])]);
  return model;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

beforeAll(async () => {
  await ensureBackend();
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-serve-cli-'));
  await saveModel(linear(2, 1), path.join(base, 'lin', '1'));
  await saveModel(linear(3, 0), path.join(base, 'lin', '2'));
  // ~100 µs a row on the wasm backend
  const heavy = tf.sequential({
    layers: [
      tf.layers.dense({ units: 1024, activation: 'relu', inputShape: [1] }),
      tf.layers.dense({ units: 1024, activation: 'relu' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  await saveModel(heavy, path.join(base, 'heavy', '1'));
});

interface ServeProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

async function startServe(...extra: string[]): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [tsfx, 'serve', '--port', String(port), '--grpc-port', '0', '--model-base', base, '--poll-ms', '100', ...extra],
    // the long predict below is sized for wasm; tfjs-node would finish it before the SIGTERM
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { TSFX_TF_BACKEND: 'tfjs-backend-wasm', ...process.env, TSFX_HOME: base },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before listening: ${stdout}${stderr}`)));
  });
  expect(url).toBe(`http://127.0.0.1:${port}`);
  return { url, child, exited, output: () => stdout + stderr };
}

const column = (n: number) => JSON.stringify({ instances: Array.from({ length: n }, (_, i) => [i % 7]) });

/**
 * Start a ~15 s predict (on the wasm backend), check it is still running after 1.5 s, SIGTERM the
 * server, and say how long it took to exit and what the predict got.
 */
async function sigtermDuringLongPredict(url: string, child: ChildProcess, exited: Promise<number | null>) {
  let answered: number | string | undefined;
  const big = fetch(`${url}/v1/models/heavy:predict`, { method: 'POST', body: column(150_000) }).then(
    (r) => (answered = r.status),
    (err: Error) => (answered = err.message),
  );
  await new Promise((r) => setTimeout(r, 1500));
  expect(answered, 'the predict finished before SIGTERM: make it bigger').toBeUndefined();
  const t0 = performance.now();
  child.kill('SIGTERM');
  const code = await exited;
  const ms = performance.now() - t0;
  await big;
  return { code, ms, answered };
}

describe('tsfx serve', () => {
  it('prints its URL and backend, predicts over HTTP, and exits 0 on SIGTERM', async () => {
    const { url, child, exited, output } = await startServe('--version-policy', 'all', '--token', 's3cret');
    const body = '{"instances": [[4], [0]]}';
    const anonymous = await fetch(`${url}/v1/models/lin/versions/1:predict`, { method: 'POST', body });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'missing bearer token: send "Authorization: Bearer <token>"' });
    const wrong = await fetch(`${url}/v1/models/lin`, { headers: { authorization: 'Bearer s3cre' } });
    expect(wrong.status).toBe(401);
    const res = await fetch(`${url}/v1/models/lin/versions/1:predict`, {
      method: 'POST',
      body,
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(await res.json()).toEqual({ predictions: [[9], [1]] });
    expect(output()).toContain('bearer token required');
    // stdout is read to the end, so the backend line is there once listening was printed
    expect(output()).toMatch(/tfjs backend (tensorflow|wasm|cpu) from @tensorflow\//);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toContain('tsfx serve: stopped');
  });

  it('takes --max-rows, and exits within seconds of SIGTERM during a long predict', async () => {
    const { url, child, exited, output } = await startServe('--max-rows', '200000', '--drain-ms', '500');
    const over = await fetch(`${url}/v1/models/heavy:predict`, { method: 'POST', body: column(200_001) });
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: string }).error).toContain('at most 200000 rows per request (--max-rows)');
    const { code, ms, answered } = await sigtermDuringLongPredict(url, child, exited);
    expect(ms, output()).toBeLessThan(4000);
    expect(code).toBe(0);
    // the drain bound passed, so the predict was stopped: 503, or the connection closed under it
    expect([503, 'fetch failed']).toContain(answered);
    expect(output()).toContain('tsfx serve: stopped');
  });

  it('batches with a TF Serving batching parameters file, shows it on the metrics page, and stops a long batch on SIGTERM', async () => {
    const file = path.join(base, 'batching.txt');
    fs.writeFileSync(
      file,
      '# as tensorflow_model_server reads it\nmax_batch_size { value: 200000 }\nbatch_timeout_micros { value: 20000 }\nmax_enqueued_batches { value: 100 }\n',
    );
    const { url, child, exited, output } = await startServe(
      '--batching-parameters-file',
      file,
      '--drain-ms',
      '500',
      '--max-rows',
      '200000',
    );
    for (let i = 0; i < 100 && !output().includes('Ctrl-C to stop'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(output()).toContain(
      'batching on {"maxBatchSize":200000,"batchTimeoutMicros":20000,"maxEnqueuedBatches":100}',
    );
    const answers = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (x) => {
        const r = await fetch(`${url}/v1/models/lin:predict`, { method: 'POST', body: `{"instances": [[${x}]]}` });
        return (await r.json()) as unknown;
      }),
    );
    // lin's latest version is 2: y = 3x
    expect(answers).toEqual([0, 1, 2, 3, 4, 5].map((x) => ({ predictions: [[3 * x]] })));
    const metrics = await (await fetch(`${url}/monitoring/prometheus/metrics`)).text();
    const batches =
      /^:tensorflow:serving:batching_session:processed_batch_size_count\{model_name="lin",version="2"\} (\d+)$/m.exec(
        metrics,
      );
    expect(Number(batches?.[1])).toBeGreaterThan(0);
    expect(Number(batches?.[1])).toBeLessThan(6);
    // in a batch run this time
    const { code, ms, answered } = await sigtermDuringLongPredict(url, child, exited);
    expect(ms, output()).toBeLessThan(4000);
    expect(code).toBe(0);
    expect([503, 'fetch failed']).toContain(answered);
  });

  it('refuses a batching parameters file it cannot read, naming the file', async () => {
    const file = path.join(base, 'bad-batching.txt');
    fs.writeFileSync(file, 'max_batch_size { value: "many" }\n');
    const err = (await run(
      process.execPath,
      [tsfx, 'serve', '--port', '0', '--grpc-port', '0', '--model-base', base, '--batching-parameters-file', file],
      {
        env: { ...process.env, TSFX_HOME: base },
      },
    ).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain(file);
    expect(err.stderr).toContain('max_batch_size');
    // a value out of range is refused at start, not at every version's load
    fs.writeFileSync(file, 'max_batch_size { value: 0 }\n');
    const zero = (await run(
      process.execPath,
      [tsfx, 'serve', '--port', '0', '--grpc-port', '0', '--model-base', base, '--batching-parameters-file', file],
      {
        env: { ...process.env, TSFX_HOME: base },
      },
    ).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(
      /maxBatchSize.*must be an integer >= 1, got 0|must be an integer >= 1, got 0.*maxBatchSize/s,
    );
  });

  it('rejects a bad option with a clear message and exit code 2', async () => {
    const err = (await run(process.execPath, [tsfx, 'serve', '--port', 'http', '--model-base', base]).catch(
      (e: unknown) => e,
    )) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain("--port: must be an integer >= 0, got 'http'");
  });
});

describe('tsfx promote / rollback', () => {
  it('moves a label in labels.json and back', async () => {
    const opts = ['--model-base', base, '--label', 'stable'];
    expect((await run(process.execPath, [tsfx, 'promote', 'lin', '1', ...opts])).stdout).toContain(
      'lin: stable -> version 1',
    );
    expect((await run(process.execPath, [tsfx, 'promote', 'lin', '2', ...opts])).stdout).toContain(
      'lin: stable -> version 2',
    );
    const labels = JSON.parse(fs.readFileSync(path.join(base, 'lin', 'labels.json'), 'utf8'));
    expect(labels).toEqual({ labels: { stable: 2 }, history: { stable: [1] } });
    expect((await run(process.execPath, [tsfx, 'rollback', 'lin', ...opts])).stdout).toContain(
      'lin: stable -> version 1',
    );
    const again = (await run(process.execPath, [tsfx, 'rollback', 'lin', ...opts]).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('no earlier version to roll back to');
  });
});
