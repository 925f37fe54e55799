/**
 * Operating commands: `tsfx worker`, `tsfx cancel`, `tsfx server start|stop|status`.
 */
import { Option, type Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { bindStore, loadConfig } from '../config.js';
import { DefinitionError, DevServerNotOursError } from '../errors.js';
import { openMetadataStore } from '../metadata/open.js';
import { connectClient } from '../orchestration/client.js';
import { devServerStatus, ensureTemporal, stopDevServer } from '../orchestration/dev-server.js';
import { workflowIdOf } from '../orchestration/types.js';
import { installRuntimeLogging, startWorkers, type QueueName, type RunningWorkers } from '../orchestration/worker.js';
import { loadUserComponents } from './extra-components.js';
import { exitWithParent } from './parent-watch.js';
import { whyNoGpu } from '../ml/gpu.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

/**
 * A worker on the gpu queue takes the nodes that want a GPU away from the cpu queue; one that
 * has none would train them on its CPU while GPU workers idle. Loads the backend for real.
 */
async function gpuBackendMissing(): Promise<string | undefined> {
  const { selectBackend } = await import('../ml/backend.js');
  const { describeBackend } = await import('../ml/train/training-backend.js');
  const { GPU_PACKAGE } = await import('../ml/gpu.js');
  const chosen = await selectBackend();
  if (chosen.package !== GPU_PACKAGE) return `${chosen.reason}; would train on ${chosen.package}`;
  // the -gpu package also loads where CUDA finds no device, and then runs on the CPU
  const { device } = await describeBackend(chosen);
  return device === 'gpu' ? undefined : `${GPU_PACKAGE} loaded but TensorFlow sees no GPU device`;
}

async function requireGpuBackend(): Promise<void> {
  const missing = await gpuBackendMissing();
  if (missing)
    throw new DefinitionError(
      `--queues gpu: no GPU backend loads here (${missing}). ` +
        'Install a CUDA build of @tensorflow/tfjs-node-gpu (README: GPU workers), or pass --gpu-without-gpu to poll the gpu queue anyway',
    );
}

export function registerOperate(program: Command): void {
  program
    .command('worker')
    .description('poll task queues and run workflows and component executors until stopped')
    .option('--queues <list>', 'comma-separated: cpu, gpu (default: cpu, and gpu when a GPU backend loads)')
    .option('--gpu-without-gpu', 'poll the gpu queue even though no GPU backend loads (its nodes then train on the CPU)')
    .option('--concurrency <n>', 'executor attempts at once per queue', '2')
    .option('--components <modules>', 'comma-separated modules (or pipeline files) that register custom components (added to TSFX_COMPONENTS)', '')
    // `tsfx run --workers n` starts its helpers with this: they stop when the run's process is gone
    .addOption(new Option('--exit-with-parent', 'stop when stdin closes (the parent process died)').hideHelp())
    .action(async (o: { queues?: string; gpuWithoutGpu?: boolean; concurrency: string; components: string; exitWithParent?: boolean }) => {
      const running: { workers?: RunningWorkers } = {};
      if (o.exitWithParent) exitWithParent(() => running.workers);
      let queues = (o.queues ?? (whyNoGpu() ? 'cpu' : 'cpu,gpu'))
        .split(',')
        .map((q) => q.trim())
        .filter(Boolean);
      for (const q of queues)
        if (q !== 'cpu' && q !== 'gpu') throw new DefinitionError(`unknown queue '${q}' (cpu, gpu)`);
      if (queues.includes('gpu') && !o.gpuWithoutGpu) {
        if (o.queues) await requireGpuBackend();
        else {
          // the default looked GPU-capable but is not: a cpu worker still, saying why
          const missing = await gpuBackendMissing();
          if (missing) {
            out(`not polling the gpu queue: ${missing}`);
            queues = queues.filter((q) => q !== 'gpu');
          }
        }
      }
      await loadUserComponents(o.components.split(','));
      const config = loadConfig();
      const temporal = await ensureTemporal(config, { log: out });
      const store = await openMetadataStore(config.metadataUrl);
      installRuntimeLogging('INFO');
      const workers = await startWorkers({
        config,
        address: temporal.address,
        store,
        queues: queues as QueueName[],
        maxConcurrentExecutors: Number(o.concurrency),
      });
      running.workers = workers;
      out(
        `worker polling ${queues.map((q) => bindStore(config, store.storeId).queuePrefix + q).join(', ')} on ${temporal.address} (pid ${process.pid}; Ctrl-C to stop)`,
      );
      const stop = () => void workers.shutdown();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await workers.done;
      await store.close();
    });

  program
    .command('cancel')
    .description('cancel a running pipeline run; its open executions are recorded CANCELED')
    .argument('<run>', 'run id, or <pipeline>/<runId>')
    .action(async (run: string) => {
      const config = loadConfig();
      const workflowId = await workflowIdOfRun(run);
      const temporal = await ensureTemporal(config, { log: out });
      const client = await connectClient(temporal.address, config.temporalNamespace);
      try {
        const handle = client.workflow.getHandle(workflowId);
        const desc = await handle.describe();
        if (desc.status.name !== 'RUNNING')
          throw new DefinitionError(`run ${workflowId} is not running (${desc.status.name})`);
        await handle.cancel();
        out(`cancel requested for ${workflowId}`);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          throw new DefinitionError(`no run ${workflowId} on ${temporal.address}`);
        throw err;
      } finally {
        await client.connection.close();
      }
    });

  const server = program.command('server').description('the embedded Temporal dev server');
  server.command('start').action(async () => {
    const t = await ensureTemporal({ ...loadConfig(), temporalAddress: undefined }, { log: out });
    out(`${t.started ? 'started' : 'already running'}: ${t.address}${t.uiUrl ? `  ui ${t.uiUrl}` : ''}`);
  });
  server.command('stop').action(async () => {
    const config = loadConfig();
    const r = await stopDevServer(config);
    if (r.foreign)
      throw new DevServerNotOursError(
        `the dev server on ${r.foreign} was not started from this TSFX_HOME (${config.home}); it keeps running`,
      );
    out(r.stopped ? `stopped (pid ${r.pid})` : 'not running');
  });
  server.command('status').action(async () => {
    out(JSON.stringify(await devServerStatus(loadConfig())));
  });
}

/** `<pipeline>/<runId>` or a run id this store recorded -> the run's workflow id (which names this store). */
export async function workflowIdOfRun(run: string): Promise<string> {
  const store = await openMetadataStore(loadConfig().metadataUrl);
  try {
    const slash = run.indexOf('/');
    if (slash > 0) return workflowIdOf(run.slice(0, slash), run.slice(slash + 1), store.storeId);
    const runs = (await store.listRuns({ limit: 10_000 })).filter((r) => r.runId === run);
    if (!runs.length) throw new DefinitionError(`no run '${run}' in metadata; pass <pipeline>/<runId>`);
    return runs[0]!.workflowId ?? workflowIdOf(runs[0]!.pipeline, run, store.storeId);
  } finally {
    await store.close();
  }
}
