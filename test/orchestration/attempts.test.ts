/**
 * Attempts of one activity never touch each other's files (issue: a zombie attempt deleted a
 * published artifact; a retried merge found its shard partials deleted). Two attempts of the
 * same execution run here side by side through the real activity adapter, in Temporal's
 * activity context, on a real SQLite store and real folders; the interleavings a paused or
 * killed worker causes are forced with gates instead of timing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { MetadataStore } from '../../src/metadata/store.js';
import { createActivities } from '../../src/orchestration/activities.js';
import type { ActivityDeps } from '../../src/orchestration/activity-deps.js';
import { runComponentAdapter, runShardAdapter } from '../../src/orchestration/run-component.js';
import type { PrepareNodeResult, RunComponentInput } from '../../src/orchestration/types.js';
import type { NodeSpec } from '../../schemas/pipeline-spec.js';

/** A promise the test resolves: where an attempt waits, standing in for a paused worker. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}
const gates = new Map<string, ReturnType<typeof gate>>();
const entered = new Map<string, ReturnType<typeof gate>>();
const mergeFailures = { left: 0 };

const common = { version: '1', queue: 'cpu' as const, retry: defaultRetry, timeouts: defaultTimeouts };

const writerSpec = {
  ...common,
  name: 'GatedWriter',
  inputs: {},
  outputs: { out: 'ExternalArtifact' as const },
  params: z.object({ label: z.string() }),
};
const writer: ComponentImpl<typeof writerSpec> = {
  spec: writerSpec,
  async executor({ outputs, ctx }) {
    const key = `${ctx.executionId}/${ctx.nodeId}`;
    const attempt = Context.current().info.attempt;
    fs.writeFileSync(path.join(outputs.out.path, 'value.txt'), `attempt ${attempt}`);
    entered.get(`${key}/${attempt}`)?.open();
    const g = gates.get(`${key}/${attempt}`);
    if (g) {
      await g.opened;
      throw new Error(`attempt ${attempt} failed after it was resumed`);
    }
    return { out: { attempt } };
  },
};

const fanSpec = {
  ...common,
  name: 'FanSum',
  inputs: {},
  outputs: { out: 'ExternalArtifact' as const },
  params: z.object({ parts: z.number().int() }),
  fanOut: true,
};
const fan: ComponentImpl<typeof fanSpec> = {
  spec: fanSpec,
  fanOut: {
    plan: async ({ params }) => Array.from({ length: params.parts }, (_, i) => ({ n: i + 1 })),
    run: async ({ task, path: dir }) => fs.writeFileSync(path.join(dir, 'partial.json'), JSON.stringify(task)),
  },
  async executor({ outputs, shards }) {
    let sum = 0;
    for (const s of shards!) sum += (JSON.parse(fs.readFileSync(path.join(s.path, 'partial.json'), 'utf8')) as { n: number }).n;
    if (mergeFailures.left-- > 0) throw new Error('merge attempt lost after reading the partials');
    fs.writeFileSync(path.join(outputs.out.path, 'sum.txt'), String(sum));
    return { out: { sum } };
  },
};

let home: string;
let store: MetadataStore;
let deps: ActivityDeps;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-attempts-'));
  store = await openMetadataStore(path.join(home, 'metadata.sqlite'));
  deps = {
    store,
    storeRoot: path.join(home, 'artifacts', store.storeId),
    components: new Map([
      [writerSpec.name, writer as ComponentImpl],
      [fanSpec.name, fan as ComponentImpl],
    ]),
  };
});
afterAll(async () => {
  await store?.close();
});

const GatedWriter = defineComponent(writerSpec);
const FanSum = defineComponent(fanSpec);

/** An execution as prepareNode records it: RUNNING, with its outputs reserved. */
async function newRun(pipeline: string, node: NodeSpec, on: ActivityDeps = deps): Promise<RunComponentInput> {
  const prepared: PrepareNodeResult = await attemptEnv(1).run(createActivities(on).prepareNode, {
    storeId: store.storeId,
    pipeline,
    runId: 'r1',
    root: home,
    node,
    inputs: {},
    useCache: false,
  });
  return { storeId: store.storeId, pipeline, runId: 'r1', root: home, node, executionId: prepared.executionId, inputs: {} };
}

