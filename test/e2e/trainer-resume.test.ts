/**
 * The Trainer through Temporal with real worker processes. A worker killed (SIGKILL) in the
 * middle of training: Temporal misses its heartbeats, retries the attempt on a new worker, and
 * that attempt resumes from the last epoch's checkpoint in the execution's work folder, so the
 * epochs run across both attempts add up to the epochs asked for. A canceled run: training
 * stops at the next batch, the execution is CANCELED at once and no Model is published.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localPath, workUri } from '../../src/artifacts/local-store.js';
import type { Execution } from '../../src/metadata/store.js';
import { readProgress, startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { trainerPipeline, type TrainerPipelineOptions } from '../fixtures/pipelines/trainer.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { alive, startWorkerProcess, waitFor } from '../helpers/processes.js';

let env: E2eEnv;
const children: ChildProcess[] = [];
const root = path.resolve('test/fixtures/pipelines');
const PIPELINE = 'trainer-faults';

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await env?.close();
});

async function start(o: TrainerPipelineOptions) {
  const handle = await startPipelineRun(env.client, env.config, trainerPipeline({ name: PIPELINE, ...o }).compile({ root }));
  const runId = handle.workflowId.split('/')[1]!;
  const result = watchRun(handle, () => {});
  result.catch(() => {}); // awaited by the test; a failing waitFor first must not leave it unhandled
  const trainer = await waitFor('the Trainer to start', async () => (await env.store.listExecutions({ runId, nodeId: 'Trainer' }))[0], 60_000, 100);
  const csv = path.join(workUri(env.config.storeRoot, PIPELINE, 'Trainer', trainer.id), 'training.csv');
  /** epochs logged to the work folder's CSV so far */
  const rows = () => (fs.existsSync(csv) ? Math.max(0, fs.readFileSync(csv, 'utf8').trim().split('\n').length - 1) : 0);
  return { handle, runId, result, trainer, rows };
}

const execution = async (id: number, runId: string): Promise<Execution> =>
  (await env.store.listExecutions({ runId, nodeId: 'Trainer' })).find((e) => e.id === id)!;

