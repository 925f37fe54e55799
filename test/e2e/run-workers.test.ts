/**
 * `tsfx run`'s worker processes, as real processes: `--no-worker` / `--workers 0` start none,
 * and the worker processes `--workers n` spawns die with the run's process however it ends
 * (kill -9 mid-run, SIGINT while they start), instead of polling on forever under init.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { workflowIdOf } from '../../src/orchestration/types.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { runTsfx } from '../helpers/cli.js';
import { alive, childrenOf, spawnTsfx, waitFor, type Background } from '../helpers/processes.js';

let env: E2eEnv;
const started: Background[] = [];
const SLOW = 'test/fixtures/pipelines/slow.ts';

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => {
  for (const b of started) if (b.child.exitCode === null) b.child.kill('SIGKILL');
  await env?.close();
});

/** An environment with queues of its own, so no other worker of this file takes its tasks. */
function ownEnv(tag: string): NodeJS.ProcessEnv {
  return {
    ...env.env,
    TSFX_QUEUE_PREFIX: `${env.env.TSFX_QUEUE_PREFIX}${tag}-`,
    TSFX_COMPONENTS: 'test/fixtures/cli-components.ts',
  };
}

function background(e: NodeJS.ProcessEnv, ...args: string[]): Background {
  const b = spawnTsfx(e, ...args);
  started.push(b);
  return b;
}

async function pollers(queue: string): Promise<number> {
  const res = await env.client.workflowService.describeTaskQueue({
    namespace: env.config.temporalNamespace,
    taskQueue: { name: queue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return res.pollers?.length ?? 0;
}

async function terminate(workflowId: string): Promise<void> {
  await env.client.workflow.getHandle(workflowId).terminate('test cleanup').catch(() => undefined);
}

describe('--no-worker and --workers 0', () => {
  for (const flag of ['--no-worker', '--workers=0']) {
    it(`${flag} starts no worker in the process or beside it`, async () => {
      const e = ownEnv(flag.replace(/\W/g, ''));
      const runId = `nw-${flag.replace(/\W/g, '')}-${Date.now()}`;
      const run = background(e, 'run', SLOW, flag, '--run-id', runId);
      const handle = env.client.workflow.getHandle(workflowIdOf('slow', runId, env.store.storeId));
      try {
        await waitFor('the run to start', () => handle.describe().then(() => true, () => false));
        // give a worker, were one starting, time to poll
        await new Promise((r) => setTimeout(r, 5_000));
        expect(run.child.exitCode).toBeNull();
        // (tsx's esbuild service is a child too; a worker is `tsfx.js worker`)
        expect(childrenOf(run.child.pid!, 'tsfx.js')).toEqual([]);
        expect(await pollers(`${e.TSFX_QUEUE_PREFIX}cpu`)).toBe(0);
        expect(fs.existsSync(path.join(env.config.home, 'logs', 'worker-1.log'))).toBe(false);
        const history = await handle.fetchHistory();
        expect(history.events!.some((ev) => ev.workflowTaskStartedEventAttributes)).toBe(false);
      } finally {
        run.child.kill('SIGKILL');
        await terminate(workflowIdOf("slow", runId, env.store.storeId));
      }
    });
  }

  it('refuses --no-worker with a --workers count above 0', async () => {
    const r = await runTsfx(ownEnv('conflict'), 'run', SLOW, '--no-worker', '--workers', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--no-worker starts no worker, but --workers asks for 2/);
  });
});

describe('worker processes die with their parent', () => {
  it('kill -9 of `tsfx run --workers 2` mid-run: the child worker is gone within seconds', async () => {
    const e = { ...ownEnv('k9'), TSFX_HOME: fs.mkdtempSync(path.join(env.config.home, 'k9-')) };
    const runId = `k9-${Date.now()}`;
    const run = background(e, 'run', SLOW, '--workers', '2', '--run-id', runId, '--param', 'slow.ms=60000');
    const log = path.join(e.TSFX_HOME, 'logs', 'worker-1.log');
    const child = await waitFor('the child worker to poll', () => {
      const m = fs.existsSync(log) && /worker polling .*\(pid (\d+);/.exec(fs.readFileSync(log, 'utf8'));
      return m ? Number(m[1]) : undefined;
    });
    try {
      // mid-run: the slow node's executor is running somewhere
      await waitFor('the slow node to run', async () => /slow {2}RUNNING/.test(run.output()));
      expect(alive(child)).toBe(true);
      run.child.kill('SIGKILL');
      await run.exited;
      await waitFor(`child worker ${child} to exit`, () => !alive(child), 30_000);
    } finally {
      if (alive(child)) process.kill(child, 'SIGKILL');
      await terminate(workflowIdOf("slow", runId, env.store.storeId));
    }
  });

  it('SIGINT to `tsfx run` while its child worker starts: the child does not outlive it', async () => {
    const e = { ...ownEnv('int'), TSFX_HOME: fs.mkdtempSync(path.join(env.config.home, 'int-')) };
    const run = background(e, 'run', SLOW, '--workers', '2');
    const child = await waitFor('the child worker to be spawned', () => childrenOf(run.child.pid!, 'tsfx.js')[0], 90_000, 20);
    // to the parent only (not its process group, as a terminal's Ctrl-C would)
    run.child.kill('SIGINT');
    await run.exited;
    try {
      await waitFor(`child worker ${child} to exit`, () => !alive(child), 30_000);
    } finally {
      if (alive(child)) process.kill(child, 'SIGKILL');
    }
  });
});
