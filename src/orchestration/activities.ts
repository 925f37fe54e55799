/**
 * The activities every node goes through: prepareNode (driver + cache lookup), runComponent
 * (the executor, via the adapter in run-component.ts) and publishNode (record outputs).
 * Only these write metadata; executors never touch the store.
 */
import fs from 'node:fs/promises';
import { MetadataError, TsfxError } from '../errors.js';
import { artifactExists, artifactUri, claimPath, executionDir, shardsUri, workUri } from '../artifacts/local-store.js';
import { stagingFoldersOf } from '../artifacts/attempt-folders.js';
import { readClaim, rollForward } from '../artifacts/commit-claim.js';
import { assertSameStore, lookupComponent, type ActivityDeps } from './activity-deps.js';
import { artifactLookup, loadInputs } from './artifact-lookup.js';
import { cacheKey } from './cache-key.js';
import { parseParams } from '../dsl/params.js';
import { mapFailures, toFailure } from './failures.js';
import { planShardsAdapter, runComponentAdapter, runShardAdapter } from './run-component.js';
import { isDeepStrictEqual } from 'node:util';
import type { Queue } from '../../schemas/pipeline-spec.js';
import type {
  CheckConditionInput,
  CheckConditionResult,
  SkipNodeInput,
  InputIds,
  FailNodeInput,
  FinishRunInput,
  StartRunInput,
  OutputIds,
  PrepareNodeInput,
  PrepareNodeResult,
  PublishNodeInput,
  PublishNodeResult,
  PlanShardsInput,
  PlanShardsResult,
  RunComponentInput,
  RunShardInput,
  RunComponentResult,
  StoreScoped,
} from './types.js';

// re-exported: callers keep importing these from here
export { lookupComponent, type ActivityDeps };

