/**
 * Two orchestration mechanisms the model components stand on, through a real Temporal server:
 * fan-out in rounds (Transform analyzes per shard, then applies per shard with what the first
 * round found), and gpu routing (a gpu node runs on the gpu queue when a worker polls it,
 * otherwise on cpu, or waits when told to).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import type { RunningWorkers } from '../../src/orchestration/worker.js';
import { testComponents } from '../fixtures/components.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

const common = { version: '1', retry: defaultRetry, timeouts: defaultTimeouts };

/** Round 0: each shard writes its number; round 1: each shard writes its number times the round-0 total. */
const roundsSpec = {
  ...common,
  name: 'TwoRounds',
  queue: 'cpu' as const,
  inputs: {},
  outputs: { out: 'ExternalArtifact' as const },
  params: z.object({ parts: z.number().int() }),
  fanOut: true,
};
const readN = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'n.json'), 'utf8')) as number;
const rounds: ComponentImpl<typeof roundsSpec> = {
  spec: roundsSpec,
  fanOut: {
    rounds: () => 2,
    plan: async ({ params, round, previous }) => {
      // round 1 plans from what round 0 wrote: every round-0 shard is complete by now
      if (round === 1) expect(previous.map((s) => readN(s.path))).toHaveLength(params.parts);
      return Array.from({ length: params.parts }, (_, i) => ({ n: i + 1 }));
    },
    run: async ({ task, round, previous, path: dir }) => {
      const { n } = task as { n: number };
      const total = previous.filter((s) => s.round === 0).reduce((t, s) => t + readN(s.path), 0);
      fs.writeFileSync(path.join(dir, 'n.json'), JSON.stringify(round === 0 ? n : n * total));
    },
  },
  async executor({ outputs, shards }) {
    const byRound = [0, 1].map((r) => shards!.filter((s) => s.round === r).map((s) => readN(s.path)));
    fs.writeFileSync(path.join(outputs.out.path, 'rounds.json'), JSON.stringify(byRound));
    return { out: { byRound } };
  },
};

/** Records the task queue its executor ran on. */
const whereSpec = {
  ...common,
  name: 'WhereTrained',
  queue: 'gpu' as const,
  inputs: {},
  outputs: { out: 'ExternalArtifact' as const },
  params: z.object({ tag: z.string() }),
};
const where: ComponentImpl<typeof whereSpec> = {
  spec: whereSpec,
  async executor({ outputs }) {
    const queue = Context.current().info.taskQueue;
    fs.writeFileSync(path.join(outputs.out.path, 'queue.txt'), queue);
    return { out: { queue } };
  },
};

const TwoRounds = defineComponent(roundsSpec);
const WhereTrained = defineComponent(whereSpec);
const extra = [...testComponents, rounds as ComponentImpl, where as ComponentImpl];

let env: E2eEnv;
const workers: RunningWorkers[] = [];

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => {
  for (const w of workers) await w.shutdown();
  await env?.close();
});

it('runs a fan-out in rounds: round 1 reads round 0, the executor gets both', async () => {
  // cpu only: a gpu poller would still be listed after this worker stops, and the routing test needs none
  workers.push(await env.startWorkers({ queues: ['cpu'], extraComponents: extra }));
  const pipeline = definePipeline({ name: 'rounds' }, (p) => void p.add(TwoRounds({ parts: 3 })));
  const handle = await startPipelineRun(env.client, env.config, pipeline.compile({ root: env.config.home }));
  const result = await watchRun(handle, () => {});
  expect(result.status).toBe('COMPLETE');
  const out = (await env.store.getArtifact(result.nodes.TwoRounds!.outputs!.out!))!;
  // round 0 total = 6; round 1 = n * 6
  expect(out.properties.byRound).toEqual([[1, 2, 3], [6, 12, 18]]);
  expect(result.nodes.TwoRounds!.shards).toEqual({ total: 6, done: 6 });
  const scheduled = ((await handle.fetchHistory()).events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter(Boolean);
  expect(scheduled.filter((n) => n === 'planShards')).toHaveLength(2);
  expect(scheduled.filter((n) => n === 'runShard')).toHaveLength(6);
  await workers.pop()!.shutdown();
});

describe('gpu routing', () => {
  const run = async (tag: string, whenNoGpu?: 'cpu' | 'wait', scheduleToStartMs?: number) => {
    const options = { ...(whenNoGpu ? { whenNoGpu } : {}), ...(scheduleToStartMs ? { timeouts: { scheduleToStartMs } } : {}) };
    const pipeline = definePipeline({ name: 'gpu-route' }, (p) => void p.add(WhereTrained({ tag }), options));
    return startPipelineRun(env.client, env.config, pipeline.compile({ root: env.config.home }), { noCache: true });
  };
  const queueOf = async (result: Awaited<ReturnType<typeof watchRun>>) =>
    (await env.store.getArtifact(result.nodes.WhereTrained!.outputs!.out!))!.properties.queue;

  it('runs a gpu node on cpu while no worker polls gpu, on gpu once one does, and waits when told to', async () => {
    workers.push(await env.startWorkers({ queues: ['cpu'], extraComponents: extra }));
    const onCpu = await watchRun(await run('a'), () => {});
    expect(onCpu.status).toBe('COMPLETE');
    expect(await queueOf(onCpu)).toBe(`${env.config.queuePrefix}cpu`);
    expect(onCpu.nodes.WhereTrained!.queue).toBe('cpu');

    // `wait`: the node sits on the gpu queue until a GPU worker comes
    const waiting = await run('b', 'wait');
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await waiting.query<{ nodes: Record<string, { status: string }> }>('progress')).nodes.WhereTrained!.status).toBe('RUNNING');
    workers.push(await env.startWorkers({ queues: ['gpu'], extraComponents: extra }));
    const waited = await watchRun(waiting, () => {});
    expect(await queueOf(waited)).toBe(`${env.config.queuePrefix}gpu`);

    // the gpu worker has polled now, so the default routing picks gpu too
    const onGpu = await watchRun(await run('c'), () => {});
    expect(await queueOf(onGpu)).toBe(`${env.config.queuePrefix}gpu`);
    expect(onGpu.nodes.WhereTrained!.queue).toBe('gpu');

    // the GPU worker stops; Temporal lists its poller a while longer, so the node goes to gpu,
    // waits out its start window with no one to start it, and runs on cpu
    await workers.pop()!.shutdown();
    const fellBack = await watchRun(await run('d', undefined, 3_000), () => {});
    expect(fellBack.status).toBe('COMPLETE');
    expect(await queueOf(fellBack)).toBe(`${env.config.queuePrefix}cpu`);
    expect(fellBack.nodes.WhereTrained!.queue).toBe('cpu');
  });
});
