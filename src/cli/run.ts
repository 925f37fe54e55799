/**
 * `tsfx run <pipeline.ts>`: compile, make sure Temporal is there (embedded dev server when
 * TEMPORAL_ADDRESS is unset), start the run's workers (run-workers.ts), start the run and draw
 * its progress until it ends (follow-run.ts).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { bindStore, loadConfig } from '../config.js';
import { DefinitionError } from '../errors.js';
import { openMetadataStore } from '../metadata/open.js';
import type { Client } from '@temporalio/client';
import { connectClient, startPipelineRun } from '../orchestration/client.js';
import { ensureTemporal } from '../orchestration/dev-server.js';
import { findComponent } from '../../components/registry.js';
import { parseParams } from '../dsl/params.js';
import { topologicalOrder } from '../dsl/validate.js';
import type { PipelineSpec } from '../../schemas/pipeline-spec.js';
import { applyParams, loadPipeline } from './load-pipeline.js';
import { pushedLines } from './pushed-next.js';
import { followRun } from './follow-run.js';
import { startRunWorkers, type RunWorkers } from './run-workers.js';

interface RunFlags {
  param: string[];
  cache: boolean;
  uncached: string[];
  worker: boolean;
  workers?: string;
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
    .option('--no-worker', 'start no worker, in this process or beside it (use running `tsfx worker`s); same as --workers 0')
    .option('--workers <n>', 'worker processes for the run, this one included (default 1; 0 = none): fanned-out shards run in parallel across them')
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
    const impl = findComponent(node.component);
    if (!impl) continue; // a component only a remote worker knows; the worker validates
    parseParams(impl.spec.params, node.params, ['nodes', node.id, 'params']);
  }
}

/** `--uncached <node>` must name a node of the pipeline: a typo would silently reuse the cache. */
export function checkUncached(spec: PipelineSpec, uncached: string[]): void {
  const ids = spec.nodes.map((n) => n.id);
  for (const id of uncached)
    if (!ids.includes(id)) throw new DefinitionError(`--uncached '${id}': no such node (nodes: ${ids.join(', ')})`);
}

/**
 * Worker processes for the run, this one included: `--workers n`, 1 by default; `--no-worker`
 * is 0 (nothing polls here or beside us) and contradicts a `--workers` above 0.
 */
export function workerCount(flags: Pick<RunFlags, 'worker' | 'workers'>): number {
  const raw = flags.workers ?? (flags.worker ? '1' : '0');
  if (!/^\d+$/.test(raw)) throw new DefinitionError(`--workers takes a whole number from 0, got '${raw}'`, ['--workers']);
  const n = Number(raw);
  if (!flags.worker && n > 0)
    throw new DefinitionError(`--no-worker starts no worker, but --workers asks for ${n}; give one of them`, ['--workers']);
  return n;
}

async function runPipeline(file: string, flags: RunFlags): Promise<number> {
  const unbound = loadConfig();
  const count = workerCount(flags);
  const spec = applyParams(await loadPipeline(file), flags.param);
  checkParams(spec);
  checkUncached(spec, flags.uncached);
  const say = (s: string) => (flags.json ? process.stderr : process.stdout).write(`${s}\n`);
  // until the run is started, Ctrl-C just stops: our worker processes see their stdin close
  const interrupted = () => {
    say('interrupted before the run started');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  const temporal = await ensureTemporal(unbound, { log: say });
  const store = await openMetadataStore(unbound.metadataUrl);
  const config = bindStore(unbound, store.storeId);
  let workers: RunWorkers | undefined;
  let client: Client | undefined;
  try {
    // the worker processes import the pipeline file too: its custom components register there
    workers = await startRunWorkers({ config, address: temporal.address, store, count, say, components: [path.resolve(file)] });
    client = await connectClient(temporal.address, config.temporalNamespace);
    const noCache = flags.cache === false ? true : flags.uncached.length ? flags.uncached : false;
    const handle = await startPipelineRun(client, config, spec, { runId: flags.runId, noCache });
    process.off('SIGINT', interrupted);
    const runId = handle.workflowId.split('/')[1]!;
    say(`pipeline ${spec.name}  run ${runId}`);
    say(`  workflow  ${handle.workflowId}`);
    if (temporal.uiUrl)
      say(
        `  ui        ${temporal.uiUrl}/namespaces/${config.temporalNamespace}/workflows/${encodeURIComponent(handle.workflowId)}/${handle.firstExecutionRunId}/history`,
      );
    say(`  metadata  ${config.metadataUrl}`);
    say(`  artifacts ${path.join(config.storeRoot, spec.name)}`);
    const result = await followRun(handle, { order: topologicalOrder(spec), json: flags.json, say, address: temporal.address });
    if (result.status === 'COMPLETE') {
      for (const line of await pushedLines(store, result, path.join(config.home, 'serving'))) say(line);
      say(`  inspect: tsfx artifacts --pipeline ${spec.name}   tsfx lineage <artifact-id>`);
    }
    return result.status === 'COMPLETE' ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupted);
    await workers?.stop();
    await client?.connection.close();
    await store.close();
  }
}
