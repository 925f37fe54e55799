/**
 * Services the integration tests share: one Temporal dev server (on a port of this checkout's, state under
 * .tsfx/test) and, unless TSFX_TEST_POSTGRES_URL is given, a PostgreSQL from scripts/postgres.sh.
 * Test files isolate themselves with their own task queues, TSFX_HOME and databases.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { TsfxError } from '../src/errors.js';
import { ensureTemporal, stopDevServer } from '../src/orchestration/dev-server.js';

const home = path.resolve('.tsfx/test-services');

/** Ports derived from the checkout's path, so two clones on one machine don't share servers. */
function portFor(base: number): string {
  const h = createHash('sha256').update(path.resolve('.')).digest().readUInt16BE(0);
  return String(base + (h % 900));
}

export default async function setup(): Promise<() => Promise<void>> {
  process.env.TSFX_DEV_SERVER_PORT ??= portFor(27000);
  process.env.PGPORT ??= portFor(54000);
  const config = loadConfig({
    ...process.env,
    TSFX_HOME: home,
    TEMPORAL_ADDRESS: process.env.TSFX_TEST_TEMPORAL_ADDRESS ?? '',
  });
  const log = (s: string) => console.log(`[setup] ${s}`);
  const temporal = await ensureTemporal(config, { log }).catch(async (err: unknown) => {
    // a test server left running from before on another port (ports follow the checkout)
    if (!(err instanceof TsfxError) || !err.message.includes('stop it first')) throw err;
    await stopDevServer(config);
    return ensureTemporal(config, { log });
  });
  process.env.TSFX_TEST_TEMPORAL_ADDRESS = temporal.address;
  if (!process.env.TSFX_TEST_POSTGRES_URL) {
    const out = execFileSync('bash', ['scripts/postgres.sh', 'start'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.env.TSFX_TEST_POSTGRES_URL = out.trim().split('\n').pop()!;
  }
  return async () => {
    if (temporal.started) await stopDevServer(config);
  };
}