it('a Trainer whose worker is killed mid-training resumes on another worker from its last checkpoint', async () => {
  const epochs = 40;
  const first = await startWorkerProcess(env.env, children);
  const run = await start({ epochs });
  // two epochs logged: a checkpoint is on disk, and most of the training is still ahead
  await waitFor('two epochs of training', () => run.rows() >= 2, 90_000, 25);
  const rowsAtKill = run.rows();
  first.kill('SIGKILL');
  await waitFor('the worker to die', () => !alive(first.pid!), 10_000, 20);
  expect(rowsAtKill).toBeLessThan(epochs);
  // the retry can only run here: the killed worker was the only one
  await startWorkerProcess(env.env, children);
  const done = await run.result;
  expect(done.status).toBe('COMPLETE');

  const [modelRun] = await env.store.listArtifacts({ pipeline: PIPELINE, runId: run.runId, type: 'ModelRun' });
  const props = modelRun!.properties as { epochs: number; epochsThisAttempt: number; resumedFromEpoch: number | null; history: unknown[] };
  // the retry started after the last checkpoint the killed attempt wrote (its CSV row may be one epoch ahead of it)
  expect(props.resumedFromEpoch).toBeGreaterThanOrEqual(Math.max(1, rowsAtKill - 1));
  expect(props.resumedFromEpoch).toBeLessThanOrEqual(rowsAtKill + 1);
  expect(props.resumedFromEpoch! + props.epochsThisAttempt).toBe(epochs);
  expect(props.epochs).toBe(epochs);
  expect(props.history).toHaveLength(epochs);
  // the CSV log has every epoch once: the epoch the killed attempt ran past its checkpoint is not doubled
  const csv = fs.readFileSync(path.join(localPath(modelRun!.uri), 'training.csv'), 'utf8').trim().split('\n');
  expect(csv.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([...Array(epochs).keys()]);

  const trainer = await execution(run.trainer.id, run.runId);
  expect(trainer.state).toBe('COMPLETE');
  const outputs = (await env.store.eventsOfExecution(trainer.id)).filter((e) => e.type === 'OUTPUT');
  expect(outputs).toHaveLength(2); // one Model, one ModelRun
  // published: the work folder is gone
  expect(fs.existsSync(workUri(env.config.storeRoot, PIPELINE, 'Trainer', trainer.id))).toBe(false);
}, 120_000);

/** CPU time a process used (all its threads), in seconds, from Linux procfs. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
  return (utime! + stime!) / CLOCK_TICKS;
}
/** USER_HZ, which procfs counts in: 100 on every Linux architecture tsfx runs on */
const CLOCK_TICKS = 100;

/** The share of one core `pid` used over the next `ms`. */
async function cpuShare(pid: number, ms: number): Promise<number> {
  const [c0, t0] = [cpuSeconds(pid), Date.now()];
  await new Promise((r) => setTimeout(r, ms));
  return (cpuSeconds(pid) - c0) / ((Date.now() - t0) / 1000);
}

it('a canceled run stops training at the next batch and publishes no Model', async () => {
  // the first test's second worker is still polling (one is started when this test runs alone); upstream nodes come from the cache
  let worker = children.find((c) => c.exitCode === null && alive(c.pid!));
  worker ??= await startWorkerProcess(env.env, children);
  // one epoch of 3000 steps (seconds): a cancel acted on only at the epoch's end would keep the worker busy
  const run = await start({ epochs: 50, stepsPerEpoch: 3_000 });
  // what `tsfx run` draws: the training node's heartbeat, epoch and step in it
  await waitFor('the heartbeat of step 100 or later', async () => {
    const hb = (await readProgress(run.handle))?.heartbeats.Trainer;
    const m = /^epoch 1\/50 · step (\d+)\/3000 · loss [\d.]+$/.exec(hb?.message ?? '');
    return !!m && Number(m[1]) >= 100;
  }, 60_000, 100);
  // and it stays drawn between reports: the adapter's keep-alive repeats it rather than a bare 'running'
  const seen: string[] = [];
  for (let i = 0; i < 12; i++) {
    seen.push((await readProgress(run.handle))?.heartbeats.Trainer?.message ?? 'none');
    await new Promise((r) => setTimeout(r, 150));
  }
  expect(seen.filter((m) => !/^epoch 1\/50 · step \d+\/3000 · loss /.test(m))).toEqual([]);
  const busy = await cpuShare(worker.pid!, 1_000);
  const asked = Date.now();
  await run.handle.cancel();
  const done = await run.result;
  expect(done.status).toBe('CANCELED');
  const canceled = await waitFor('the Trainer to be CANCELED', async () => {
    const e = await execution(run.trainer.id, run.runId);
    return e.state === 'CANCELED' && e;
  }, 10_000, 100);
  expect(Date.now() - asked).toBeLessThan(5_000);

  // training itself stopped, not only the run: the worker goes idle long before the epoch could end
  await new Promise((r) => setTimeout(r, Math.max(0, asked + 3_000 - Date.now())));
  const idle = await cpuShare(worker.pid!, 1_500);
  // on a loaded machine training gets a share of a core; an idle worker only polls
  expect(busy).toBeGreaterThan(0.2);
  expect(idle).toBeLessThan(Math.min(0.1, busy / 4));
  expect(run.rows()).toBe(0);

  expect((await env.store.eventsOfExecution(canceled.id)).filter((e) => e.type === 'OUTPUT')).toHaveLength(0);
  const models = await env.store.listArtifacts({ pipeline: PIPELINE, runId: run.runId, type: 'Model', state: 'any' });
  expect(models.filter((m) => m.state === 'LIVE')).toHaveLength(0);
}, 90_000);
