/**
 * A seeded, bounded run of random faults against real processes: rounds of one pipeline run
 * per home (SQLite and PostgreSQL, one Temporal server, one artifact root), and while they run,
 * faults drawn from the seed: kill -9 of a worker (any, the one merging a fanned-out node, or
 * every worker of a home just as a merge completes, when the publish runs), SIGSTOP/SIGCONT of
 * a worker, a dev-server restart (graceful or kill -9), a PostgreSQL crash and restart. After
 * each round the invariants (invariants.ts) are checked against an undisturbed first round.
 * The same seed draws the same faults; their effect also depends on timing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { startPipelineRun } from '../../src/orchestration/client.js';
import { seededRandom } from '../../src/stats/synthetic.js';
import type { PipelineSpec } from '../../schemas/pipeline-spec.js';
import { startCluster, type Cluster, type Home, type Worker } from './cluster.js';
import { digestFolder, publishedOutputs, runViolations, storeViolations, type Reference } from './invariants.js';
import { chaosPipeline, writeChaosData } from './pipeline.js';

export interface ChaosOptions {
  faults: number;
  seed: number;
  dir: string;
  ports: { temporal: number; postgres: number };
  rows?: number;
  log?: (line: string) => void;
  /** stop early (Ctrl-C): no more faults or rounds; the servers and workers are still shut down */
  signal?: AbortSignal;
}

export interface ChaosReport {
  seed: number;
  faultsInjected: number;
  byKind: Record<string, number>;
  rounds: number;
  runsStarted: number;
  runsCompleted: number;
  violations: string[];
  seconds: number;
}

type FaultKind =
  | 'kill-worker'
  | 'pause-worker'
  | 'kill-merging-worker'
  | 'kill-home-at-publish'
  | 'restart-dev-server'
  | 'kill-dev-server'
  | 'restart-postgres';

const WEIGHTS: [FaultKind, number][] = [
  ['kill-worker', 25],
  ['pause-worker', 20],
  ['kill-merging-worker', 15],
  ['kill-home-at-publish', 10],
  ['restart-dev-server', 10],
  ['kill-dev-server', 5],
  ['restart-postgres', 15],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROUND_TIMEOUT_MS = 10 * 60_000;

interface LiveRun {
  home: Home;
  runId: string;
  workflowId: string;
  status?: string;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const random = seededRandom(opts.seed);
  const between = (lo: number, hi: number) => Math.floor(lo + random() * (hi - lo));
  const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[Math.floor(random() * xs.length)] : undefined);
  fs.rmSync(opts.dir, { recursive: true, force: true });
  const data = writeChaosData(path.join(opts.dir, 'data'), opts.rows ?? 24_000);
  const spec: PipelineSpec = chaosPipeline(data).compile({ root: opts.dir });
  const cluster = await startCluster(opts.dir, opts.ports);
  const report: ChaosReport = {
    seed: opts.seed,
    faultsInjected: 0,
    byKind: {},
    rounds: 0,
    runsStarted: 0,
    runsCompleted: 0,
    violations: [],
    seconds: 0,
  };
  const client = new Client({ connection: await Connection.connect({ address: cluster.address }) });
  try {
    // round 0, undisturbed: what every later run's files must equal
    const reference: Reference = {};
    const first = await runRound(cluster, client, spec, 0, report, opts.signal, async () => {});
    for (const r of first) {
      for (const [key, uri] of await publishedOutputs(r.home, r.runId)) {
        const digests = digestFolder(uri);
        if (reference[key] && JSON.stringify(reference[key]) !== JSON.stringify(digests))
          report.violations.push(`undisturbed runs disagree on ${key}: the pipeline is not deterministic`);
        reference[key] ??= digests;
      }
    }
    await check(spec, first, reference, report);
    log(`round 0 (undisturbed): ${first.map((r) => `${r.home.name} ${r.status}`).join(', ')}`);

    while (report.faultsInjected < opts.faults && !opts.signal?.aborted) {
      const round = report.rounds;
      const runs = await runRound(cluster, client, spec, round, report, opts.signal, async (open) => {
        while (open() && report.faultsInjected < opts.faults && !opts.signal?.aborted) {
          await sleep(between(300, 2_500));
          if (!open()) break;
          const kind = draw(random);
          const what = await inject(kind, cluster, client, open, { between, pick });
          if (!what) continue;
          report.faultsInjected++;
          report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
          log(`round ${round} fault ${report.faultsInjected}: ${kind} ${what}`);
        }
      });
      await check(spec, runs, reference, report);
      log(`round ${round}: ${runs.map((r) => `${r.home.name} ${r.status}`).join(', ')}; violations so far ${report.violations.length}`);
    }
    report.violations.push(...(await storeViolations(cluster.artifactRoot, cluster.homes)));
  } finally {
    await client.connection.close().catch(() => undefined);
    await cluster.close();
  }
  report.seconds = Math.round((Date.now() - started) / 1000);
  return report;
}

function draw(random: () => number): FaultKind {
  const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
  let x = random() * total;
  for (const [kind, w] of WEIGHTS) if ((x -= w) < 0) return kind;
  return WEIGHTS[0]![0];
}

