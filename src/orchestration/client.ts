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
import { setTimeout as sleep } from 'node:timers/promises';
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
import { isTemporalUnreachable } from './unreachable.js';

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

export interface WatchOptions {
  /** how often to read progress; default 500 ms */
  intervalMs?: number;
  /**
   * Called when Temporal stops answering (`unreachable`, with the error) and when it answers
   * again (`reachable`). The watch itself keeps waiting for as long as the caller lets it.
   */
  onConnection?: (state: 'unreachable' | 'reachable', err?: unknown) => void;
}

/** between attempts to reach a Temporal that does not answer */
const RECONNECT_EVERY_MS = 2_000;

/**
 * Wait for a run, calling `onProgress` about every `intervalMs`. Resolves with the result,
 * or with the failed run's progress (taken from the failure details) when it failed.
 * Temporal being unreachable (a restart, an outage longer than the SDK's own retries) is
 * waited out: the run goes on without us, and its result is still there when the server is back.
 */
export async function watchRun(
  handle: WorkflowHandle,
  onProgress: (p: LiveProgress) => void,
  options: WatchOptions | number = {},
): Promise<PipelineRunResult> {
  const { intervalMs = 500, onConnection } = typeof options === 'number' ? { intervalMs: options } : options;
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
    return (await resultThroughOutages(handle, onConnection)) as PipelineRunResult;
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

async function resultThroughOutages(
  handle: WorkflowHandle,
  onConnection: WatchOptions['onConnection'],
): Promise<unknown> {
  let down = false;
  for (;;) {
    try {
      if (down) {
        // a cheap call first, so `reachable` is said as soon as the server answers
        await handle.describe();
        down = false;
        onConnection?.('reachable');
      }
      return await handle.result();
    } catch (err) {
      if (!isTemporalUnreachable(err)) throw err;
      if (!down) onConnection?.('unreachable', err);
      down = true;
      await sleep(RECONNECT_EVERY_MS);
    }
  }
}
