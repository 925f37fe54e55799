/**
 * `tsfx run` through a Temporal outage longer than the SDK's own retries: the embedded dev
 * server is stopped for ~25 s in the middle of a slow node and started again (same state file).
 * The run's process stays up, says the server is unreachable, its in-process worker comes back,
 * the run completes and `tsfx run` exits 0.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig, type TsfxConfig } from '../../src/config.js';
import { ensureTemporal, stopDevServer } from '../../src/orchestration/dev-server.js';
import { spawnTsfx, waitFor, type Background } from '../helpers/processes.js';

let config: TsfxConfig | undefined;
let run: Background | undefined;

afterAll(async () => {
  if (run?.child.exitCode === null) run.child.kill('SIGKILL');
  if (config) await stopDevServer(config);
});

it('a run outlives a 25 s dev-server outage: tsfx run reconnects, its worker survives, exit 0', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-outage-'));
  const port = String(29000 + Math.floor(Math.random() * 1000));
  const env = {
    ...process.env,
    TSFX_HOME: home,
    TEMPORAL_ADDRESS: '',
    TSFX_DEV_SERVER_PORT: port,
    TSFX_COMPONENTS: 'test/fixtures/cli-components.ts',
  };
  config = loadConfig(env);
  process.env.TSFX_DEV_SERVER_PORT = port;
  const first = await ensureTemporal(config);
  expect(first.started).toBe(true);

  run = spawnTsfx(env, 'run', 'test/fixtures/pipelines/slow.ts', '--param', 'slow.ms=45000');
  await waitFor('the slow node to run', () => /slow {2}RUNNING/.test(run!.output()));
  const stopped = await stopDevServer(config);
  expect(stopped.stopped).toBe(true);
  await waitFor('tsfx run to say the server is unreachable', () => /Temporal .*unreachable/.test(run!.output()), 60_000);
  await new Promise((r) => setTimeout(r, 25_000));
  // still waiting, not crashed with ECONNREFUSED
  expect(run.child.exitCode, run.output()).toBeNull();
  const again = await ensureTemporal(config);
  expect(again.started).toBe(true);

  const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('still running'), 240_000))]);
  expect(code, run.output()).toBe(0);
  expect(run.output()).toMatch(/next {2}COMPLETE/);
  expect(run.output()).toMatch(/✔ run .* complete/);
}, 420_000);
