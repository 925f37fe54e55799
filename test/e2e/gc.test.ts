/**
 * `tsfx gc` as a user runs it, on real runs of pipelines/penguin-curated.ts: old runs' own
 * artifacts go (rows and files), the kept run's whole lineage stays (what it reused from an old
 * run through the cache included), an ExternalArtifact's user file is never touched, the cache
 * still tells truth afterwards, a dry run changes nothing and a RUNNING run makes gc refuse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insideRoot, leftoverShards } from '../../src/artifacts/gc-files.js';
import { artifactUri } from '../../src/artifacts/local-store.js';
import type { LineageNode } from '../../src/metadata/store.js';
import { runTsfx } from '../helpers/cli.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

let env: E2eEnv;
const tsfx = (...args: string[]) => runTsfx(env.env, ...args);
const PIPELINE = 'pipelines/penguin-curated.ts';

interface RunResult {
  runId: string;
  nodes: Record<string, { status: string; outputs: Record<string, number> }>;
}

async function run(...args: string[]): Promise<RunResult> {
  const r = await tsfx('run', PIPELINE, '--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as RunResult;
}

const flatten = (n: LineageNode): number[] => [
  n.artifact.id,
  ...n.executions.flatMap((e) => e.artifacts.flatMap(flatten)),
];

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => env?.close());

describe('tsfx gc', () => {
  let userSchema: string;
  let a: RunResult, b: RunResult, c: RunResult;
  let shards: string;
  let shardsKept: string;
  const plantShards = (executionId: number) => {
    const dir = path.join(env.config.storeRoot, 'penguin-curated', 'StatisticsGen', '_shards', String(executionId));
    fs.mkdirSync(path.join(dir, '0'), { recursive: true });
    fs.writeFileSync(path.join(dir, '0', 'partial.bin'), Buffer.alloc(1000));
    return dir;
  };

  it('runs the pipeline three times: two without the cache, then one that reuses part of the second', async () => {
    // run a imports a user's own copy of the schema: an ExternalArtifact only run a uses
    userSchema = path.join(env.config.home, 'user', 'schema-a.pbtxt');
    fs.mkdirSync(path.dirname(userSchema), { recursive: true });
    fs.copyFileSync('pipelines/schema/penguin.pbtxt', userSchema);
    a = await run('--no-cache', '--run-id', 'a', '--param', `ImportSchemaGen.schemaFile=${userSchema}`);
    b = await run('--no-cache', '--run-id', 'b');
    c = await run('--run-id', 'c', '--param', 'StatisticsGen.numTopValues=21');
    expect(c.nodes.ExampleGen!.status).toBe('CACHED');
    expect(c.nodes.ExampleGen!.outputs.examples).toBe(b.nodes.ExampleGen!.outputs.examples);
    expect(c.nodes.ImportSchemaGen!.status).toBe('CACHED');
    expect(c.nodes.StatisticsGen!.status).toBe('COMPLETE');
  });

  it('--dry-run says what would go and changes nothing', async () => {
    // what failed fanned-out attempts leave behind: of an execution gc deletes, and of one it keeps
    const statsA = (await env.store.listExecutions({ runId: 'a', nodeId: 'StatisticsGen' }))[0]!;
    const statsC = (await env.store.listExecutions({ runId: 'c', nodeId: 'StatisticsGen' }))[0]!;
    shards = plantShards(statsA.id);
    shardsKept = plantShards(statsC.id);
    const before = await env.store.listArtifacts();
    const r = await tsfx('gc', '--keep-runs', '1', '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({ dryRun: true, artifacts: 7, executions: 7, runs: 1, shardFolders: 2 });
    expect(s.bytes).toBeGreaterThan(2000);
    expect(await env.store.listArtifacts()).toEqual(before);
    expect(fs.existsSync(shards) && fs.existsSync(shardsKept)).toBe(true);
    for (const x of before) expect(fs.existsSync(x.uri), x.uri).toBe(true);
    const text = await tsfx('gc', '--keep-runs', '1', '--dry-run');
    expect(text.stdout).toMatch(
      /would remove 7 artifacts, 7 executions, 1 run; would free \S+B in \d+ folders \(2 leftover _shards\)/,
    );
  });

  it("removes the old runs' own artifacts, keeps the kept run's lineage whole, leaves the user's file alone", async () => {
    const before = await env.store.listArtifacts();
    const r = await tsfx('gc', '--keep-runs', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kept 1 run of penguin-curated: c');
    expect(r.stdout).toMatch(/removed 7 artifacts, 7 executions, 1 run; freed \S+B/);
    expect(r.stdout).toContain(userSchema);

    const after = new Map((await env.store.listArtifacts()).map((x) => [x.id, x]));
    const ownOf = (x: RunResult, ...nodes: string[]) => nodes.map((n) => Object.values(x.nodes[n]!.outputs)[0]!);
    const gone = [
      ...ownOf(a, 'ExampleGen', 'StatisticsGen', 'ImportSchemaGen', 'ExampleValidator'),
      ...ownOf(b, 'StatisticsGen', 'ExampleValidator'),
    ];
    for (const id of gone) {
      expect(after.has(id), `artifact ${id}`).toBe(false);
      expect(fs.existsSync(before.find((x) => x.id === id)!.uri)).toBe(false);
    }
    // the ExternalArtifact only run a used: its row is gone, the user's file is not
    const external = before.find((x) => x.type === 'ExternalArtifact' && x.uri === userSchema)!;
    expect(after.has(external.id)).toBe(false);
    expect(fs.readFileSync(userSchema, 'utf8')).toBe(fs.readFileSync('pipelines/schema/penguin.pbtxt', 'utf8'));
    expect(fs.existsSync(shards) || fs.existsSync(shardsKept)).toBe(false);

    // everything upstream of the kept run's anomalies is there, rows and files, b's reused Examples included
    const upstream = await env.store.lineage(c.nodes.ExampleValidator!.outputs.anomalies!, 'upstream');
    const reached = flatten(upstream);
    expect(reached).toContain(b.nodes.ExampleGen!.outputs.examples);
    expect(reached).toContain(b.nodes.ImportSchemaGen!.outputs.schema);
    for (const id of reached) {
      const x = after.get(id);
      expect(x, `artifact ${id}`).toBeDefined();
      expect(fs.existsSync(x!.uri), x!.uri).toBe(true);
    }
    expect((await env.store.listRuns()).map((x) => x.runId)).toEqual(['c', 'b']);
  });

  it('the cache still tells truth: a node whose cached outputs were collected runs again', async () => {
    const d = await run('--run-id', 'd');
    expect(d.nodes.ExampleGen!.status).toBe('CACHED');
    expect(d.nodes.ExampleGen!.outputs.examples).toBe(b.nodes.ExampleGen!.outputs.examples);
    // default params: only runs a and b made these statistics, and both are collected
    expect(d.nodes.StatisticsGen!.status).toBe('COMPLETE');
    expect(fs.existsSync((await env.store.getArtifact(d.nodes.StatisticsGen!.outputs.statistics!))!.uri)).toBe(true);
  });

  it('refuses while a run of the pipeline is RUNNING, and changes nothing', async () => {
    const running = await env.store.createExecution({
      type: 'ExampleGen',
      pipeline: 'penguin-curated',
      runId: 'e',
      nodeId: 'ExampleGen',
      state: 'RUNNING',
      inputs: [],
    });
    const before = await env.store.listArtifacts();
    const r = await tsfx('gc', '--keep-runs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RunningRunsError: penguin-curated\/e is RUNNING.*--force/);
    expect(await env.store.listArtifacts()).toEqual(before);
    const bad = await tsfx('gc', '--keep-runs', 'two');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--keep-runs takes a whole number/);

    // forced: the running run is the newest, kept; its execution and its shards stay
    const runningShards = plantShards(running.id);
    const forced = await tsfx('gc', '--keep-runs', '1', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/RUNNING \(forced\): penguin-curated\/e/);
    expect(fs.existsSync(runningShards)).toBe(true);
    expect((await env.store.getExecution(running.id))?.state).toBe('RUNNING');
    // the checked-in schema's ExternalArtifact is collected now too: its row goes, the file stays
    const checkedIn = path.resolve('pipelines/schema/penguin.pbtxt');
    expect(forced.stdout).toContain(checkedIn);
    expect(fs.existsSync(checkedIn)).toBe(true);
  });

  it("removes a failed execution's reserved (PENDING) artifact: its row, and the folder a killed commit half filled", async () => {
    const failed = await env.store.createExecution({
      type: 'Sleep',
      pipeline: 'penguin-curated',
      runId: 'f',
      nodeId: 'Extra',
      state: 'RUNNING',
      inputs: [],
      outputs: [{ name: 'out', type: 'ExternalArtifact', uriOf: (id) => artifactUri(env.config.storeRoot, 'penguin-curated', 'Extra', 'out', id) }],
    });
    const reserved = (await env.store.reservedOutputs(failed.id))[0]!.artifact;
    fs.mkdirSync(reserved.uri, { recursive: true });
    fs.writeFileSync(path.join(reserved.uri, 'part.bin'), Buffer.alloc(100));
    // while its execution runs, the reservation and its folder are kept
    expect((await tsfx('gc', '--keep-runs', '5', '--force')).code).toBe(0);
    expect(fs.existsSync(reserved.uri)).toBe(true);
    await env.store.updateExecution(failed.id, { state: 'FAILED' });
    const live = await env.store.listArtifacts();
    const r = await tsfx('gc', '--keep-runs', '5', '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(await env.store.getArtifact(reserved.id)).toBeUndefined();
    expect(fs.existsSync(reserved.uri)).toBe(false);
    // the failed execution stays with its (kept) run; nothing LIVE went
    expect((await env.store.getExecution(failed.id))?.state).toBe('FAILED');
    expect(await env.store.listArtifacts()).toEqual(live);
  });
});

describe('gc file safety', () => {
  it('removes nothing outside the artifact root, also through a linked folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-gc-files-'));
    const root = path.join(dir, 'artifacts');
    const outside = path.join(dir, 'user');
    fs.mkdirSync(path.join(root, 'p', 'n', '_shards', '7'), { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
    fs.symlinkSync(outside, path.join(root, 'p', 'link'));
    expect(await insideRoot(root, path.join(root, 'p', 'n', '_shards', '7'))).toBe(true);
    expect(await insideRoot(root, path.join(root, 'p', 'n', 'gone', '1'))).toBe(false);
    expect(await insideRoot(root, root)).toBe(false);
    expect(await insideRoot(root, path.join(root, '..', 'user'))).toBe(false);
    expect(await insideRoot(root, path.join(root, 'p', 'link', 'file'))).toBe(false);
    const open = await leftoverShards(root, undefined, async () => true);
    const closed = await leftoverShards(root, ['p'], async () => false);
    expect([open.length, closed.map((s) => path.relative(root, s.path))]).toEqual([
      0,
      [path.join('p', 'n', '_shards', '7')],
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
