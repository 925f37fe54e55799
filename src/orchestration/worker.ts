/**
 * Workers: one per task queue this process polls. The cpu worker also hosts the pipeline
 * workflow; the gpu worker runs only activities (GPU nodes' executors). The workflow bundle
 * is built once and cached by content hash, so starting a worker takes a moment, not webpack's.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import {
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  DefaultLogger,
  type LogLevel,
} from '@temporalio/worker';
import type { ComponentImpl } from '../dsl/component.js';
import { bindStore, type TsfxConfig } from '../config.js';
import type { MetadataStore } from '../metadata/store.js';
import { createActivities } from './activities.js';
import { activityQueuePolled, type PollerService } from './liveness.js';
import { createScheduleActivities } from './schedule-activity.js';
import { registeredComponents } from '../../components/registry.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const workflowsEntry = path.join(repoRoot, 'workflows/index.ts');

export type QueueName = 'cpu' | 'gpu';

export interface WorkerOptions {
  config: TsfxConfig;
  address: string;
  store: MetadataStore;
  queues: QueueName[];
  /** components beyond the built-in ones (tests, user extensions) */
  extraComponents?: ComponentImpl[];
  /** concurrent executor attempts per queue; each is CPU-bound, so about one per core */
  maxConcurrentExecutors?: number;
}

export interface RunningWorkers {
  /** resolves when every worker has stopped */
  done: Promise<void>;
  shutdown(): Promise<void>;
  /** executor attempts (non-local activities) running in these workers now */
  inFlight(): number;
}

let runtimeInstalled = false;

/** Route the SDK's own logs to a file (or stderr) once per process, before any worker exists. */
export function installRuntimeLogging(level: LogLevel, file?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  if (file) fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = file ? fs.createWriteStream(file, { flags: 'a' }) : process.stderr;
  Runtime.install({
    // no signal handlers of the SDK's: each command decides what Ctrl-C means (`tsfx run`
    // cancels the run and a second Ctrl-C leaves; the SDK's handler would stop our workers
    // on the first one and keep the process alive past the second)
    shutdownSignals: [],
    // forward the native core's logs too: by default it prints to stdout, which would mix
    // into `tsfx run --json` output and the progress display
    telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    logger: new DefaultLogger(level, (entry) => {
      out.write(
        `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} ${entry.level} ${entry.message} ${entry.meta ? JSON.stringify(entry.meta) : ''}\n`,
      );
    }),
  });
}

export async function startWorkers(opts: WorkerOptions): Promise<RunningWorkers> {
  const components = new Map<string, ComponentImpl>();
  // read now: the pipeline's (or --components') modules have registered their components by this time
  for (const c of [...registeredComponents(), ...(opts.extraComponents ?? [])]) components.set(c.spec.name, c);
  const config = bindStore(opts.config, opts.store.storeId);
  const connection = await NativeConnection.connect({ address: opts.address });
  const activities = createActivities({
    store: opts.store,
    storeRoot: config.storeRoot,
    components,
    gpuPolled: () =>
      activityQueuePolled(
        connection.workflowService as unknown as PollerService,
        opts.config.temporalNamespace,
        `${config.queuePrefix}gpu`,
      ),
    workflowIds: () => {
      const info = Context.current().info;
      return { workflowId: info.workflowExecution?.workflowId, workflowRunId: info.workflowExecution?.runId };
    },
  });
  // a scheduled run's first step (compile the pipeline file as it is now) runs on any of our workers
  const scheduleActivities = createScheduleActivities({ storeId: opts.store.storeId, components });
  const bundle = opts.queues.includes('cpu') ? await workflowBundle(opts.config.home) : undefined;
  const create = (queue: QueueName) =>
    Worker.create({
      connection,
      namespace: opts.config.temporalNamespace,
      taskQueue: `${config.queuePrefix}${queue}`,
      activities: { ...activities, ...scheduleActivities },
      // the cpu worker also hosts the workflow
      workflowBundle: queue === 'cpu' ? bundle : undefined,
      maxConcurrentActivityTaskExecutions: opts.maxConcurrentExecutors ?? 8,
      // heartbeat details reach the server (where `tsfx run` reads progress) every second,
      // not at 0.8 x the heartbeat timeout (24 s by default); runComponent sends at most 1/s
      maxHeartbeatThrottleInterval: '1s',
    });
  // created here, so a bad address or namespace fails the caller at once
  const first = await Promise.all(opts.queues.map(create));
  let stopping = false;
  const current = [...first];
  const done = Promise.all(
    opts.queues.map((queue, i) =>
      supervise(first[i]!, () => create(queue), (w) => (current[i] = w), () => stopping),
    ),
  ).then(() => undefined);
  let shutdown: Promise<void> | undefined;
  return {
    done,
    inFlight: () => current.reduce((n, w) => n + (w.getState() === 'RUNNING' ? w.getStatus().numInFlightNonLocalActivities : 0), 0),
    shutdown() {
      shutdown ??= (async () => {
        stopping = true;
        for (const w of current) if (w.getState() === 'RUNNING') w.shutdown();
        await done;
        await connection.close();
      })();
      return shutdown;
    },
  };
}

