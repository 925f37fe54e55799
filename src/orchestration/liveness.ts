/**
 * Is anybody working on an open run? A run whose `tsfx run` was killed stays RUNNING in
 * Temporal and in metadata with nothing to make progress; only the pollers of its task queue
 * tell. Temporal lists a poller for minutes after it was last seen, with its last poll time; a
 * live worker re-polls at least every long-poll interval (about a minute), so a poller not seen
 * for longer is gone.
 */
import type { Client } from '@temporalio/client';

/** temporal.api.enums.v1.TaskQueueType (@temporalio/proto is CommonJS: no named import at run time) */
const TASK_QUEUE_TYPE_WORKFLOW = 1;
/** a long poll (~60 s on the server) plus slack for a busy machine */
export const POLLER_STALE_MS = 80_000;

export type Presence = 'polled' | 'no-worker' | 'closed';

export async function workerPresence(client: Client, workflowId: string, now = Date.now()): Promise<Presence> {
  const desc = await client.workflow.getHandle(workflowId).describe();
  if (desc.status.name !== 'RUNNING') return 'closed';
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: desc.taskQueue },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  });
  return anyFreshPoller(res.pollers, now) ? 'polled' : 'no-worker';
}

type Pollers = { lastAccessTime?: { seconds?: unknown; nanos?: number | null } | null }[] | null | undefined;

/** Whether any of a task queue's listed pollers was seen within POLLER_STALE_MS. */
function anyFreshPoller(pollers: Pollers, now: number): boolean {
  return (pollers ?? []).some((p) => {
    const t = p.lastAccessTime;
    const ms = t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
    return now - ms < POLLER_STALE_MS;
  });
}

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY */
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** The part of a WorkflowService (client's or NativeConnection's) that lists a queue's pollers. */
export interface PollerService {
  describeTaskQueue(req: {
    namespace: string;
    taskQueue: { name: string };
    taskQueueType: number;
  }): Promise<{ pollers?: Pollers }>;
}

/** Did any worker poll this activity task queue within POLLER_STALE_MS? */
export async function activityQueuePolled(service: PollerService, namespace: string, taskQueue: string, now = Date.now()): Promise<boolean> {
  const res = await service.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: TASK_QUEUE_TYPE_ACTIVITY });
  return anyFreshPoller(res.pollers, now);
}
