/**
 * `tsfx resume <run>`: pick up an open run nobody works on (its `tsfx run` was killed): start
 * workers here as `tsfx run` does and follow the run to its end with the progress view. Temporal
 * kept the run's state; the worker replays the workflow and carries on from where it stopped.
 */
import type { Command } from 'commander';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadConfig } from '../config.js';
import { DefinitionError } from '../errors.js';
import { topologicalOrder } from '../dsl/validate.js';
import { openMetadataStore } from '../metadata/open.js';
import { connectClient } from '../orchestration/client.js';
import { ensureTemporal } from '../orchestration/dev-server.js';
import type { PipelineRunInput } from '../orchestration/types.js';
import { followRun } from './follow-run.js';
import { workflowIdOfRun } from './operate.js';
import { workerCount } from './run.js';
import { startRunWorkers } from './run-workers.js';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('start a worker for an open run (e.g. one whose `tsfx run` was killed) and follow it to its end')
    .argument('<run>', 'run id, or <pipeline>/<runId>')
    .option('--workers <n>', 'worker processes for the run, this one included', '1')
    .option('--json', 'print the result as JSON')
    .action(async (run: string, o: { workers: string; json?: boolean }) => {
      process.exitCode = await resume(run, o);
    });
}

async function resume(run: string, o: { workers: string; json?: boolean }): Promise<number> {
  const config = loadConfig();
  const count = workerCount({ worker: true, workers: o.workers });
  const say = (s: string) => (o.json ? process.stderr : process.stdout).write(`${s}\n`);
  const workflowId = await workflowIdOfRun(run);
  const temporal = await ensureTemporal(config, { log: say });
  const client = await connectClient(temporal.address, config.temporalNamespace);
  const store = await openMetadataStore(config.metadataUrl);
  let workers: { stop(): Promise<void> } | undefined;
  try {
    const handle = client.workflow.getHandle(workflowId);
    const desc = await handle.describe().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) throw new DefinitionError(`no run ${workflowId} on ${temporal.address}`);
      throw err;
    });
    if (desc.status.name !== 'RUNNING') throw new DefinitionError(`run ${workflowId} is not running (${desc.status.name})`);
    const spec = await specOf(handle);
    workers = await startRunWorkers({ config, address: temporal.address, store, count, say });
    say(`resuming ${workflowId} with ${count} worker${count === 1 ? '' : 's'} (pid ${process.pid})`);
    const result = await followRun(handle, { order: topologicalOrder(spec), json: o.json, say, address: temporal.address });
    return result.status === 'COMPLETE' ? 0 : 1;
  } finally {
    await workers?.stop();
    await client.connection.close();
    await store.close();
  }
}

/** The pipeline the run was started with: the first event of its history holds the input. */
async function specOf(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new DefinitionError(`run ${handle.workflowId} has no pipeline input in its history`);
  return defaultPayloadConverter.fromPayload<PipelineRunInput>(payload as never).spec;
}
