/**
 * Ctrl-C on `tsfx run` as a user presses it, with a real process and SIGINT: the first cancels
 * the run and the command exits with the executions recorded CANCELED (its own worker stays up
 * to process the cancel); a second one exits at once and leaves the run running, saying so.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { workflowIdOf } from '../../src/orchestration/types.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { spawnTsfx, waitFor } from '../helpers/processes.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => env?.close());

const SLOW = 'test/fixtures/pipelines/slow.ts';
const withComponents = () => ({ ...env.env, TSFX_COMPONENTS: 'test/fixtures/cli-components.ts' });
const running = (runId: string) => async () =>
  (await env.store.listExecutions({ runId })).some((x) => x.nodeId === 'slow' && x.state === 'RUNNING');

it('Ctrl-C cancels the run and exits, the executions recorded CANCELED', { timeout: 120_000 }, async () => {
  const run = spawnTsfx(withComponents(), 'run', SLOW, '--run-id', 'interrupted', '--param', 'slow.ms=60000');
  await waitFor('the slow node to run', running('interrupted'));
  run.child.kill('SIGINT');
  const code = await run.exited;
  expect(run.output()).toContain('canceling the run');
  expect(code).toBe(1);
  expect(run.output()).toMatch(/run interrupted canceled/);
  const execs = await env.store.listExecutions({ runId: 'interrupted' });
  expect(execs.map((x) => `${x.nodeId}:${x.state}`)).toEqual(['slow:CANCELED']);
  expect((await env.store.listRuns({ pipeline: 'slow' })).find((r) => r.runId === 'interrupted')?.status).toBe('CANCELED');
});

it('a second Ctrl-C leaves the run running and says so', { timeout: 120_000 }, async () => {
  const run = spawnTsfx(withComponents(), 'run', SLOW, '--run-id', 'left', '--param', 'slow.ms=60000');
  await waitFor('the slow node to run', running('left'));
  const handle = env.client.workflow.getHandle(workflowIdOf('slow', 'left', env.store.storeId));
  run.child.kill('SIGINT');
  // signals sent back to back may arrive as one: the second once the first was taken
  await waitFor('the first Ctrl-C to be taken', () => run.output().includes('canceling the run'), 30_000, 20);
  run.child.kill('SIGINT');
  expect(await run.exited).toBe(130);
  expect(run.output()).toContain('leaving the run running: `tsfx resume left`');
  // no worker is left to carry out the cancel: the run is still open, for `tsfx resume`
  const desc = await handle.describe();
  await handle.terminate('test cleanup').catch(() => undefined);
  expect(desc.status.name).toBe('RUNNING');
});
