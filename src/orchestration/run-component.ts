/**
 * The one adapter that turns any component's executor into the runComponent activity:
 * load inputs, give the executor empty output folders and a context (heartbeat, log,
 * abort signal), validate what it returns, and map errors onto Temporal's retry rules.
 */
import { Context } from '@temporalio/activity';
import { parseArtifactProperties, type ArtifactTypeName } from '../../schemas/artifacts.js';
import type { ExecutorContext, InputArtifact, OutputLocation, Progress } from '../dsl/component.js';
import { MetadataError } from '../errors.js';
import { toFailure } from './failures.js';
import { freshOutputDir, localPath, outputUri, removeOutput } from '../artifacts/local-store.js';
import { lookupComponent, type ActivityDeps } from './activity-deps.js';
import type { RunComponentInput, RunComponentResult } from './types.js';

/** Heartbeats are throttled by the SDK too, but building details for every row is waste. */
const HEARTBEAT_EVERY_MS = 1_000;

export async function runComponentAdapter(deps: ActivityDeps, input: RunComponentInput): Promise<RunComponentResult> {
  const { node, pipeline, executionId } = input;
  const impl = lookupComponent(deps.components, node.component);
  const activity = Context.current();
  const params = impl.spec.params.parse(node.params);
  const execution = await deps.store.getExecution(executionId);
  if (!execution) throw new MetadataError(`execution ${executionId} not found`);

  const inputs: Record<string, InputArtifact[]> = {};
  for (const [name, ids] of Object.entries(input.inputs)) {
    inputs[name] = await Promise.all(
      ids.map(async (id) => {
        const a = await deps.store.getArtifact(id);
        if (!a) throw new MetadataError(`input artifact ${id} of ${node.id}.${name} not found`);
        return {
          id: a.id,
          type: a.type,
          uri: a.uri,
          path: localPath(a.uri),
          properties: a.properties,
        } as InputArtifact;
      }),
    );
  }
  const outputs: Record<string, OutputLocation> = {};
  for (const [name, type] of Object.entries(node.outputs)) {
    const uri = outputUri(deps.artifactRoot, pipeline, node.id, name, executionId);
    outputs[name] = { type, uri, path: await freshOutputDir(uri) };
  }

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
  // heartbeat even while an executor is between progress reports, so a live worker is never
  // mistaken for a dead one; a dead worker stops this timer and Temporal retries elsewhere
  const alive = setInterval(
    () => activity.heartbeat({ message: 'running' }),
    Math.max(1_000, node.timeouts.heartbeatMs / 3),
  );
  try {
    activity.heartbeat({ message: 'started' });
    const resolved = (execution.properties as { resolved?: unknown }).resolved;
    const result = (await impl.executor({ inputs, outputs, params, resolved, ctx } as never)) as Record<
      string,
      unknown
    >;
    const properties: Record<string, Record<string, unknown>> = {};
    for (const [name, type] of Object.entries(node.outputs)) {
      properties[name] = parseArtifactProperties(type as ArtifactTypeName, result?.[name] ?? {}) as Record<
        string,
        unknown
      >;
    }
    return { properties };
  } catch (err) {
    // no partial output may outlive a failed attempt
    await Promise.all(Object.values(outputs).map((o) => removeOutput(o.uri)));
    // an attempt stopped by cancellation reports the cancellation, not the executor's error
    if (activity.cancellationSignal.aborted) throw activity.cancellationSignal.reason;
    throw toFailure(err, node.id);
  } finally {
    clearInterval(alive);
  }
}
