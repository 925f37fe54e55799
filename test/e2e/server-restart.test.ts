/**
 * The Temporal dev server stops and comes back (same state file) in the middle of a run:
 * the worker reconnects and the run completes, each node published once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { bindStore, loadConfig, type TsfxConfig } from '../../src/config.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { MetadataStore } from '../../src/metadata/store.js';
import { startPipelineRun } from '../../src/orchestration/client.js';
import { ensureTemporal, stopDevServer } from '../../src/orchestration/dev-server.js';
import { installRuntimeLogging, startWorkers, type RunningWorkers } from '../../src/orchestration/worker.js';
import { Sleep, testComponents } from '../fixtures/components.js';

let config: TsfxConfig;
let store: MetadataStore | undefined;
let workers: RunningWorkers | undefined;

afterAll(async () => {
  await workers?.shutdown();
  await store?.close();
  if (config) await stopDevServer(config);
});

it('a run survives a dev-server restart', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-restart-'));
  const port = 28000 + Math.floor(Math.random() * 1000);
  process.env.TSFX_DEV_SERVER_PORT = String(port);
  config = loadConfig({ ...process.env, TSFX_HOME: home, TEMPORAL_ADDRESS: '' });
  const temporal = await ensureTemporal(config);
  expect(temporal.started).toBe(true);
  store = await openMetadataStore(config.metadataUrl);
  installRuntimeLogging('WARN', path.join(os.tmpdir(), 'tsfx-test-worker.log'));
  workers = await startWorkers({
    config,
    address: temporal.address,
    store,
    queues: ['cpu'],
    extraComponents: testComponents,
  });

  const attemptsFile = path.join(home, 'attempts.log');
  const pipeline = definePipeline({ name: 'restart' }, (p) => {
    const a = p.add(Sleep({ label: 'a', ms: 3_000, attemptsFile }), { id: 'a', timeouts: { heartbeatMs: 10_000 } });
    p.add(Sleep({ upstream: a.outputs.out, label: 'b', ms: 1_000, attemptsFile }), { id: 'b' });
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const handle = await startPipelineRun(client, bindStore(config, store.storeId), pipeline.compile({ root: home }));
  await connection.close();
  while (!fs.existsSync(attemptsFile)) await new Promise((r) => setTimeout(r, 50));

  await stopDevServer(config);
  const again = await ensureTemporal(config);
  expect(again.started).toBe(true);

  const connection2 = await Connection.connect({ address: again.address });
  const result = await new Client({ connection: connection2 }).workflow.getHandle(handle.workflowId).result();
  await connection2.close();
  expect(result.status).toBe('COMPLETE');
  const runId = handle.workflowId.split('/')[1]!;
  const execs = await store.listExecutions({ runId });
  expect(execs.map((e) => `${e.nodeId}:${e.state}`).sort()).toEqual(['a:COMPLETE', 'b:COMPLETE']);
  expect(await store.listArtifacts({ pipeline: 'restart' })).toHaveLength(2);
});