const attemptEnv = (attempt: number) => new MockActivityEnvironment({ attempt });
type Result = Awaited<ReturnType<typeof runComponentAdapter>>;
const nodeOf = (spec: ReturnType<ReturnType<typeof definePipeline>['compile']>) => spec.nodes[0]!;

describe('attempts of one execution', () => {
  it("a zombie attempt that fails after another attempt published leaves the published files alone", async () => {
    const node = nodeOf(definePipeline({ name: 'zombie' }, (p) => void p.add(GatedWriter({ label: 'x' }), { id: 'w' })).compile({ root: home }));
    const run = await newRun('zombie', node);
    const key = `${run.executionId}/w`;
    gates.set(`${key}/1`, gate());
    entered.set(`${key}/1`, gate());
    // attempt 1 writes, then stops (a worker under SIGSTOP)
    const zombie = attemptEnv(1).run(runComponentAdapter, deps, run);
    await entered.get(`${key}/1`)!.opened;
    // attempt 2 (Temporal retried after the heartbeat timeout) finishes and is published
    const accepted: Result = await attemptEnv(2).run(runComponentAdapter, deps, run);
    expect(accepted.properties.out).toMatchObject({ attempt: 2 });
    const activities = createActivities(deps);
    const { outputs } = await activities.publishNode({ ...run, properties: accepted.properties, attempt: accepted.attempt });
    const artifact = (await store.getArtifact(outputs.out!))!;
    expect(fs.readFileSync(path.join(artifact.uri, 'value.txt'), 'utf8')).toBe('attempt 2');

    // the paused worker resumes; its attempt fails and cleans up after itself only
    gates.get(`${key}/1`)!.open();
    await expect(zombie).rejects.toThrow(/attempt 1 failed after it was resumed/);
    expect(fs.readFileSync(path.join(artifact.uri, 'value.txt'), 'utf8')).toBe('attempt 2');
    expect(fs.readdirSync(path.join(path.dirname(path.dirname(artifact.uri)), '.staging'))).toEqual([]);
    expect((await store.getExecution(run.executionId))!.state).toBe('COMPLETE');
  });

  it('a late attempt that succeeds finds the outputs in place and reports the earlier attempt, not its own', async () => {
    const node = nodeOf(definePipeline({ name: 'late' }, (p) => void p.add(GatedWriter({ label: 'y' }), { id: 'w' })).compile({ root: home }));
    const run = await newRun('late', node);
    const first: Result = await attemptEnv(1).run(runComponentAdapter, deps, run);
    // a retry after the first attempt's worker died before reporting: nothing is run again
    const again = await attemptEnv(2).run(runComponentAdapter, deps, run);
    expect(again).toEqual(first);
    const activities = createActivities(deps);
    await expect(
      activities.publishNode({ ...run, properties: first.properties, attempt: 'not-the-accepted-one' }),
    ).rejects.toMatchObject({ type: 'FencingError', nonRetryable: true });
    const { outputs } = await activities.publishNode({ ...run, properties: first.properties, attempt: first.attempt });
    const artifact = (await store.getArtifact(outputs.out!))!;
    expect(fs.readFileSync(path.join(artifact.uri, 'value.txt'), 'utf8')).toBe('attempt 1');
  });

  it('a merge retried after it read the partials still finds them; they go only when the node is published', async () => {
    const node = nodeOf(definePipeline({ name: 'fan' }, (p) => void p.add(FanSum({ parts: 4 }), { id: 'f' })).compile({ root: home }));
    const run = await newRun('fan', node);
    const tasks = Array.from({ length: 4 }, (_, i) => ({ n: i + 1 }));
    for (const [index, task] of tasks.entries()) {
      await attemptEnv(1).run(runShardAdapter, deps, { ...run, round: 0, index, task });
      // a shard attempt retried after its first one moved in keeps the first's partial
      await attemptEnv(2).run(runShardAdapter, deps, { ...run, round: 0, index, task });
    }
    mergeFailures.left = 1;
    await expect(attemptEnv(1).run(runComponentAdapter, deps, { ...run, shardRounds: [tasks] })).rejects.toThrow(/merge attempt lost/);
    const merged: Result = await attemptEnv(2).run(runComponentAdapter, deps, { ...run, shardRounds: [tasks] });
    expect(merged.properties.out).toMatchObject({ sum: 10 });
    // the completion of that merge may be lost too: a third attempt still succeeds, with the same result
    expect(await attemptEnv(3).run(runComponentAdapter, deps, { ...run, shardRounds: [tasks] })).toEqual(merged);
    const shardsDir = path.join(deps.storeRoot, 'fan', 'f', '_shards', String(run.executionId));
    expect(fs.readdirSync(shardsDir).filter((d) => /^\d+$/.test(d))).toHaveLength(4);
    await createActivities(deps).publishNode({ ...run, properties: merged.properties, attempt: merged.attempt });
    expect(fs.existsSync(shardsDir)).toBe(false);
  });

  it('refuses, not retryable, an activity of a run that another store owns', async () => {
    const node = nodeOf(definePipeline({ name: 'other' }, (p) => void p.add(GatedWriter({ label: 'z' }), { id: 'w' })).compile({ root: home }));
    const run = await newRun('other', node);
    const foreign = { ...run, storeId: '00000000-0000-4000-8000-000000000000' };
    await expect(attemptEnv(1).run(createActivities(deps).runComponent, foreign)).rejects.toMatchObject({
      type: 'StoreMismatchError',
      nonRetryable: true,
      message: expect.stringMatching(/belongs to metadata store 00000000-.*but this worker serves store/),
    });
    await expect(createActivities(deps).failNode({ storeId: foreign.storeId, executionId: 1, error: 'x' })).rejects.toMatchObject({
      type: 'StoreMismatchError',
    });
  });
});

