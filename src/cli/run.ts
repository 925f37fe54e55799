/**
 * `tsfx run <pipeline.ts>`: compile, make sure Temporal is there (embedded dev server when
 * TEMPORAL_ADDRESS is unset), start a worker in this process, start the run and draw its
 * progress until it ends.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { bindStore, loadConfig } from '../config.js';
import { DefinitionError } from '../errors.js';
import { openMetadataStore } from '../metadata/open.js';
import { connectClient, startPipelineRun, watchRun } from '../orchestration/client.js';
import { ensureTemporal } from '../orchestration/dev-server.js';
import { installRuntimeLogging, startWorkers } from '../orchestration/worker.js';
import { builtinComponents } from '../../components/registry.js';
import { topologicalOrder } from '../dsl/validate.js';
import type { PipelineSpec } from '../../schemas/pipeline-spec.js';
import { applyParams, loadPipeline } from './load-pipeline.js';
import { LOCAL_WORKER_CONCURRENCY, startLocalWorkers, type LocalWorkers } from './local-workers.js';
import { createProgressView } from './progress.js';
import { duration, toJson } from './format.js';

interface RunFlags {
  param: string[];
  cache: boolean;
  uncached: string[];
  worker: boolean;
  workers: string;
  runId?: string;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a pipeline file end to end')
    .argument('<pipeline>', 'pipeline file, e.g. pipelines/penguin.ts')
    .option('--param <node.key=value>', 'set a component param for this run (repeatable)', collect, [])
    .option('--no-cache', 'run every executor, reuse nothing')
    .option('--uncached <node>', "run this node's executor even if a cached result exists (repeatable)", collect, [])
    .option('--no-worker', 'do not start a worker in this process (use running `tsfx worker`s)')
    .option('--workers <n>', 'worker processes for the cpu queue during the run, this one included: fanned-out shards run in parallel across them', '1')
    .option('--run-id <id>', 'run id (default: time-based)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runPipeline(file, flags);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function checkParams(spec: PipelineSpec): void {
  for (const node of spec.nodes) {
    const impl = builtinComponents.find((c) => c.spec.name === node.component);
    if (!impl) continue; // a component only a remote worker knows; the worker validates
    const res = impl.spec.params.safeParse(node.params);
    if (!res.success) {
      const issue = res.error.issues[0]!;
      throw new DefinitionError(issue.message, ['nodes', node.id, 'params', ...issue.path.map(String)]);
    }
  }
}

async function runPipeline(file: string, flags: RunFlags): Promise<number> {
  const unbound = loadConfig();
  if (!/^[1-9]\d*$/.test(flags.workers)) throw new DefinitionError(`--workers takes a whole number from 1, got '${flags.workers}'`, ['--workers']);
  const spec = applyParams(await loadPipeline(file), flags.param);
  checkParams(spec);
  const say = (s: string) => (flags.json ? process.stderr : process.stdout).write(`${s}\n`);
  const temporal = await ensureTemporal(unbound, { log: say });
  const store = await openMetadataStore(unbound.metadataUrl);
  const config = bindStore(unbound, store.storeId);
  if (flags.worker) installRuntimeLogging('WARN', path.join(config.home, 'logs', 'worker.log'));
  const workers = flags.worker
    ? await startWorkers({
        config,
        address: temporal.address,
        store,
        queues: ['cpu', 'gpu'],
        // with worker processes beside it, take no more than they do (as `tsfx worker`): one JS
        // thread gains nothing from holding many CPU-bound shards while the others idle
        ...(Number(flags.workers) > 1 ? { maxConcurrentExecutors: LOCAL_WORKER_CONCURRENCY } : {}),
      })
    : undefined;
  const extra = Number(flags.workers) - (flags.worker ? 1 : 0);
  let local: LocalWorkers | undefined;
  const client = await connectClient(temporal.address, config.temporalNamespace);
  try {
    if (extra > 0) {
      say(`starting ${extra} more worker process${extra === 1 ? '' : 'es'} for the cpu queue…`);
      local = await startLocalWorkers(extra, { home: config.home, temporalAddress: temporal.address });
    }
    const noCache = flags.cache === false ? true : flags.uncached.length ? flags.uncached : false;
    const handle = await startPipelineRun(client, config, spec, { runId: flags.runId, noCache });
    const runId = handle.workflowId.split('/')[1]!;
    say(`pipeline ${spec.name}  run ${runId}`);
    say(`  workflow  ${handle.workflowId}`);
    if (temporal.uiUrl)
      say(
        `  ui        ${temporal.uiUrl}/namespaces/${config.temporalNamespace}/workflows/${encodeURIComponent(handle.workflowId)}/${handle.firstExecutionRunId}/history`,
      );
    say(`  metadata  ${config.metadataUrl}`);
    say(`  artifacts ${path.join(config.storeRoot, spec.name)}`);
    const onSigint = () => {
      say('canceling the run… (Ctrl-C again to leave it running)');
      process.off('SIGINT', onSigint);
      void handle.cancel();
    };
    process.on('SIGINT', onSigint);
    const view = createProgressView(topologicalOrder(spec), flags.json ? process.stderr : process.stdout);
    const started = Date.now();
    const result = await watchRun(handle, (p) => view.update(p)).finally(() => process.off('SIGINT', onSigint));
    view.update({ ...result, heartbeats: {} });
    view.done();
    if (flags.json) process.stdout.write(`${toJson(result)}\n`);
    say(
      `${result.status === 'COMPLETE' ? '✔' : '✘'} run ${runId} ${result.status.toLowerCase()} in ${duration(Date.now() - started)}`,
    );
    if (result.status === 'COMPLETE')
      say(`  inspect: tsfx artifacts --pipeline ${spec.name}   tsfx lineage <artifact-id>`);
    return result.status === 'COMPLETE' ? 0 : 1;
  } finally {
    await local?.stop();
    await workers?.shutdown();
    await client.connection.close();
    await store.close();
  }
}
