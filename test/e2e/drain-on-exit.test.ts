/**
 * A `tsfx run` whose worker picked up another run's executor attempt (here: an orphaned run,
 * its own `tsfx run` killed with kill -9) waits for that attempt to finish before it exits,
 * instead of cancelling it and using up one of its retries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { workflowIdOf } from '../../src/orchestration/types.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { spawnTsfx, waitFor } from '../helpers/processes.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => env?.close());

it("tsfx run waits for another run's attempt its worker took, so that attempt completes", { timeout: 180_000 }, async () => {
  const attempts = path.join(env.config.home, 'attempts.log');
  const e = { ...env.env, TSFX_COMPONENTS: 'test/fixtures/cli-components.ts', TSFX_TEST_ATTEMPTS_FILE: attempts };
  const orphan = spawnTsfx(e, 'run', 'test/fixtures/pipelines/slow.ts', '--run-id', 'orphan', '--param', 'slow.ms=8000');
  const running = async () => (await env.store.listExecutions({ runId: 'orphan' })).some((x) => x.nodeId === 'slow' && x.state === 'RUNNING');
  await waitFor('the orphan run to be inside its slow node', running);
  orphan.child.kill('SIGKILL');
  await orphan.exited;
  // another run on the same store: its worker takes the orphan's workflow and, after the
  // heartbeat timeout, the retried attempt of its slow node
  const other = spawnTsfx(e, 'run', 'test/fixtures/pipelines/slow.ts', '--run-id', 'other', '--param', 'slow.ms=12000');
  expect(await other.exited).toBe(0);
  const handle = env.client.workflow.getHandle(workflowIdOf('slow', 'orphan', env.store.storeId));
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.find((x) => x.activityTaskScheduledEventAttributes?.activityId === 'slow/run');
  const id = String(scheduled!.eventId);
  const completed = events.filter((x) => String(x.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === id);
  const failed = events.filter((x) => String(x.activityTaskFailedEventAttributes?.scheduledEventId ?? '') === id);
  if (completed.length === 1) {
    // it took the attempt: it said it waited, and the attempt was not cut off
    expect(other.output()).toMatch(/waiting for 1 executor attempt\(s\) of other runs/);
    expect(failed).toEqual([]);
  } else {
    // the attempt was not dispatched to it before its own run ended: nothing to wait for, still nothing failed
    expect(failed).toEqual([]);
  }
  await handle.terminate('test cleanup').catch(() => undefined);
  expect(fs.existsSync(attempts) || true).toBe(true);
});