/** One run per home; `disturb` runs while any is open. Returns once every run's workflow is closed. */
async function runRound(
  cluster: Cluster,
  client: Client,
  spec: PipelineSpec,
  round: number,
  report: ChaosReport,
  signal: AbortSignal | undefined,
  disturb: (open: () => boolean) => Promise<void>,
): Promise<LiveRun[]> {
  report.rounds++;
  const runs: LiveRun[] = [];
  for (const home of cluster.homes) {
    const runId = `round-${round}`;
    const workflowId = await retrying(async () => {
      try {
        return (await startPipelineRun(client, home.config, spec, { runId, noCache: true })).workflowId;
      } catch (err) {
        // a start whose answer a server restart lost: the run is there
        if (err instanceof WorkflowExecutionAlreadyStartedError) return err.workflowId;
        throw err;
      }
    });
    report.runsStarted++;
    runs.push({ home, runId, workflowId });
  }
  const deadline = Date.now() + ROUND_TIMEOUT_MS;
  let open = true;
  const watch = (async () => {
    while (runs.some((r) => !r.status) && Date.now() < deadline && !signal?.aborted) {
      for (const r of runs.filter((x) => !x.status)) {
        const status = await client.workflow
          .getHandle(r.workflowId)
          .describe()
          .then((d) => d.status.name)
          .catch(() => 'UNREACHABLE');
        if (status !== 'RUNNING' && status !== 'UNREACHABLE') r.status = status;
      }
      await sleep(500);
    }
    open = false;
  })();
  await disturb(() => open);
  for (const home of cluster.homes) for (const w of home.workers) resume(w);
  await cluster.refill();
  await watch;
  for (const r of runs) {
    r.status ??= signal?.aborted ? 'ABORTED' : 'STUCK';
    if (r.status === 'COMPLETED') report.runsCompleted++;
  }
  return runs;
}

async function check(spec: PipelineSpec, runs: LiveRun[], reference: Reference, report: ChaosReport) {
  for (const r of runs) report.violations.push(...(await retrying(() => runViolations(r.home, spec, r.runId, r.status!, reference))));
}

/** Inject one fault; returns what it hit, or undefined when there was nothing to hit. */
async function inject(
  kind: FaultKind,
  cluster: Cluster,
  client: Client,
  open: () => boolean,
  r: { between: (lo: number, hi: number) => number; pick: <T>(xs: T[]) => T | undefined },
): Promise<string | undefined> {
  const live = cluster.homes.flatMap((h) => h.workers.filter((w) => !w.paused).map((w) => ({ h, w })));
  switch (kind) {
    case 'kill-worker': {
      const hit = r.pick(live);
      if (!hit) return undefined;
      hit.w.child.kill('SIGKILL');
      await cluster.refill();
      return `${hit.h.name} pid ${hit.w.child.pid}`;
    }
    case 'pause-worker': {
      const hit = r.pick(live);
      if (!hit) return undefined;
      const ms = r.between(500, 8_000);
      hit.w.paused = true;
      hit.w.child.kill('SIGSTOP');
      setTimeout(() => resume(hit.w), ms);
      return `${hit.h.name} pid ${hit.w.child.pid} for ${ms} ms`;
    }
    case 'kill-merging-worker':
    case 'kill-home-at-publish': {
      const merging = await waitForMerge(cluster, client, open, kind === 'kill-home-at-publish');
      if (!merging) return undefined;
      const victims =
        kind === 'kill-merging-worker'
          ? merging.home.workers.filter((w) => String(w.child.pid) === merging.pid)
          : merging.home.workers;
      for (const w of victims) {
        resume(w);
        w.child.kill('SIGKILL');
      }
      await cluster.refill();
      return `${merging.home.name} ${merging.activity} (${victims.length} worker${victims.length === 1 ? '' : 's'})`;
    }
    case 'restart-dev-server':
    case 'kill-dev-server': {
      const ms = r.between(500, 5_000);
      await cluster.restartDevServer(ms, kind === 'kill-dev-server');
      return `down ${ms} ms`;
    }
    case 'restart-postgres': {
      const ms = r.between(1_000, 10_000);
      await cluster.restartPostgres(ms);
      return `down ${ms} ms`;
    }
  }
}

function resume(w: Worker): void {
  if (!w.paused) return;
  w.paused = false;
  w.child.kill('SIGCONT');
}

/**
 * Wait (a few seconds at most) for a merge (a fanned-out node's `/run` activity) to be running;
 * with `completed`, for it to finish: the publish runs right then, on the workflow's worker.
 */
async function waitForMerge(
  cluster: Cluster,
  client: Client,
  open: () => boolean,
  completed: boolean,
): Promise<{ home: Home; pid: string; activity: string } | undefined> {
  const deadline = Date.now() + 8_000;
  let seen: { home: Home; pid: string; activity: string; workflowId: string } | undefined;
  while (open() && Date.now() < deadline) {
    for (const home of cluster.homes) {
      const ids = (await home.store.listExecutions().catch(() => [])).map((x) => x.workflowId).filter(Boolean) as string[];
      for (const workflowId of [...new Set(ids)].slice(-2)) {
        const desc = await client.workflow.getHandle(workflowId).describe().catch(() => undefined);
        const pending = desc?.raw.pendingActivities ?? [];
        const merge = pending.find((a) => a.activityId?.startsWith('StatisticsGen/run'));
        if (!completed && merge?.lastWorkerIdentity)
          return { home, pid: merge.lastWorkerIdentity.split('@')[0]!, activity: merge.activityId! };
        if (completed && merge && !seen) seen = { home, pid: '', activity: merge.activityId!, workflowId };
        if (completed && seen && seen.workflowId === workflowId && !merge) return seen;
      }
    }
    await sleep(seen ? 20 : 200);
  }
  return undefined;
}

/** Metadata and Temporal calls from the driver ride out the outages it causes itself. */
async function retrying<T>(fn: () => Promise<T>, tries = 120): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(500);
    }
  }
}