describe('a retried prepareNode', () => {
  it('reuses the execution its lost first attempt recorded, instead of leaving one RUNNING forever', async () => {
    const spec = definePipeline({ name: 'prep' }, (p) => void p.add(GatedWriter({ label: 'p' }), { id: 'w' })).compile({ root: home });
    const activities = createActivities({ ...deps, workflowIds: () => ({ workflowId: 'prep/r1/x', workflowRunId: 'wf-run-1' }) });
    const input = { storeId: store.storeId, pipeline: 'prep', runId: 'r1', root: home, node: spec.nodes[0]!, inputs: {}, useCache: false };
    const first: PrepareNodeResult = await attemptEnv(1).run(activities.prepareNode, input);
    const retried = await attemptEnv(2).run(activities.prepareNode, input);
    expect(retried).toEqual(first);
    expect(await store.listExecutions({ pipeline: 'prep', runId: 'r1' })).toHaveLength(1);
    // another run of the workflow (a new workflow run id) gets an execution of its own
    const other = createActivities({ ...deps, workflowIds: () => ({ workflowId: 'prep/r1/x', workflowRunId: 'wf-run-2' }) });
    const second: PrepareNodeResult = await attemptEnv(1).run(other.prepareNode, input);
    expect(second.executionId).not.toBe(first.executionId);
  });
});

/** Whether this process may mount (root in a sandbox that allows it): the read-only fault needs it. */
function canMount(): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'none', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.runIf(process.platform === 'linux' && canMount())('a read-only artifact store', () => {
  it('reports the write that failed, with the failed cleanup as a note', async () => {
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-ro-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'none', mnt]);
    try {
      const remountSpec = { ...writerSpec, name: 'RemountingWriter' };
      const remounting: ComponentImpl<typeof remountSpec> = {
        spec: remountSpec,
        async executor({ outputs }) {
          fs.writeFileSync(path.join(outputs.out.path, 'first.txt'), 'written before the disk turned read-only');
          execFileSync('mount', ['-o', 'remount,ro', mnt]);
          fs.writeFileSync(path.join(outputs.out.path, 'second.txt'), 'this write fails');
          return { out: {} };
        },
      };
      const roDeps: ActivityDeps = { ...deps, storeRoot: mnt, components: new Map([[remountSpec.name, remounting as ComponentImpl]]) };
      const Remounting = defineComponent(remountSpec);
      const node = nodeOf(definePipeline({ name: 'ro' }, (p) => void p.add(Remounting({ label: 'r' }), { id: 'w' })).compile({ root: home }));
      const run = await newRun('ro', node, roDeps);
      const err = (await attemptEnv(1).run(runComponentAdapter, roDeps, run).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/^EROFS: read-only file system, open '.*second\.txt'/);
      expect(err.message).toMatch(/cleaning up the attempt's staging folder also failed: EROFS/);
    } finally {
      execFileSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  });
});
