/**
 * The one adapter that turns any component's executor into activities: load inputs, give
 * the executor empty output folders and a context (heartbeat, log, abort signal), validate
 * what it returns, and map errors onto Temporal's retry rules. Fanned-out components also go
 * through here for their plan and per-shard activities.
 *
 * Every attempt writes into a staging folder of its own and moves it into place last
 * (attempt-folders.ts; outputs after a claim, commit-claim.ts); a failed attempt removes only
 * its own staging folder. Outputs go to the folders of the artifacts prepareNode reserved.
 */
import path from 'node:path';
import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { parseArtifactProperties, type ArtifactTypeName } from '../../schemas/artifacts.js';
import type {
  ComponentImpl,
  ExecutorContext,
  InputArtifact,
  OutputLocation,
  Progress,
  ShardOutput,
} from '../dsl/component.js';
import { MetadataError } from '../errors.js';
import { toFailure } from './failures.js';
import { claimPath, executionDir, shardUri, workUri } from '../artifacts/local-store.js';
import {
  commitStaging,
  discardStaging,
  openStaging,
  readCommitted,
  type Staging,
} from '../artifacts/attempt-folders.js';
import { claimAndMove, readClaim, rollForward } from '../artifacts/commit-claim.js';
import type { MetadataStore } from '../metadata/store.js';
import { lookupComponent, type ActivityDeps } from './activity-deps.js';
import { loadInputs } from './artifact-lookup.js';
import { parseParams } from '../dsl/params.js';
import type {
  PlanShardsInput,
  PlanShardsResult,
  RunComponentInput,
  RunComponentResult,
  RunShardInput,
} from './types.js';

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
  let impl: ComponentImpl;
  let params: unknown;
  try {
    // refusals no retry can change: an unknown component, bad params (another store's run is
    // refused before this, by the activities' store guard)
    impl = lookupComponent(deps.components, node.component);
    params = parseParams(impl.spec.params, node.params, ['nodes', node.id, 'params']);
  } catch (err) {
    throw toFailure(err, node.id);
  }
  const activity = Context.current();
  // heartbeat even while an executor is between progress reports, so a live worker is never
  // mistaken for a dead one; a dead worker stops this timer and Temporal retries elsewhere.
  // Started before the metadata reads: the store waits out a database outage (metadata/retry.ts)
  // and that wait must not look like a lost worker and use up the attempt.
  // It repeats the executor's last progress: Temporal keeps only the latest details, and a bare
  // 'running' would blank the progress `tsfx run` draws (a training node's epoch and step)
  // until the next report; a report the throttle below held back goes out with it too.
  let latest: Progress = { message: 'running' };
  const alive = setInterval(() => activity.heartbeat(latest), Math.max(1_000, node.timeouts.heartbeatMs / 3));
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
      runId: execution.runId,
      pipelineRoot: input.root,
      workDir: workUri(deps.storeRoot, pipeline, node.id, executionId),
      heartbeat(progress: Progress) {
        latest = progress;
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
    // the executor's error is what the user needs; a cleanup failure is only a note on it
    await onFailure?.().catch((cleanup: unknown) => noteCleanupFailure(err, cleanup));
    // an attempt stopped by cancellation reports the cancellation, not the executor's error
    if (activity.cancellationSignal.aborted) throw activity.cancellationSignal.reason;
    throw toFailure(err, node.id);
  } finally {
    clearInterval(alive);
  }
}

/** Append "(cleanup also failed: …)" to the original error, keeping its type and stack. */
function noteCleanupFailure(err: unknown, cleanup: unknown): void {
  if (!(err instanceof Error)) return;
  err.message += ` (cleaning up the attempt's staging folder also failed: ${(cleanup as Error)?.message ?? String(cleanup)})`;
}

