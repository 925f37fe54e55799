/**
 * What a node costs the orchestration: a chain of no-op components (driver -> executor ->
 * publisher, three activities each, plus metadata writes) run through a real dev server and
 * worker, against the same executors called directly in this process. Prints figures only.
 *
 *   node --import tsx bench/orchestration-overhead.ts [--nodes 20] [--repeats 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bindStore, loadConfig } from '../src/config.js';
import { definePipeline } from '../src/dsl/pipeline.js';
import { openMetadataStore } from '../src/metadata/open.js';
import { connectClient, startPipelineRun, watchRun } from '../src/orchestration/client.js';
import { ensureTemporal } from '../src/orchestration/dev-server.js';
import { installRuntimeLogging, startWorkers } from '../src/orchestration/worker.js';
import { table } from '../src/cli/format.js';
import { Sleep, sleepComponent, testComponents } from '../test/fixtures/components.js';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '20' }, repeats: { type: 'string', default: '3' } } });
const nodes = Number(values.nodes);
const repeats = Number(values.repeats);

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-bench-'));
const unbound = loadConfig({ ...process.env, TSFX_HOME: home, TSFX_QUEUE_PREFIX: `bench${process.pid}-` });
// the dev server itself lives in the project's state folder like `tsfx run`'s does
const temporal = await ensureTemporal({ ...unbound, home: loadConfig().home });
const store = await openMetadataStore(unbound.metadataUrl);
const config = bindStore(unbound, store.storeId);
installRuntimeLogging('WARN', path.join(home, 'worker.log'));
const workers = await startWorkers({ config, address: temporal.address, store, queues: ['cpu'], extraComponents: testComponents });
const client = await connectClient(temporal.address, config.temporalNamespace);

const chain = (n: number) =>
  definePipeline({ name: `chain${n}` }, (p) => {
    let prev = p.add(Sleep({ label: 'n0' }), { id: 'n0' });
    for (let i = 1; i < n; i++) prev = p.add(Sleep({ upstream: prev.outputs.out, label: `n${i}` }), { id: `n${i}` });
  });

async function timeRun(n: number, noCache: boolean): Promise<number> {
  const start = performance.now();
  const handle = await startPipelineRun(client, config, chain(n).compile({ root: home }), { noCache });
  const result = await watchRun(handle, () => {}, 5_000);
  if (result.status !== 'COMPLETE') throw new Error(`bench run failed: ${JSON.stringify(result)}`);
  return performance.now() - start;
}

async function directCalls(n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const dir = fs.mkdtempSync(path.join(home, 'direct-'));
    await sleepComponent.executor({
      inputs: { upstream: [] },
      outputs: { out: { type: 'ExternalArtifact', uri: dir, path: dir } },
      params: { ms: 0, label: `n${i}`, fail: 'never' },
      resolved: undefined,
      ctx: { pipelineName: 'direct', nodeId: `n${i}`, executionId: i, pipelineRoot: home, workDir: path.join(home, '_work', String(i)), heartbeat() {}, log() {}, signal: new AbortController().signal },
    });
  }
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await timeRun(1, true); // warm-up: workflow bundle, connections, sqlite pages
const one: number[] = [];
const many: number[] = [];
const cached: number[] = [];
for (let r = 0; r < repeats; r++) {
  one.push(await timeRun(1, true));
  many.push(await timeRun(nodes, true));
  cached.push(await timeRun(nodes, false));
}
const direct = await directCalls(nodes);
const perNode = (median(many) - median(one)) / (nodes - 1);
const perCached = (median(cached) - median(one)) / (nodes - 1);
console.log(`orchestration overhead: chain of ${nodes} no-op nodes, median of ${repeats} (metadata: sqlite, dev server ${temporal.address})\n`);
console.log(
  table(
    ['case', 'total ms', 'per node ms'],
    [
      ['1 node, executed', median(one).toFixed(0), ''],
      [`${nodes} nodes, executed`, median(many).toFixed(0), perNode.toFixed(1)],
      [`${nodes} nodes, all cached`, median(cached).toFixed(0), perCached.toFixed(1)],
      [`${nodes} executors called directly`, direct.toFixed(1), (direct / nodes).toFixed(2)],
    ],
  ),
);
console.log(`\nper-node overhead / direct executor call: ${(perNode / (direct / nodes)).toFixed(0)}x`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await workers.shutdown();
await client.connection.close();
await store.close();
