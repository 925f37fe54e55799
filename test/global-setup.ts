/**
 * Services the integration tests share: one Temporal dev server (on its own port, state under
 * .tsfx/test) and, unless TSFX_TEST_POSTGRES_URL is given, a PostgreSQL from scripts/postgres.sh.
 * Test files isolate themselves with their own task queues, TSFX_HOME and databases.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { ensureTemporal, stopDevServer } from '../src/orchestration/dev-server.js';

const home = path.resolve('.tsfx/test-services');

export default async function setup(): Promise<() => Promise<void>> {
  process.env.TSFX_DEV_SERVER_PORT ??= '27233';
  const config = loadConfig({ ...process.env, TSFX_HOME: home, TEMPORAL_ADDRESS: process.env.TSFX_TEST_TEMPORAL_ADDRESS ?? '' });
  const temporal = await ensureTemporal(config, { log: (s) => console.log(`[setup] ${s}`) });
  process.env.TSFX_TEST_TEMPORAL_ADDRESS = temporal.address;
  if (!process.env.TSFX_TEST_POSTGRES_URL) {
    const out = execFileSync('bash', ['scripts/postgres.sh', 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.env.TSFX_TEST_POSTGRES_URL = out.trim().split('\n').pop()!;
  }
  return async () => {
    if (temporal.started) await stopDevServer(config);
  };
}
