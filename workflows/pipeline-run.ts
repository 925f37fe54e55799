/**
 * The one generic workflow: it interprets a PipelineSpec. Each node goes
 * prepareNode (driver, cache) -> runComponent (executor, on the node's queue) -> publishNode,
 * and a node starts as soon as every node it reads from has finished, so independent
 * branches run in parallel. Deterministic: only types are imported from outside.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  proxyLocalActivities,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { NodeSpec, Queue } from '../schemas/pipeline-spec.js';
import type { Activities } from '../src/orchestration/activities.js';
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- activityIds is pure string formatting, and worker.ts hashes types.ts into the bundle key on purpose
import {
  activityIds,
  type InputIds,
  type NodeProgress,
  type OutputIds,
  type PipelineRunInput,
  type PipelineRunResult,
  type RunProgress,
} from '../src/orchestration/types.js';

export const progressQuery = defineQuery<RunProgress>('progress');

/**
 * Driver, publisher and bookkeeping are short, metadata-only steps, so they run as local
 * activities in the worker that hosts this workflow: no task-queue round trip per step, while
 * results are still recorded in history and retried like any activity.
 */
const bookkeepingOptions: LocalActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 10, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
};

/** How long a gpu node's task may wait for a GPU worker to start it before it runs on cpu. */
const GPU_START_MS = 120_000;

class UpstreamFailed extends Error {}
/** The node did not run because a condition (its own or an upstream node's) was false: not a failure. */
class ConditionSkipped extends Error {}
/** A node's halt check stopped the run after its outputs were published. */
class HaltedRun extends Error {}

