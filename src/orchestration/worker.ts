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
import { builtinComponents } from '../../components/registry.js';

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
}

let runtimeInstalled = false;

/** Route the SDK's own logs to a file (or stderr) once per process, before any worker exists. */
export function installRuntimeLogging(level: LogLevel, file?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  if (file) fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = file ? fs.createWriteStream(file, { flags: 'a' }) : process.stderr;
  Runtime.install({
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
  for (const c of [...builtinComponents, ...(opts.extraComponents ?? [])]) components.set(c.spec.name, c);
  const config = bindStore(opts.config, opts.store.storeId);
  const activities = createActivities({
    store: opts.store,
    storeRoot: config.storeRoot,
    components,
    workflowIds: () => {
      const info = Context.current().info;
      return { workflowId: info.workflowExecution?.workflowId, workflowRunId: info.workflowExecution?.runId };
    },
  });
  const connection = await NativeConnection.connect({ address: opts.address });
  const workers: Worker[] = [];
  for (const queue of opts.queues) {
    const hostsWorkflows = queue === 'cpu';
    workers.push(
      await Worker.create({
        connection,
        namespace: opts.config.temporalNamespace,
        taskQueue: `${config.queuePrefix}${queue}`,
        activities,
        workflowBundle: hostsWorkflows ? await workflowBundle(opts.config.home) : undefined,
        maxConcurrentActivityTaskExecutions: opts.maxConcurrentExecutors ?? 8,
        // heartbeat details reach the server (where `tsfx run` reads progress) every second,
        // not at 0.8 x the heartbeat timeout (24 s by default); runComponent sends at most 1/s
        maxHeartbeatThrottleInterval: '1s',
      }),
    );
  }
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    done,
    shutdown() {
      stopping ??= (async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await done.catch(() => undefined);
        await connection.close();
      })();
      return stopping;
    },
  };
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
