/**
 * What a schedule starts: compile the pipeline file as it is at this moment (an activity: file
 * reads and user code are not workflow code), then run it as a child pipelineRun, so a
 * scheduled run is cached, resumed, canceled and listed exactly as a `tsfx run` is. The
 * child's workflow id is the one `tsfx run` would give the run, and its start records
 * `trigger: schedule:<id>` on the run. Deterministic: only types are imported from outside.
 */
import { ParentClosePolicy, executeChild, proxyActivities } from '@temporalio/workflow';
import type {
  ScheduleActivities,
  ScheduledRunInput,
  ScheduledRunResult,
} from '../src/orchestration/schedule-activity.js';
import type { PipelineRunInput } from '../src/orchestration/types.js';
import { pipelineRun } from './pipeline-run.js';

const { compilePipeline } = proxyActivities<ScheduleActivities>({
  // the child process imports the pipeline and the components; a wedged one is killed at 2 min
  startToCloseTimeout: '3 minutes',
  // a worker lost mid-compile: another compiles; a bad pipeline is non-retryable at once
  retry: { maximumAttempts: 5, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s' },
});

export async function scheduledRun(input: ScheduledRunInput): Promise<ScheduledRunResult> {
  const { scheduleId, file, params, storeId, queuePrefix } = input;
  const compiled = await compilePipeline({ storeId, scheduleId, file, params });
  const run: PipelineRunInput = {
    spec: compiled.spec,
    options: { runId: compiled.runId, noCache: false },
    queuePrefix,
    storeId,
    trigger: `schedule:${scheduleId}`,
  };
  const result = await executeChild(pipelineRun, {
    workflowId: compiled.workflowId,
    args: [run],
    memo: { pipeline: compiled.spec.name, runId: compiled.runId, trigger: run.trigger },
    // the schedule's CANCEL_OTHER / TERMINATE_OTHER end this workflow: the run is canceled
    // with it (its open executions recorded CANCELED), not left running unowned
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  });
  return { pipeline: compiled.spec.name, runId: compiled.runId, status: result.status };
}