export async function pipelineRun(input: PipelineRunInput): Promise<PipelineRunResult> {
  const { spec, options, queuePrefix, storeId } = input;
  const runId = options.runId;
  const progress: RunProgress = { pipeline: spec.name, runId, nodes: {} };
  for (const n of spec.nodes) progress.nodes[n.id] = { status: 'PENDING' };
  setHandler(progressQuery, () => progress);

  const book = proxyLocalActivities<Activities>(bookkeepingOptions);
  const noCache = options.noCache;
  const useCache = (n: NodeSpec) => n.cache && noCache !== true && !(Array.isArray(noCache) && noCache.includes(n.id));

  const done = new Map<string, Promise<OutputIds>>();
  const started = new Set<string>();
  const byId = new Map(spec.nodes.map((n) => [n.id, n]));
  const set = (id: string, patch: Partial<NodeProgress>) => Object.assign(progress.nodes[id]!, patch);

  const runNode = async (node: NodeSpec): Promise<OutputIds> => {
    const readFrom = Object.values(node.inputs).flatMap((refs) => refs.map((r) => r.node));
    const upstream = [...new Set(node.when ? [...readFrom, node.when.node] : readFrom)];
    const upstreamOutputs = new Map<string, OutputIds>();
    const results = await Promise.allSettled(upstream.map((id) => schedule(byId.get(id)!)));
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') upstreamOutputs.set(upstream[i]!, r.value);
    });
    const base = { storeId, pipeline: spec.name, runId, root: spec.root, node };
    const skip = async (reason: string, inputs: InputIds = {}): Promise<never> => {
      const executionId = await book.skipNode({ ...base, reason, inputs });
      set(node.id, { status: 'SKIPPED', error: reason, executionId, finishedAt: Date.now() });
      throw new ConditionSkipped(node.id);
    };
    if (upstreamOutputs.size !== upstream.length) {
      const skippedBy = upstream.filter((_, i) => {
        const r = results[i]!;
        return r.status === 'rejected' && r.reason instanceof ConditionSkipped;
      });
      // only skipped upstream, nothing failed: skipped too, and the run still completes
      if (skippedBy.length === upstream.length - upstreamOutputs.size) return skip(`upstream ${skippedBy.join(', ')} skipped`);
      if (progress.nodes[node.id]!.status === 'PENDING')
        set(node.id, { status: 'SKIPPED', error: 'an upstream node did not complete' });
      throw new UpstreamFailed(node.id);
    }
    const inputs: InputIds = {};
    for (const [name, refs] of Object.entries(node.inputs)) {
      inputs[name] = refs.map((r) => upstreamOutputs.get(r.node)![r.output]!);
    }
    if (node.when) {
      const { node: on, output, property, equals } = node.when;
      const check = await book.checkCondition({ storeId, artifactId: upstreamOutputs.get(on)![output]!, property, equals });
      if (!check.holds)
        return skip(`condition ${on}.${output}.${property} == ${JSON.stringify(equals)} is false (it is ${JSON.stringify(check.actual) ?? 'unset'})`, inputs);
    }
    set(node.id, { status: 'RUNNING', startedAt: Date.now() });
    let executionId: number | undefined;
    try {
      const prepared = await book.prepareNode({ ...base, inputs, useCache: useCache(node) });
      executionId = prepared.executionId;
      set(node.id, { executionId });
      if (prepared.kind === 'cached') {
        set(node.id, { status: 'CACHED', outputs: prepared.outputs, finishedAt: Date.now() });
        return prepared.outputs;
      }
      // the driver may have added inputs from metadata (e.g. the previous span's statistics);
      // `?? inputs`: a run started by an older worker recorded prepare results without them
      const run = { ...base, executionId, inputs: prepared.inputs ?? inputs };
      // a gpu node runs on cpu when no GPU worker polls (prepareNode looked)
      let queue: Queue = prepared.queue ?? node.queue;
      if (node.queue === 'gpu') set(node.id, { queue });
      /**
       * An executor activity on the node's queue. On gpu, unless told to wait: a GPU worker that
       * stopped lately still counts as polling for a minute or so, so a task no worker starts
       * within GPU_START_MS goes to cpu instead (nothing ran, so nothing is lost).
       */
      const onQueue = async <T>(activityId: string, call: (a: Activities) => Promise<T>): Promise<T> => {
        if (queue !== 'gpu' || node.whenNoGpu === 'wait') return call(executorOf(node, activityId, queue));
        try {
          return await call(executorOf(node, activityId, 'gpu', node.timeouts.scheduleToStartMs ?? GPU_START_MS));
        } catch (err) {
          if (!(err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_START')) throw err;
          queue = 'cpu';
          set(node.id, { queue });
          return call(executorOf(node, activityId, 'cpu'));
        }
      };
      let shardRounds: unknown[][] | undefined;
      if (node.fanOut) {
        // map: one activity per planned shard, each retried on its own, in one or more rounds
        // (a round may read what earlier ones wrote); reduce: the executor
        shardRounds = [];
        const count = { total: 0, done: 0 };
        set(node.id, { shards: count });
        for (let round = 0; ; round++) {
          const plan = { ...run, round, shardRounds: [...shardRounds] };
          const { tasks, lastRound } = await onQueue(activityIds.plan(node.id, round), (a) => a.planShards(plan));
          count.total += tasks.length;
          await Promise.all(
            tasks.map(async (task, index) => {
              await onQueue(activityIds.shard(node.id, index, round), (a) => a.runShard({ ...plan, index, task }));
              count.done++;
            }),
          );
          shardRounds.push(tasks);
          if (lastRound !== false) break;
        }
      }
      const { properties, attempt } = await onQueue(activityIds.run(node.id), (a) => a.runComponent({ ...run, shardRounds }));
      const { outputs, halt } = await book.publishNode({ ...base, executionId, properties, attempt });
      if (halt) {
        // published and COMPLETE in metadata; only the run stops here
        set(node.id, { status: 'FAILED', outputs, error: halt, finishedAt: Date.now() });
        throw new HaltedRun(halt);
      }
      set(node.id, { status: 'COMPLETE', outputs, finishedAt: Date.now() });
      return outputs;
    } catch (err) {
      if (isCancellation(err) || err instanceof HaltedRun) throw err;
      const message = rootMessage(err);
      set(node.id, { status: 'FAILED', error: message, finishedAt: Date.now() });
      if (executionId !== undefined) await book.failNode({ storeId, executionId, error: message });
      throw err;
    }
  };

  /** The executor runs on the node's queue with the node's own retry policy and timeouts. */
  const executorOf = (node: NodeSpec, activityId: string, queue: Queue, scheduleToStartMs = node.timeouts.scheduleToStartMs) =>
    proxyActivities<Activities>({
      taskQueue: `${queuePrefix}${queue}`,
      activityId,
      startToCloseTimeout: node.timeouts.startToCloseMs,
      heartbeatTimeout: node.timeouts.heartbeatMs,
      scheduleToStartTimeout: scheduleToStartMs,
      retry: {
        maximumAttempts: node.retry.maximumAttempts,
        initialInterval: node.retry.initialIntervalMs,
        backoffCoefficient: node.retry.backoffCoefficient,
        maximumInterval: node.retry.maximumIntervalMs,
      },
    });

  const schedule = (node: NodeSpec): Promise<OutputIds> => {
    if (!started.has(node.id)) {
      started.add(node.id);
      done.set(node.id, runNode(node));
    }
    return done.get(node.id)!;
  };

  const thisRun = { storeId, pipeline: spec.name, runId };
  await book.startRun({ ...thisRun, trigger: input.trigger ?? 'manual' });
  try {
    const settled = await Promise.allSettled(spec.nodes.map(schedule));
    const cancel = settled.find((s) => s.status === 'rejected' && isCancellation(s.reason));
    if (cancel) throw (cancel as PromiseRejectedResult).reason;
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        for (const s of Object.values(progress.nodes)) {
          if (s.status === 'RUNNING' || s.status === 'PENDING') s.status = 'CANCELED';
        }
        await book.finishRun({ ...thisRun, state: 'CANCELED' });
      });
    }
    throw err;
  }

  const failed = Object.entries(progress.nodes).filter(([, s]) => s.status === 'FAILED');
  if (failed.length) {
    const list = failed.map(([id, s]) => `${id}: ${s.error}`).join('; ');
    await book.finishRun({ ...thisRun, state: 'FAILED', error: list });
    throw ApplicationFailure.nonRetryable(
      `pipeline ${spec.name} run ${runId} failed at ${list}`,
      'PipelineFailed',
      progress,
    );
  }
  await book.finishRun({ ...thisRun, state: 'COMPLETE' });
  return { ...progress, status: 'COMPLETE' };
}

/** The innermost cause's message: an ActivityFailure wraps the executor's ApplicationFailure. */
function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
