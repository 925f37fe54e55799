/**
 * Bad input through the whole stack: the run fails with an error naming the file and where
 * in it, the failing node publishes nothing, and what was stored before stays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleGen } from '../../components/example-gen/index.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { TfRecordWriter } from '../../src/io/tfrecord.js';
import { encodeExample } from '../../src/io/tf-example.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

let env: E2eEnv;
let dataDir: string;

beforeAll(async () => {
  env = await e2eEnv('sqlite');
  await env.startWorker();
  dataDir = path.join(env.config.home, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
});
afterAll(async () => env?.close());

async function writeTfRecord(file: string, n: number): Promise<number[]> {
  const w = await TfRecordWriter.open(file);
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) {
    offsets.push(w.bytes);
    await w.write(encodeExample({ x: { kind: 'int', values: [i] }, s: { kind: 'bytes', values: [`row ${i}`] } }));
  }
  await w.close();
  return offsets;
}

const runGen = async (name: string, input: string) => {
  const pipeline = definePipeline({ name }, (p) => {
    p.add(ExampleGen({ input }), { id: 'gen', retry: { maximumAttempts: 2, initialIntervalMs: 100 } });
  });
  const handle = await startPipelineRun(env.client, env.config, pipeline.compile({ root: dataDir }));
  return watchRun(handle, () => {});
};

describe('ExampleGen on bad files, through Temporal', () => {
  it('a TFRecord with a flipped byte fails naming the file and the record offset; nothing is published', async () => {
    const file = path.join(dataDir, 'corrupt.tfrecord');
    const offsets = await writeTfRecord(file, 50);
    const bytes = fs.readFileSync(file);
    bytes[offsets[37]! + 20] ^= 0x40; // inside record 37's data
    fs.writeFileSync(file, bytes);

    const result = await runGen('corrupt', 'corrupt.tfrecord');
    expect(result.status).toBe('FAILED');
    expect(result.nodes.gen!.error).toContain('corrupt.tfrecord');
    expect(result.nodes.gen!.error).toContain(String(offsets[37]));
    expect(await env.store.listArtifacts({ pipeline: 'corrupt' })).toEqual([]);
    const [exec] = await env.store.listExecutions({ pipeline: 'corrupt' });
    expect(exec!.state).toBe('FAILED');
    // its output was reserved and never filled: no folder at the reserved artifact's URI
    const [reserved] = await env.store.listArtifacts({ pipeline: 'corrupt', state: 'PENDING' });
    expect(reserved?.name).toBe('gen.examples');
    expect(fs.existsSync(reserved!.uri)).toBe(false);
  });

  it('a corrupt last file after shards were already streamed out: the error names it, nothing is published or left', async () => {
    await writeTfRecord(path.join(dataDir, 'many-a.tfrecord'), 400);
    await writeTfRecord(path.join(dataDir, 'many-b.tfrecord'), 400);
    const last = path.join(dataDir, 'many-c.tfrecord');
    const offsets = await writeTfRecord(last, 400);
    const bytes = fs.readFileSync(last);
    bytes[offsets[390]! + 20] ^= 0x40;
    fs.writeFileSync(last, bytes);

    const pipeline = definePipeline({ name: 'streamed' }, (p) => {
      // 50 rows a shard: a and b fill shards before c is read
      p.add(ExampleGen({ input: 'many-*.tfrecord', rowsPerShard: 50 }), { id: 'gen', retry: { maximumAttempts: 1 } });
    });
    const result = await watchRun(await startPipelineRun(env.client, env.config, pipeline.compile({ root: dataDir })), () => {});
    expect(result.status).toBe('FAILED');
    expect(result.nodes.gen!.error).toContain(`${last} record 390 at byte ${offsets[390]}`);
    expect(await env.store.listArtifacts({ pipeline: 'streamed' })).toEqual([]);
    const [exec] = await env.store.listExecutions({ pipeline: 'streamed' });
    expect(exec!.state).toBe('FAILED');
    // its output was reserved and never filled: no folder at the reserved artifact's URI
    const [reserved] = await env.store.listArtifacts({ pipeline: 'streamed', state: 'PENDING' });
    expect(reserved?.name).toBe('gen.examples');
    expect(fs.existsSync(reserved!.uri)).toBe(false);
  });

  it('a ragged CSV row fails naming the file and line, and earlier artifacts stay', async () => {
    fs.writeFileSync(path.join(dataDir, 'good.csv'), 'a,b\n1,x\n2,y\n');
    const good = await runGen('csv', 'good.csv');
    expect(good.status).toBe('COMPLETE');
    const kept = good.nodes.gen!.outputs!.examples!;

    fs.writeFileSync(path.join(dataDir, 'good.csv'), 'a,b\n1,x\n2,y,extra\n3,z\n');
    const bad = await runGen('csv', 'good.csv');
    expect(bad.status).toBe('FAILED');
    expect(bad.nodes.gen!.error).toMatch(/good\.csv.*line 3/);
    const artifact = await env.store.getArtifact(kept);
    expect(artifact?.state).toBe('LIVE');
    expect(fs.existsSync(artifact!.uri)).toBe(true);
    expect(await env.store.listArtifacts({ pipeline: 'csv' })).toHaveLength(1);
  });
});
