/**
 * A worker killed (SIGKILL) in the middle of an executor: Temporal notices the missing
 * heartbeats, the attempt is retried on a new worker process, the run completes, and the
 * metadata holds exactly one published output per node.
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

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await env?.close();
});

it('retries an executor on a new worker after its worker is killed, publishing once', async () => {
  const attemptsFile = path.join(env.config.home, 'attempts.log');
  const pipeline = definePipeline({ name: 'killed' }, (p) => {
    const slow = p.add(Sleep({ label: 'slow', ms: 8_000, attemptsFile }), {
      id: 'slow',
      timeouts: { heartbeatMs: 2_000 },
      retry: { initialIntervalMs: 100 },
    });
    p.add(Sleep({ upstream: slow.outputs.out, label: 'next', attemptsFile }), { id: 'next' });
  });
  const first = await startWorker();
  const handle = await startPipelineRun(env.client, env.config, pipeline.compile({ root: env.config.home }));
  const result = watchRun(handle, () => {});
  // wait for the line, not the file: appendFile creates the file before it writes, and a kill
  // in between loses the first attempt's line (this test's old flake)
  const started = () => fs.existsSync(attemptsFile) && fs.readFileSync(attemptsFile, 'utf8').includes('slow ');
  while (!started()) await new Promise((r) => setTimeout(r, 50));
  first.kill('SIGKILL');
  await startWorker();
  const done = await result;
  expect(done.status).toBe('COMPLETE');

  const lines = fs.readFileSync(attemptsFile, 'utf8').trim().split('\n');
  const slowAttempts = lines.filter((l) => l.startsWith('slow '));
  expect(slowAttempts).toHaveLength(2);
  expect(slowAttempts[0]!.split(' ')[1]).toBe(String(first.pid));
  expect(slowAttempts[1]!.split(' ')[1]).not.toBe(String(first.pid));

  const runId = handle.workflowId.split('/')[1]!;
  const execs = await env.store.listExecutions({ runId });
  expect(execs.map((e) => `${e.nodeId}:${e.state}`).sort()).toEqual(['next:COMPLETE', 'slow:COMPLETE']);
  for (const e of execs) {
    const outputs = (await env.store.eventsOfExecution(e.id)).filter((ev) => ev.type === 'OUTPUT');
    expect(outputs).toHaveLength(1);
  }
  const artifacts = await env.store.listArtifacts({ pipeline: 'killed' });
  expect(artifacts).toHaveLength(2);
});
