/**
 * kill -9 of `tsfx run` mid-run leaves its run open in Temporal with no worker: `tsfx runs`
 * says so ("RUNNING (no worker)" and a hint), and `tsfx resume <run>` starts a worker, follows
 * the run with the progress view and exits 0 when it completes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { runTsfx } from '../helpers/cli.js';
import { spawnTsfx, waitFor, type Background } from '../helpers/processes.js';

let env: E2eEnv;
let run: Background | undefined;

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => {
  if (run?.child.exitCode === null) run.child.kill('SIGKILL');
  await env?.close();
});

it('a killed run shows as RUNNING (no worker) and `tsfx resume` takes it to the end', async () => {
  const e = { ...env.env, TSFX_COMPONENTS: 'test/fixtures/cli-components.ts' };
  const runId = `resume-${Date.now()}`;
  run = spawnTsfx(e, 'run', 'test/fixtures/pipelines/slow.ts', '--run-id', runId, '--param', 'slow.ms=8000');
  await waitFor('the slow node to run', () => /slow {2}RUNNING/.test(run!.output()), 90_000).catch((err: Error) => {
    throw new Error(`${err.message}; output:\n${run!.output()}`);
  });
  run.child.kill('SIGKILL');
  await run.exited;

  type Row = { runId: string; status: string; noWorker?: boolean };
  const row = async () => (JSON.parse((await runTsfx(e, 'runs', '--json')).stdout) as Row[]).find((r) => r.runId === runId);
  // Temporal lists a dead poller until it has missed a long poll (about a minute)
  const stuck = await waitFor('the run to show no worker', async () => ((await row())?.noWorker ? row() : undefined), 240_000, 5_000);
  expect(stuck).toMatchObject({ status: 'RUNNING', noWorker: true });
  const table = await runTsfx(e, 'runs');
  expect(table.stdout).toMatch(new RegExp(`${runId}\\s+RUNNING \\(no worker\\)`));
  expect(table.stdout).toContain(`tsfx resume ${runId}`);

  const resumed = await runTsfx(e, 'resume', runId);
  expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
  expect(resumed.stdout).toContain(`resuming slow/${runId}`);
  expect(resumed.stdout).toMatch(/next {2}COMPLETE/);
  expect(resumed.stdout).toMatch(new RegExp(`✔ run ${runId} complete`));
  expect(await row()).toMatchObject({ status: 'COMPLETE' });
  expect((await row())?.noWorker).toBeUndefined();

  // a run that is not open is refused
  const again = await runTsfx(e, 'resume', runId);
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/is not running \(COMPLETED\)/);
}, 420_000);