const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;

/**
 * Run a worker until it is shut down, and replace it whenever it fails instead. The SDK's core
 * retries task polls on an unreachable server without limit (UNAVAILABLE is retried with no
 * deadline), but a poll error it deems fatal for over a minute, or a failure in the worker's own
 * machinery, ends `run()` with FAILED: a worker process must not stop polling for that, nor
 * crash on the rejection. Recreating it (Worker.create checks the namespace) waits until the
 * server answers again. Resolves once `stopping()` and the worker has stopped; never rejects.
 */
async function supervise(
  first: Worker,
  create: () => Promise<Worker>,
  replaced: (w: Worker) => void,
  stopping: () => boolean,
): Promise<void> {
  let worker: Worker | undefined = first;
  let delay = RESTART_MIN_MS;
  for (;;) {
    if (worker) {
      try {
        await worker.run();
        if (stopping()) return;
        delay = RESTART_MIN_MS;
      } catch (err) {
        if (stopping()) return;
        Runtime.instance().logger.warn(`worker failed; restarting it: ${(err as Error).message}`);
      }
    }
    await new Promise((r) => setTimeout(r, delay));
    if (stopping()) return;
    delay = Math.min(delay * 2, RESTART_MAX_MS);
    worker = await create().catch((err: unknown) => {
      Runtime.instance().logger.warn(`worker restart failed; retrying: ${(err as Error).message}`);
      return undefined;
    });
    if (worker) {
      replaced(worker);
      // a shutdown that came while it was being created
      if (stopping()) {
        worker.shutdown();
        await worker.run().catch(() => undefined);
        return;
      }
    }
  }
}

/** Bundle workflows/ once per content hash and keep the result under TSFX_HOME/cache. */
export async function workflowBundle(home: string): Promise<{ code: string }> {
  const hash = createHash('sha256');
  const sources = [
    ...fs.readdirSync(path.join(repoRoot, 'workflows')).map((f) => path.join(repoRoot, 'workflows', f)),
    path.join(repoRoot, 'src/orchestration/types.ts'),
    path.join(repoRoot, 'node_modules/@temporalio/workflow/package.json'),
  ].sort();
  for (const f of sources) hash.update(f).update(fs.readFileSync(f));
  const file = path.join(home, 'cache', `workflow-bundle-${hash.digest('hex').slice(0, 16)}.js`);
  if (fs.existsSync(file)) return { code: fs.readFileSync(file, 'utf8') };
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsEntry, logger: quietLogger });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, code);
  fs.renameSync(`${file}.tmp`, file);
  return { code };
}

const quietLogger = new DefaultLogger('WARN');
