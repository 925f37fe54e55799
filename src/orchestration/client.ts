/**
 * Starting, watching and canceling pipeline runs from outside the worker (the CLI, tests).
 */
import { randomBytes } from 'node:crypto';
import {
  CancelledFailure,
  Client,
  Connection,
  WorkflowFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { PipelineSpec, RunOptions } from '../../schemas/pipeline-spec.js';
import type { StoreConfig } from '../config.js';
import { validatePipelineSpec } from '../dsl/validate.js';
import {
  workflowIdOf,
  type HeartbeatDetails,
  type PipelineRunInput,
  type PipelineRunResult,
  type RunProgress,
} from './types.js';

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

/** Sortable, readable, unique enough: 20261121-233045-3f9a */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export async function startPipelineRun(
  client: Client,
  config: StoreConfig,
  spec: PipelineSpec,
  options: Partial<RunOptions> = {},
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const checked = validatePipelineSpec(spec);
  const runId = options.runId ?? newRunId();
  const input: PipelineRunInput = {
    spec: checked,
    options: { runId, noCache: options.noCache ?? false },
    queuePrefix: config.queuePrefix,
    storeId: config.storeId,
  };
  return client.workflow.start('pipelineRun', {
    workflowId: workflowIdOf(checked.name, runId, config.storeId),
    taskQueue: `${config.queuePrefix}cpu`,
    args: [input],
    memo: { pipeline: checked.name, runId },
  });
}

export interface LiveProgress extends RunProgress {
  /** heartbeat details of running executors, by node id */
  heartbeats: Record<string, HeartbeatDetails & { attempt: number }>;
}

/** Node states (from the workflow's query) plus executor progress (from pending activities). */
export async function readProgress(handle: WorkflowHandle): Promise<LiveProgress | undefined> {
  let progress: RunProgress;
  try {
    progress = await handle.query<RunProgress>('progress');
  } catch {
    return undefined; // not started by a worker yet
  }
  const heartbeats: LiveProgress['heartbeats'] = {};
  const desc = await handle.describe();
  for (const a of desc.raw.pendingActivities ?? []) {
    const nodeId = a.activityId?.split('/')[0];
    const payload = a.heartbeatDetails?.payloads?.[0];
    if (!nodeId) continue;
    const details = payload ? (defaultPayloadConverter.fromPayload(payload as never) as HeartbeatDetails) : {};
    heartbeats[nodeId] = { ...details, attempt: a.attempt ?? 1 };
  }
  return { ...progress, heartbeats };
}

/**
 * Wait for a run, calling `onProgress` about every `intervalMs`. Resolves with the result,
 * or with the failed run's progress (taken from the failure details) when it failed.
 */
export async function watchRun(
  handle: WorkflowHandle,
  onProgress: (p: LiveProgress) => void,
  intervalMs = 500,
): Promise<PipelineRunResult> {
  let finished = false;
  let last: RunProgress | undefined;
  let wake = () => {};
  const poll = (async () => {
    while (!finished) {
      const p = await readProgress(handle).catch(() => undefined);
      if (p) last = p;
      if (p && !finished) onProgress(p);
      // sleep, but wake at once when the run ends so the caller never waits for a poll
      await new Promise<void>((r) => {
        const t = setTimeout(r, intervalMs);
        wake = () => (clearTimeout(t), r());
      });
    }
  })();
  try {
    return (await handle.result()) as PipelineRunResult;
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const details = (err.cause as { details?: unknown[] } | undefined)?.details?.[0] as RunProgress | undefined;
      if (details?.nodes) return { ...details, status: 'FAILED' };
      if (err.cause instanceof CancelledFailure && last) {
        const nodes = Object.fromEntries(
          Object.entries(last.nodes).map(([id, n]) => [
            id,
            n.status === 'RUNNING' || n.status === 'PENDING' ? { ...n, status: 'CANCELED' as const } : n,
          ]),
        );
        return { ...last, nodes, status: 'CANCELED' };
      }
    }
    throw err;
  } finally {
    finished = true;
    wake();
    await poll;
  }
}
