/**
 * An isolated tsfx installation per test file: its own TSFX_HOME (artifacts, sqlite), its own
 * task queues on the shared dev server, and for 'postgres' its own fresh database.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Client } from '@temporalio/client';
import { bindStore, loadConfig, type StoreConfig } from '../../src/config.js';
import type { ComponentImpl } from '../../src/dsl/component.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { MetadataStore } from '../../src/metadata/store.js';
import { connectClient } from '../../src/orchestration/client.js';
import { installRuntimeLogging, startWorkers, type QueueName, type RunningWorkers } from '../../src/orchestration/worker.js';
import { testComponents } from '../fixtures/components.js';

export type Backend = 'sqlite' | 'postgres';

export interface E2eEnv {
  /** bound to the store: `storeRoot` is where this env's artifact folders are */
  config: StoreConfig;
  env: NodeJS.ProcessEnv;
  store: MetadataStore;
  client: Client;
  address: string;
  startWorker(extra?: ComponentImpl[]): Promise<RunningWorkers>;
  /** a worker on the given queues only */
  startWorkers(opts: { queues: QueueName[]; extraComponents?: ComponentImpl[] }): Promise<RunningWorkers>;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database on the test server (or the server of `base`); returns its URL. */
export async function freshPostgresDb(base = process.env.TSFX_TEST_POSTGRES_URL): Promise<string> {
  if (!base) throw new Error('TSFX_TEST_POSTGRES_URL is not set (test/global-setup.ts sets it)');
  const name = `tsfx_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `queuePrefix`: share another env's task queues (a store-isolation test); default: queues of its own */
export async function e2eEnv(backend: Backend = 'sqlite', opts: { queuePrefix?: string } = {}): Promise<E2eEnv> {
  const address = process.env.TSFX_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TSFX_TEST_TEMPORAL_ADDRESS is not set (test/global-setup.ts sets it)');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TSFX_HOME: home,
    TEMPORAL_ADDRESS: address,
    TSFX_QUEUE_PREFIX: opts.queuePrefix ?? `t${randomBytes(3).toString('hex')}-`,
    TSFX_METADATA_URL: backend === 'postgres' ? await freshPostgresDb() : path.join(home, 'metadata.sqlite'),
  };
  const unbound = loadConfig(env);
  const store = await openMetadataStore(unbound.metadataUrl);
  const config = bindStore(unbound, store.storeId);
  const client = await connectClient(address, config.temporalNamespace);
  installRuntimeLogging('WARN', path.join(os.tmpdir(), 'tsfx-test-worker.log'));
  const workers: RunningWorkers[] = [];
  const start = async (queues: QueueName[], extraComponents: ComponentImpl[]) => {
    const w = await startWorkers({ config, address, store, queues, extraComponents });
    workers.push(w);
    return w;
  };
  return {
    config,
    env,
    store,
    client,
    address,
    startWorker: (extra = testComponents) => start(['cpu', 'gpu'], extra),
    startWorkers: ({ queues, extraComponents = testComponents }) => start(queues, extraComponents),
    async close() {
      await Promise.all(workers.map((w) => w.shutdown()));
      await client.connection.close();
      await store.close();
    },
  };
}
