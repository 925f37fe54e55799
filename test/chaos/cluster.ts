/**
 * The processes the chaos suite disturbs, all its own (so restarting them never touches the
 * servers other test files share): a Temporal dev server on a port of its own, a PostgreSQL
 * cluster of its own (scripts/postgres.sh with its own home and port), and two tsfx homes on
 * them, one on SQLite and one on PostgreSQL, sharing one artifact root, each with worker
 * processes (`tsfx worker`) that faults kill, pause and replace.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bindStore, loadConfig, type StoreConfig, type TsfxConfig } from '../../src/config.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { MetadataStore } from '../../src/metadata/store.js';
import { ensureTemporal, stopDevServer } from '../../src/orchestration/dev-server.js';
import { livePid } from '../../src/orchestration/dev-server-process.js';
import { statePaths } from '../../src/config.js';
import { freshPostgresDb } from '../helpers/e2e.js';

export interface Worker {
  child: ChildProcess;
  log: string;
  paused: boolean;
}

export interface Home {
  name: string;
  env: NodeJS.ProcessEnv;
  config: StoreConfig;
  store: MetadataStore;
  workers: Worker[];
}

export interface Cluster {
  dir: string;
  address: string;
  artifactRoot: string;
  homes: Home[];
  /** replace dead workers so each home has `perHome` live ones */
  refill(): Promise<void>;
  restartDevServer(downMs: number, hard: boolean): Promise<void>;
  restartPostgres(downMs: number): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BIN = path.resolve('bin/tsfx.js');

export async function startCluster(dir: string, ports: { temporal: number; postgres: number }, perHome = 2): Promise<Cluster> {
  fs.mkdirSync(dir, { recursive: true });
  const serverHome = path.join(dir, 'server');
  const serverConfig: TsfxConfig = { ...loadConfig({ TSFX_HOME: serverHome }), temporalAddress: undefined };
  process.env.TSFX_DEV_SERVER_PORT = String(ports.temporal);
  const { address } = await ensureTemporal(serverConfig, { log: () => {} });

  // durable commits: a crash must not take back what the store acknowledged
  const pgEnv = { ...process.env, TSFX_HOME: path.join(dir, 'pg'), PGPORT: String(ports.postgres), PG_SYNCHRONOUS_COMMIT: 'on' };
  const pgScript = (cmd: string) =>
    execFileSync('bash', ['scripts/postgres.sh', cmd], { env: pgEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const pgUrl = pgScript('start').trim().split('\n').pop()!;
  const dbUrl = await freshPostgresDb(pgUrl);

  const artifactRoot = path.join(dir, 'artifacts');
  const homes: Home[] = [];
  for (const [name, metadataUrl] of [
    ['sqlite', path.join(dir, 'sqlite', 'metadata.sqlite')],
    ['postgres', dbUrl],
  ] as const) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TSFX_HOME: path.join(dir, name),
      TEMPORAL_ADDRESS: address,
      TSFX_METADATA_URL: metadataUrl,
      TSFX_ARTIFACT_ROOT: artifactRoot,
    };
    delete env.TSFX_QUEUE_PREFIX; // the store's own queues: two stores on one server
    const unbound = loadConfig(env);
    const store = await openMetadataStore(unbound.metadataUrl);
    homes.push({ name, env, config: bindStore(unbound, store.storeId), store, workers: [] });
  }

  let spawned = 0;
  const spawnWorker = async (home: Home): Promise<void> => {
    const log = path.join(dir, 'logs', `${home.name}-worker-${++spawned}.log`);
    fs.mkdirSync(path.dirname(log), { recursive: true });
    const fd = fs.openSync(log, 'w');
    const child = spawn(process.execPath, [BIN, 'worker', '--queues', 'cpu'], {
      env: home.env,
      stdio: ['ignore', fd, fd],
    });
    fs.closeSync(fd);
    const worker = { child, log, paused: false };
    home.workers.push(worker);
    child.once('exit', () => (home.workers = home.workers.filter((w) => w !== worker)));
    const deadline = Date.now() + 60_000;
    while (!fs.readFileSync(log, 'utf8').includes('worker polling')) {
      if (child.exitCode !== null) throw new Error(`chaos worker exited with ${child.exitCode}: ${fs.readFileSync(log, 'utf8')}`);
      if (Date.now() > deadline) throw new Error(`chaos worker did not start polling; see ${log}`);
      await sleep(100);
    }
  };

  const refill = async () => {
    for (const home of homes) while (home.workers.length < perHome) await spawnWorker(home);
  };
  await refill();

  return {
    dir,
    address,
    artifactRoot,
    homes,
    refill,
    async restartDevServer(downMs, hard) {
      if (hard) {
        const pid = livePid(statePaths(serverHome).temporalPid);
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
        while (pid !== undefined && livePid(statePaths(serverHome).temporalPid) !== undefined) await sleep(50);
      } else {
        await stopDevServer(serverConfig);
      }
      await sleep(downMs);
      await ensureTemporal(serverConfig, { log: () => {} });
    },
    async restartPostgres(downMs) {
      pgScript('kill');
      await sleep(downMs);
      pgScript('start');
    },
    async close() {
      for (const home of homes) {
        for (const w of home.workers) {
          if (w.paused) w.child.kill('SIGCONT');
          w.child.kill('SIGKILL');
        }
        await home.store.close();
      }
      await stopDevServer(serverConfig);
      pgScript('stop');
    },
  };
}
