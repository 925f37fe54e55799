/**
 * `tsfx gc`: remove artifacts (rows and files) no kept run or served model reaches. The rows go
 * first, in one transaction, so no run can find a collected artifact through the cache while
 * its files are being removed.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { leftoverShards, planSweep, removeSwept, type FileSweep, type Removable } from '../artifacts/gc-files.js';
import { bindStore, loadConfig } from '../config.js';
import { DefinitionError } from '../errors.js';
import type { GcPlan, MetadataStore } from '../metadata/store.js';
import { compact, toJson } from './format.js';
import { withStore } from './inspect.js';

const out = (s: string): void => void process.stdout.write(`${s}\n`);

interface GcFlags {
  keepRuns: string;
  pipeline?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

export function registerGc(program: Command): void {
  program
    .command('gc')
    .description('remove artifacts (files and rows) no longer reachable from kept runs or served models')
    .option('--keep-runs <n>', 'newest runs kept per pipeline', '5')
    .option('--pipeline <name>', 'collect in this pipeline only')
    .option('--dry-run', 'print what would be removed, change nothing')
    .option('--force', 'collect even while a run of the pipeline is RUNNING')
    .option('--json')
    .action(async (o: GcFlags) => withStore((store) => gc(store, o)));
}

async function gc(store: MetadataStore, o: GcFlags): Promise<void> {
  if (!/^\d+$/.test(o.keepRuns))
    throw new DefinitionError(`--keep-runs takes a whole number from 0, got '${o.keepRuns}'`);
  const opts = { keepRuns: Number(o.keepRuns), pipeline: o.pipeline, force: o.force };
  // only this store's folders: another store's (another TSFX_METADATA_URL on the same root) are not ours to judge
  const root = bindStore(loadConfig(), store.storeId).storeRoot;
  // collectGarbage refuses (RunningRunsError) while a run it could affect is RUNNING
  const plan: GcPlan = o.dryRun ? await store.planGarbageCollection(opts) : await store.collectGarbage(opts);
  const gone = new Set(plan.artifacts.map((a) => a.id));
  // every artifact that stays protects its folder, the reserved (PENDING) ones of running executions too
  const keep = (await store.listArtifacts({ state: 'any' })).filter((a) => !gone.has(a.id)).map((a) => a.uri);
  const sweep: FileSweep = await planSweep(
    root,
    { uris: plan.artifacts.map((a) => a.uri), executions: plan.executions },
    keep,
  );
  const swept = new Set(sweep.remove.map((r) => r.path));
  const shards = (
    await leftoverShards(root, o.pipeline === undefined ? undefined : [o.pipeline], async (id) => {
      const x = await store.getExecution(id);
      return x !== undefined && (x.state === 'NEW' || x.state === 'RUNNING');
    })
  ).filter((s) => !swept.has(s.path));
  const files: Removable[] = [...sweep.remove, ...shards];
  const bytes = o.dryRun ? files.reduce((n, f) => n + f.bytes, 0) : await removeSwept(root, files);

  const summary = {
    dryRun: Boolean(o.dryRun),
    // with --pipeline, the kept runs of that pipeline (other pipelines' kept runs still protect what they use)
    keptRuns: o.pipeline === undefined ? plan.keptRuns : plan.keptRuns.filter((r) => r.pipeline === o.pipeline),
    running: plan.running,
    artifacts: plan.artifacts.length,
    executions: plan.executions.length,
    runs: plan.runs.length,
    removedRuns: plan.runs,
    folders: files.length,
    shardFolders: files.filter((f) => path.basename(path.dirname(f.path)) === '_shards').length,
    bytes,
    leftInPlace: sweep.outside,
  };
  if (o.json) return out(toJson(summary));
  report(summary);
}

function report(s: {
  dryRun: boolean;
  keptRuns: { pipeline: string; runId: string }[];
  running: { pipeline: string; runId: string }[];
  artifacts: number;
  executions: number;
  runs: number;
  folders: number;
  shardFolders: number;
  bytes: number;
  leftInPlace: string[];
}): void {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const byPipeline = new Map<string, string[]>();
  for (const r of s.keptRuns) byPipeline.set(r.pipeline, [...(byPipeline.get(r.pipeline) ?? []), r.runId]);
  for (const [p, ids] of byPipeline) out(`kept ${plural(ids.length, 'run')} of ${p}: ${ids.join(', ')}`);
  if (s.running.length)
    out(
      `RUNNING (${s.dryRun ? 'gc would refuse without --force' : 'forced'}): ${s.running.map((r) => `${r.pipeline}/${r.runId}`).join(', ')}`,
    );
  out(
    `${s.dryRun ? 'would remove' : 'removed'} ${plural(s.artifacts, 'artifact')}, ${plural(s.executions, 'execution')}, ` +
      `${plural(s.runs, 'run')}; ${s.dryRun ? 'would free' : 'freed'} ${compact(s.bytes)}B in ` +
      `${plural(s.folders, 'folder')} (${s.shardFolders} leftover _shards)`,
  );
  if (s.leftInPlace.length)
    out(`left in place (outside the artifact root, e.g. ExternalArtifact sources): ${s.leftInPlace.join(', ')}`);
}
