/**
 * ExampleValidator's driver on a real SQLite store: which statistics count as "the previous
 * span" (the newest of the highest earlier span, from the same StatisticsGen node, LIVE),
 * and when it does not look at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleValidatorParams } from '../../../components/example-validator/spec.js';
import { exampleValidatorDriver } from '../../../components/example-validator/driver.js';
import type { FoundArtifact } from '../../../src/dsl/component.js';
import { openMetadataStore } from '../../../src/metadata/open.js';
import type { MetadataStore } from '../../../src/metadata/store.js';
import { artifactLookup, foundArtifact } from '../../../src/orchestration/artifact-lookup.js';
import { removeTempDirs, tempDir } from '../example-gen/helpers.js';

let store: MetadataStore;
let statsRoot: string;
let runs = 0;

beforeAll(async () => {
  const dir = tempDir('ev-driver');
  statsRoot = path.join(dir, 'artifacts');
  store = await openMetadataStore(path.join(dir, 'metadata.sqlite'));
});
afterAll(async () => {
  await store.close();
  removeTempDirs();
});

/** Publish statistics as node `node` of pipeline `pipeline` would. */
async function statistics(span: number | undefined, node = 'StatisticsGen', pipeline = 'p'): Promise<FoundArtifact<'ExampleStatistics'>> {
  const runId = `run-${++runs}`;
  const exec = await store.createExecution({ type: 'StatisticsGen', pipeline, runId, nodeId: node, state: 'RUNNING', inputs: [] });
  const props = { splitNames: ['train'], ...(span === undefined ? {} : { span }) };
  const uri = path.join(statsRoot, runId);
  fs.mkdirSync(uri, { recursive: true });
  const [a] = await store.publishExecution(exec.id, [{ name: 'statistics', type: 'ExampleStatistics', uri, properties: props }]);
  return foundArtifact(a!);
}

const drive = (current: FoundArtifact<'ExampleStatistics'>, params: Record<string, unknown> = {}, previous?: FoundArtifact<'ExampleStatistics'>) =>
  exampleValidatorDriver({
    params: ExampleValidatorParams.parse(params),
    pipelineRoot: '/tmp',
    pipelineName: 'p',
    nodeId: 'ExampleValidator',
    inputs: { statistics: [current], schema: [], ...(previous ? { previousStatistics: [previous] } : {}) },
    artifacts: artifactLookup(store, { pipeline: 'p', runId: 'now', nodeId: 'ExampleValidator' }),
  });

describe('ExampleValidator driver: the previous span', () => {
  it('picks the newest statistics of the highest earlier span from the same node', async () => {
    await statistics(1);
    const twoOld = await statistics(2);
    const twoRerun = await statistics(2);
    await statistics(2, 'OtherStats');
    await statistics(3, 'StatisticsGen', 'another-pipeline');
    const four = await statistics(4);
    const later = await statistics(5);
    const current = await statistics(3);
    const r = await drive(current);
    expect(r.inputs).toEqual({ previousStatistics: [twoRerun.id] });
    expect(r.resolved).toEqual({ previous: { artifactId: twoRerun.id, span: 2 } });
    expect(r.fingerprint).toBe(`previous:${twoRerun.id}`);
    expect([twoOld.id, four.id, later.id]).not.toContain(r.inputs!.previousStatistics![0]);
  });

  it('skips artifacts no longer LIVE', async () => {
    const ten = await statistics(10);
    const nine = await statistics(9);
    await store.setArtifactState(nine.id, 'DELETED');
    const r = await drive(await statistics(11));
    expect(r.inputs).toEqual({ previousStatistics: [ten.id] });
  });

  it('skips statistics whose files are gone', async () => {
    const forty = await statistics(40);
    const fortyOne = await statistics(41);
    fs.rmSync(fortyOne.path, { recursive: true });
    const r = await drive(await statistics(42));
    expect(r.inputs).toEqual({ previousStatistics: [forty.id] });
  });

  it('does not look when turned off, when the statistics have no span, or when nothing is earlier', async () => {
    const current = await statistics(20);
    expect((await drive(current, { driftWithPreviousSpan: false })).inputs).toBeUndefined();
    expect((await drive(await statistics(undefined))).inputs).toBeUndefined();
    const first = await statistics(0, 'FreshNode');
    const r = await drive(first);
    expect(r).toEqual({ fingerprint: 'none', resolved: { previous: null } });
  });

  it('a wired previousStatistics wins and is not looked up', async () => {
    const wired = await statistics(1, 'Elsewhere');
    const r = await drive(await statistics(30), {}, wired);
    expect(r.inputs).toBeUndefined();
    expect(r.resolved).toEqual({ previous: { artifactId: wired.id, span: 1 } });
  });
});
