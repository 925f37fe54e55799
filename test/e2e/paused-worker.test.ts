/**
 * A worker paused (SIGSTOP) in the middle of an executor, past the heartbeat timeout: Temporal
 * retries the attempt on another worker, the run completes, and when the paused worker resumes
 * (SIGCONT) its late attempt touches nothing: the published files stay as published.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { Sleep } from '../fixtures/components.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { startWorkerProcess } from '../helpers/processes.js';

let env: E2eEnv;
const children: ChildProcess[] = [];

const startWorker = () => startWorkerProcess(env.env, children);

const exited = (c: ChildProcess) =>
  new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await env?.close();
});

it("a paused worker's late attempt leaves the published output alone", async () => {
  const attemptsFile = path.join(env.config.home, 'attempts.log');
  const pipeline = definePipeline({ name: 'paused' }, (p) => {
    // the first attempt would run a minute: it is still inside the executor when it resumes
    p.add(Sleep({ label: 'slow', ms: 60_000, retryMs: 2_000, attemptsFile }), {
      id: 'slow',
      timeouts: { heartbeatMs: 2_000 },
      // the paused worker's open long polls (its sockets stay open under SIGSTOP) may each be
      // handed a retry attempt that then times out too: leave room for those
      retry: { initialIntervalMs: 100, maximumAttempts: 10 },
    });
  });
  const paused = await startWorker();
  const handle = await startPipelineRun(env.client, env.config, pipeline.compile({ root: env.config.home }));
  const result = watchRun(handle, () => {});
  const started = () => fs.existsSync(attemptsFile) && fs.readFileSync(attemptsFile, 'utf8').includes('slow ');
  while (!started()) await new Promise((r) => setTimeout(r, 50));
  paused.kill('SIGSTOP');
  const other = await startWorker();
  const done = await result;
  expect(done.status, JSON.stringify(done.nodes)).toBe('COMPLETE');
  const artifact = (await env.store.getArtifact(done.nodes.slow!.outputs!.out!))!;
  const published = fs.readFileSync(path.join(artifact.uri, 'value.txt'), 'utf8');
  expect(published).toBe('slow;');
  const lines = fs.readFileSync(attemptsFile, 'utf8').trim().split('\n');
  expect(lines.map((l) => l.split(' ')[1])).toEqual([String(paused.pid), String(other.pid)]);

  // resume the paused worker: its attempt's heartbeat is refused, it is canceled and cleans up;
  // stopping the worker waits for that attempt to end, so everything it would do is done
  paused.kill('SIGCONT');
  await new Promise((r) => setTimeout(r, 3_000));
  paused.kill('SIGTERM');
  await exited(paused);
  expect(fs.readFileSync(path.join(artifact.uri, 'value.txt'), 'utf8')).toBe(published);
  const execs = await env.store.listExecutions({ runId: done.runId });
  expect(execs.map((x) => x.state)).toEqual(['COMPLETE']);
  expect(await env.store.listArtifacts({ pipeline: 'paused' })).toHaveLength(1);
  const staging = path.join(path.dirname(path.dirname(artifact.uri)), '.staging');
  expect(fs.existsSync(staging) ? fs.readdirSync(staging) : []).toEqual([]);
});
