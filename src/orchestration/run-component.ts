/**
 * The one adapter that turns any component's executor into activities: load inputs, give
 * the executor empty output folders and a context (heartbeat, log, abort signal), validate
 * what it returns, and map errors onto Temporal's retry rules. Fanned-out components also go
 * through here for their plan and per-shard activities.
 */
import { Context } from '@temporalio/activity';
import { parseArtifactProperties, type ArtifactTypeName } from '../../schemas/artifacts.js';
import type { ComponentImpl, ExecutorContext, InputArtifact, OutputLocation, Progress } from '../dsl/component.js';
import { MetadataError } from '../errors.js';
import { toFailure } from './failures.js';
import { freshOutputDir, localPath, outputUri, removeOutput, shardUri, shardsUri } from '../artifacts/local-store.js';
import { lookupComponent, type ActivityDeps } from './activity-deps.js';
import { loadInputs } from './artifact-lookup.js';
import type { PlanShardsResult, RunComponentInput, RunComponentResult, RunShardInput } from './types.js';

/** Heartbeats are throttled by the SDK too, but building details for every row is waste. */
const HEARTBEAT_EVERY_MS = 1_000;

interface Prepared {
  impl: ComponentImpl;
  params: unknown;
  resolved: unknown;
  inputs: Record<string, InputArtifact[]>;
  ctx: ExecutorContext;
}

/** Load what every executor-side activity needs, then run `body` with heartbeats and error mapping. */
async function withExecutor<T>(
  deps: ActivityDeps,
  input: RunComponentInput,
  body: (p: Prepared) => Promise<T>,
  onFailure?: () => Promise<void>,
): Promise<T> {
  const { node, pipeline, executionId } = input;
  const impl = lookupComponent(deps.components, node.component);
  const activity = Context.current();
  const params = impl.spec.params.parse(node.params);
  // heartbeat even while an executor is between progress reports, so a live worker is never
  // mistaken for a dead one; a dead worker stops this timer and Temporal retries elsewhere.
  // Started before the metadata reads: the store waits out a database outage (metadata/retry.ts)
  // and that wait must not look like a lost worker and use up the attempt.
  const alive = setInterval(
    () => activity.heartbeat({ message: 'running' }),
    Math.max(1_000, node.timeouts.heartbeatMs / 3),
  );
  try {
    activity.heartbeat({ message: 'started' });
    const execution = await deps.store.getExecution(executionId);
    if (!execution) throw new MetadataError(`execution ${executionId} not found`);
    // the same loading the driver got in prepareNode
    const inputs: Record<string, InputArtifact[]> = await loadInputs(deps.store, node.id, input.inputs);
    let last = 0;
    const ctx: ExecutorContext = {
      pipelineName: pipeline,
      nodeId: node.id,
      executionId,
      pipelineRoot: input.root,
      heartbeat(progress: Progress) {
        const now = Date.now();
        if (now - last < HEARTBEAT_EVERY_MS) return;
        last = now;
        activity.heartbeat(progress);
      },
      log: (message) => activity.log.info(message, { node: node.id, executionId }),
      signal: activity.cancellationSignal,
    };
    const resolved = (execution.properties as { resolved?: unknown }).resolved;
    return await body({ impl, params, resolved, inputs, ctx });
  } catch (err) {
    await onFailure?.();
    // an attempt stopped by cancellation reports the cancellation, not the executor's error
    if (activity.cancellationSignal.aborted) throw activity.cancellationSignal.reason;
    throw toFailure(err, node.id);
  } finally {
    clearInterval(alive);
  }
}

export async function runComponentAdapter(deps: ActivityDeps, input: RunComponentInput): Promise<RunComponentResult> {
  const { node, pipeline, executionId } = input;
  const outputs: Record<string, OutputLocation> = {};
  for (const [name, type] of Object.entries(node.outputs)) {
    const uri = outputUri(deps.artifactRoot, pipeline, node.id, name, executionId);
    outputs[name] = { type, uri, path: await freshOutputDir(uri) };
  }
  const shards = input.shards?.map((task, index) => ({
    index,
    task,
    path: localPath(shardUri(deps.artifactRoot, pipeline, node.id, executionId, index)),
  }));
  const properties = await withExecutor(
    deps,
    input,
    async ({ impl, params, resolved, inputs, ctx }) => {
      const result = (await impl.executor({ inputs, outputs, params, resolved, ctx, shards } as never)) as Record<
        string,
        unknown
      >;
      const props: Record<string, Record<string, unknown>> = {};
      for (const [name, type] of Object.entries(node.outputs)) {
        props[name] = parseArtifactProperties(type as ArtifactTypeName, result?.[name] ?? {}) as Record<
          string,
          unknown
        >;
      }
      return props;
    },
    // no partial output may outlive a failed attempt
    () => Promise.all(Object.values(outputs).map((o) => removeOutput(o.uri))).then(() => undefined),
  );
  // the shards were merged into the outputs; their partial files are no longer needed
  if (shards) await removeOutput(shardsUri(deps.artifactRoot, pipeline, node.id, executionId));
  return { properties };
}

/** A fanned-out node's work items: small JSON, one runShard activity each. */
export async function planShardsAdapter(deps: ActivityDeps, input: RunComponentInput): Promise<PlanShardsResult> {
  return withExecutor(deps, input, async ({ impl, params, inputs, ctx }) => {
    if (!impl.fanOut) throw new MetadataError(`component ${input.node.component} has no fan-out part`);
    return { tasks: await impl.fanOut.plan({ inputs, params, ctx } as never) };
  });
}

/** One shard of a fanned-out node, into its own folder (emptied first: a retry starts clean). */
export async function runShardAdapter(deps: ActivityDeps, input: RunShardInput): Promise<void> {
  const uri = shardUri(deps.artifactRoot, input.pipeline, input.node.id, input.executionId, input.index);
  const dir = await freshOutputDir(uri);
  await withExecutor(
    deps,
    input,
    async ({ impl, params, inputs, ctx }) => {
      if (!impl.fanOut) throw new MetadataError(`component ${input.node.component} has no fan-out part`);
      await impl.fanOut.run({ inputs, params, ctx, task: input.task, index: input.index, path: dir } as never);
    },
    () => removeOutput(uri),
  );
}