export async function runComponentAdapter(deps: ActivityDeps, input: RunComponentInput): Promise<RunComponentResult> {
  const { node, pipeline, executionId } = input;
  const claim = claimPath(deps.storeRoot, pipeline, node.id, executionId);
  // an earlier attempt already claimed the execution (its worker died before reporting, maybe
  // before all its outputs moved in): finish its renames, and theirs stand
  const done = await readClaim<RunComponentResult['properties']>(claim);
  if (done) {
    await rollForward(done).catch((err: unknown) => {
      throw toFailure(err, node.id);
    });
    return { properties: done.result, attempt: done.token };
  }
  let staging: Staging | undefined;
  const record = await withExecutor(
    deps,
    input,
    async ({ impl, params, resolved, inputs, ctx }) => {
      const finals = await reservedUris(deps.store, executionId, Object.keys(node.outputs));
      staging = await openStaging(
        executionDir(deps.storeRoot, pipeline, node.id, executionId),
        Context.current().info.attempt,
      );
      const outputs: Record<string, OutputLocation> = {};
      for (const [name, type] of Object.entries(node.outputs)) {
        const dir = path.join(staging.dir, name);
        await fs.mkdir(dir);
        outputs[name] = { type, uri: finals[name]!.uri, id: finals[name]!.id, path: dir };
      }
      const shards = input.shardRounds ? shardOutputs(deps, input, input.shardRounds) : undefined;
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
      // the last step: after it, these files are the execution's (or an earlier winner's are)
      return claimAndMove(
        staging,
        claim,
        Object.fromEntries(Object.entries(finals).map(([n, f]) => [n, f.uri])),
        props,
      );
    },
    async () => {
      if (staging) await discardStaging(staging);
    },
  );
  // shard partials stay until the node is published: a retry of this merge still needs them
  return { properties: record.result, attempt: record.token };
}

/** Output name -> URI of the artifact prepareNode reserved for it. */
async function reservedUris(
  store: MetadataStore,
  executionId: number,
  names: string[],
): Promise<Record<string, { uri: string; id: number }>> {
  const reserved = new Map(
    (await store.reservedOutputs(executionId)).map((r) => [r.name, { uri: r.artifact.uri, id: r.artifact.id }]),
  );
  const missing = names.filter((n) => !reserved.has(n));
  if (missing.length)
    throw new MetadataError(
      `execution ${executionId} has no reserved artifact for output ${missing.map((n) => `'${n}'`).join(', ')}: ` +
        'it was not prepared by prepareNode (or was already published)',
    );
  return Object.fromEntries(names.map((n) => [n, reserved.get(n)!]));
}

/** Where every shard of the given rounds wrote, round by round in plan order. */
function shardOutputs(deps: ActivityDeps, input: RunComponentInput, rounds: unknown[][]): ShardOutput[] {
  return rounds.flatMap((tasks, round) =>
    tasks.map((task, index) => ({
      round,
      index,
      task,
      path: shardUri(deps.storeRoot, input.pipeline, input.node.id, input.executionId, index, round),
    })),
  );
}

/** A fanned-out node's work items for one round: small JSON, one runShard activity each. */
export async function planShardsAdapter(deps: ActivityDeps, input: PlanShardsInput): Promise<PlanShardsResult> {
  return withExecutor(deps, input, async ({ impl, params, resolved, inputs, ctx }) => {
    if (!impl.fanOut) throw new MetadataError(`component ${input.node.component} has no fan-out part`);
    const round = input.round ?? 0;
    const previous = shardOutputs(deps, input, input.shardRounds ?? []);
    const tasks = await impl.fanOut.plan({ inputs, params, resolved, ctx, round, previous } as never);
    const rounds = impl.fanOut.rounds?.(params as never) ?? 1;
    return { tasks, lastRound: round + 1 >= rounds };
  });
}

/** One shard of a fanned-out node: its own staging folder, moved into `_shards/<exec>/<i>` last. */
export async function runShardAdapter(deps: ActivityDeps, input: RunShardInput): Promise<void> {
  const round = input.round ?? 0;
  const final = shardUri(deps.storeRoot, input.pipeline, input.node.id, input.executionId, input.index, round);
  if (await readCommitted(final)) return;
  let staging: Staging | undefined;
  await withExecutor(
    deps,
    input,
    async ({ impl, params, resolved, inputs, ctx }) => {
      if (!impl.fanOut) throw new MetadataError(`component ${input.node.component} has no fan-out part`);
      staging = await openStaging(final, Context.current().info.attempt);
      const previous = shardOutputs(deps, input, input.shardRounds ?? []);
      await impl.fanOut.run({
        inputs,
        params,
        resolved,
        ctx,
        round,
        previous,
        task: input.task,
        index: input.index,
        path: staging.dir,
      } as never);
      await commitStaging(staging, null);
    },
    async () => {
      if (staging) await discardStaging(staging);
    },
  );
}