export function createActivities(deps: ActivityDeps) {
  const { store, components } = deps;
  const ids = () => deps.workflowIds?.() ?? {};

  const inputEvents = (inputs: Record<string, number[]>) =>
    Object.entries(inputs).flatMap(([name, list]) => list.map((artifactId) => ({ name, artifactId })));

  return guardStore(deps, {
    async prepareNode(input: PrepareNodeInput): Promise<PrepareNodeResult> {
      return mapFailures(input.node.id, () => prepare(input));
    },

    async runComponent(input: RunComponentInput): Promise<RunComponentResult> {
      return runComponentAdapter(deps, input);
    },

    async planShards(input: PlanShardsInput): Promise<PlanShardsResult> {
      return planShardsAdapter(deps, input);
    },

    async runShard(input: RunShardInput): Promise<void> {
      return runShardAdapter(deps, input);
    },

    async publishNode(input: PublishNodeInput): Promise<PublishNodeResult> {
      return mapFailures(input.node.id, async () => {
        const outputs = await publish(input);
        const impl = lookupComponent(components, input.node.component);
        const params = parseParams(impl.spec.params, input.node.params, ['nodes', input.node.id, 'params']);
        const halt = impl.halt?.({ params, properties: input.properties });
        return halt ? { outputs, halt } : { outputs };
      });
    },

    /** A node's `when`: does the upstream artifact's property equal the value? */
    async checkCondition(input: CheckConditionInput): Promise<CheckConditionResult> {
      const artifact = await store.getArtifact(input.artifactId);
      if (!artifact) throw new MetadataError(`condition artifact ${input.artifactId} not found`);
      const actual = artifact.properties[input.property];
      return { holds: isDeepStrictEqual(actual, input.equals), actual };
    },

    /** Record a node that does not run (its condition is false, or an upstream node's was) as SKIPPED. */
    async skipNode(input: SkipNodeInput): Promise<number> {
      // a retry whose first attempt committed gets that record back: the store keeps one
      // execution per node and workflow run (kysely-store.ts insertExecution)
      const exec = await store.createExecution({
        type: input.node.component,
        pipeline: input.pipeline,
        runId: input.runId,
        nodeId: input.node.id,
        state: 'SKIPPED',
        properties: { params: input.node.params, skipped: input.reason },
        inputs: inputEvents(input.inputs),
        ...ids(),
      });
      return exec.id;
    },

    async failNode(input: FailNodeInput): Promise<void> {
      const exec = await store.getExecution(input.executionId);
      await store.updateExecution(input.executionId, {
        state: 'FAILED',
        properties: { ...exec?.properties, error: input.error },
      });
    },

    /** The run's workflow started: `tsfx runs` lists it from now on, even if no node ever runs. */
    async startRun(input: StartRunInput): Promise<void> {
      await store.recordRunState({
        pipeline: input.pipeline,
        runId: input.runId,
        state: 'RUNNING',
        workflowId: ids().workflowId,
        trigger: input.trigger ?? 'manual',
      });
    },

    /** The workflow's outcome; a canceled or failed run's open executions are closed with it. */
    async finishRun(input: FinishRunInput): Promise<number> {
      const closed = input.state === 'COMPLETE' ? 0 : await store.finishOpenExecutions(input.pipeline, input.runId, input.state);
      await store.recordRunState({ pipeline: input.pipeline, runId: input.runId, state: input.state, error: input.error });
      return closed;
    },
  });

  async function prepare(input: PrepareNodeInput): Promise<PrepareNodeResult> {
    const { node, pipeline, runId } = input;
    const impl = lookupComponent(components, node.component);
    const params = parseParams(impl.spec.params, node.params, ['nodes', node.id, 'params']);
    const at = { pipeline, runId, nodeId: node.id, ...ids() };
    const again = await earlierAttempt(input, at.workflowRunId);
    if (again) return again;
    const driven = impl.driver
      ? await impl.driver({
          params,
          pipelineRoot: input.root,
          pipelineName: pipeline,
          nodeId: node.id,
          inputs: await loadInputs(store, node.id, input.inputs),
          artifacts: artifactLookup(store, at),
        })
      : undefined;
    const inputs = withResolvedInputs(node.id, impl.spec.inputs, input.inputs, driven?.inputs);
    const key = cacheKey({
      pipeline,
      component: node.component,
      componentVersion: node.componentVersion,
      params: node.params,
      inputs,
      externalFingerprint: driven?.fingerprint,
      userCodeHash: node.userCodeHash,
    });
    const base = {
      type: node.component,
      pipeline,
      runId,
      nodeId: node.id,
      cacheKey: key,
      inputs: inputEvents(inputs),
      ...ids(),
    };
    if (input.useCache) {
      const hit = await store.findCompletedByCacheKey(key);
      const present = hit && (await Promise.all(hit.outputs.map((o) => artifactExists(o.artifact.uri)))).every(Boolean);
      if (hit && present && hit.outputs.length === Object.keys(node.outputs).length) {
        const outputs = hit.outputs.map((o) => ({ name: o.name, artifactId: o.artifact.id }));
        const exec = await store.recordCachedExecution(
          { ...base, state: 'CACHED', properties: { params: node.params, cachedFrom: hit.execution.id } },
          outputs,
        );
        const ids: OutputIds = Object.fromEntries(outputs.map((o) => [o.name, o.artifactId]));
        return { kind: 'cached', executionId: exec.id, outputs: ids, cachedFrom: hit.execution.id };
      }
    }
    // the outputs are reserved with the execution (PENDING), so their folders carry artifact ids
    const exec = await store.createExecution({
      ...base,
      state: 'RUNNING',
      properties: { params: node.params, resolved: driven?.resolved ?? null },
      outputs: Object.entries(node.outputs).map(([name, type]) => ({
        name,
        type,
        uriOf: (id: number) => artifactUri(deps.storeRoot, pipeline, node.id, name, id),
      })),
    });
    return { kind: 'run', executionId: exec.id, inputs, outputs: await reserved(exec.id), ...(await queueOf(node)) };
  }

  /** A gpu node without a GPU worker polling runs on cpu, unless it is told to wait for one. */
  async function queueOf(node: PrepareNodeInput['node']): Promise<{ queue?: Queue }> {
    if (node.queue !== 'gpu' || node.whenNoGpu === 'wait' || !deps.gpuPolled) return {};
    return (await deps.gpuPolled()) ? {} : { queue: 'cpu' };
  }

  async function reserved(executionId: number): Promise<OutputIds> {
    return Object.fromEntries((await store.reservedOutputs(executionId)).map((r) => [r.name, r.artifact.id]));
  }

  /**
   * A retried prepareNode whose first attempt recorded its execution, but whose result was lost
   * (the worker died right after the commit): return what that attempt decided. The store alone
   * would return the same record for the same decision; this also covers a retry whose cache
   * lookup now decides otherwise (a twin run completed in between), which would otherwise leave
   * the first execution RUNNING forever beside a CACHED one. Only within the same workflow run.
   */
  async function earlierAttempt(input: PrepareNodeInput, workflowRunId: string | undefined): Promise<PrepareNodeResult | undefined> {
    if (!workflowRunId) return undefined;
    const earlier = (await store.listExecutions({ pipeline: input.pipeline, runId: input.runId, nodeId: input.node.id })).find(
      (x) => x.workflowRunId === workflowRunId && (x.state === 'RUNNING' || x.state === 'CACHED'),
    );
    if (!earlier) return undefined;
    const inputs: InputIds = {};
    const outputs: OutputIds = {};
    for (const ev of await store.eventsOfExecution(earlier.id)) {
      if (ev.type === 'INPUT') (inputs[ev.name] ??= []).push(ev.artifactId);
      else outputs[ev.name] = ev.artifactId;
    }
    if (earlier.state === 'RUNNING') return { kind: 'run', executionId: earlier.id, inputs, outputs, ...(await queueOf(input.node)) };
    return { kind: 'cached', executionId: earlier.id, outputs, cachedFrom: earlier.properties.cachedFrom as number };
  }

  async function publish(input: PublishNodeInput): Promise<OutputIds> {
    const { node, pipeline, executionId } = input;
    const claimFile = claimPath(deps.storeRoot, pipeline, node.id, executionId);
    // fencing: only the files of the attempt the workflow accepted are published
    const claim = await readClaim(claimFile);
    if (claim?.token !== input.attempt)
      throw new FencingError(
        claim
          ? `${claimFile} claims execution ${executionId} for attempt ${claim.token}, not the accepted attempt ${input.attempt}`
          : `no attempt of execution ${executionId} has claimed it (${claimFile} is missing; accepted attempt ${input.attempt})`,
      );
    // the accepted attempt may have died between its claim and its last rename
    await rollForward(claim);
    const outputs = Object.entries(node.outputs).map(([name, type]) => {
      const uri = claim.outputs[name];
      if (uri === undefined) throw new FencingError(`${claimFile} names no folder for output '${name}'`);
      return { name, type, uri, properties: input.properties[name] ?? {} };
    });
    const artifacts = await store.publishExecution(executionId, outputs);
    // published: shard partials, the attempts' shared work folder and every attempt's leftovers
    // can go (a retried merge needed them until now, a roll-forward the claim's staging folder);
    // the claim stays as the record
    const staged = await stagingFoldersOf(executionDir(deps.storeRoot, pipeline, node.id, executionId));
    const leftovers = [
      shardsUri(deps.storeRoot, pipeline, node.id, executionId),
      workUri(deps.storeRoot, pipeline, node.id, executionId),
      ...staged,
    ];
    await Promise.all(leftovers.map((p) => fs.rm(p, { recursive: true, force: true })));
    const idOf = (name: string) => {
      const a = artifacts.find((x) => x.name === `${node.id}.${name}` || x.name === name);
      if (!a) throw new MetadataError(`execution ${executionId} published no artifact for output '${name}'`);
      return a.id;
    };
    return Object.fromEntries(outputs.map((o) => [o.name, idOf(o.name)]));
  }
}

/**
 * The node's inputs plus those its driver resolved from metadata. A driver may only fill an
 * input the spec declares and the pipeline left unwired: wiring always wins.
 */
function withResolvedInputs(
  nodeId: string,
  declared: Record<string, unknown>,
  wired: InputIds,
  resolved: Record<string, number[] | undefined> | undefined,
): InputIds {
  const out = { ...wired };
  for (const [name, ids] of Object.entries(resolved ?? {})) {
    if (!ids?.length || wired[name]?.length) continue;
    if (!(name in declared)) throw new MetadataError(`the driver of ${nodeId} resolved an undeclared input '${name}'`);
    out[name] = ids;
  }
  return out;
}

/** The files in place are not the accepted attempt's: publishing them would mix two attempts. */
class FencingError extends TsfxError {
  override name = 'FencingError';
  override readonly retryable = false;
}

/** Each activity first checks that its input's run belongs to this worker's store. */
function guardStore<T extends Record<keyof T, (input: never) => Promise<unknown>>>(deps: ActivityDeps, activities: T): T {
  const guarded: Record<string, (input: StoreScoped) => Promise<unknown>> = {};
  type Activity = (input: StoreScoped) => Promise<unknown>;
  for (const [name, fn] of Object.entries(activities) as unknown as [string, Activity][]) {
    guarded[name] = async (input) => {
      try {
        assertSameStore(deps, input);
      } catch (err) {
        throw toFailure(err, name);
      }
      return fn(input);
    };
  }
  return guarded as unknown as T;
}

export type Activities = ReturnType<typeof createActivities>;
