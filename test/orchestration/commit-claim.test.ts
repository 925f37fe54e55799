/**
 * An execution's outputs go to one folder per artifact, named by the id prepareNode reserved,
 * and move in after the attempt claims the execution (src/artifacts/commit-claim.ts). Attempts
 * run through the real activity adapter in Temporal's activity context, on a real SQLite store
 * and real folders. A kill between the claim and the renames is reproduced on disk as it is
 * left: the claim in place, the outputs still in the claim's staging folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readClaim } from '../../src/artifacts/commit-claim.js';
import { claimPath } from '../../src/artifacts/local-store.js';
import { defaultRetry, defaultTimeouts, defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { MetadataStore } from '../../src/metadata/store.js';
import { createActivities } from '../../src/orchestration/activities.js';
import type { ActivityDeps } from '../../src/orchestration/activity-deps.js';
import { runComponentAdapter } from '../../src/orchestration/run-component.js';
import type { PrepareNodeResult, RunComponentInput, RunComponentResult } from '../../src/orchestration/types.js';

/** Where each attempt waits after writing its outputs, until the test lets it commit. */
const holds = new Map<string, { written: () => void; release: Promise<void> }>();

const pairSpec = {
  name: 'PairWriter',
  version: '1',
  queue: 'cpu' as const,
  retry: defaultRetry,
  timeouts: defaultTimeouts,
  inputs: {},
  outputs: { left: 'ExternalArtifact' as const, right: 'ExternalArtifact' as const },
  params: z.object({}),
};
const pair: ComponentImpl<typeof pairSpec> = {
  spec: pairSpec,
  async executor({ outputs, ctx }) {
    const attempt = Context.current().info.attempt;
    for (const side of ['left', 'right'] as const)
      fs.writeFileSync(path.join(outputs[side].path, 'value.txt'), `${side} of attempt ${attempt}`);
    const hold = holds.get(`${ctx.executionId}/${attempt}`);
    if (hold) {
      hold.written();
      await hold.release;
    }
    return { left: { attempt }, right: { attempt } };
  },
};
const PairWriter = defineComponent(pairSpec);

let home: string;
let store: MetadataStore;
let deps: ActivityDeps;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-claims-'));
  store = await openMetadataStore(path.join(home, 'metadata.sqlite'));
  deps = { store, storeRoot: path.join(home, 'artifacts', store.storeId), components: new Map([[pairSpec.name, pair as ComponentImpl]]) };
});
afterAll(async () => {
  await store?.close();
});

const attemptEnv = (attempt: number) => new MockActivityEnvironment({ attempt });

async function prepared(pipeline: string) {
  const spec = definePipeline({ name: pipeline }, (p) => void p.add(PairWriter({}), { id: 'w' })).compile({ root: home });
  const node = spec.nodes[0]!;
  const base = { storeId: store.storeId, pipeline, runId: 'r1', root: home, node };
  const prep: PrepareNodeResult = await attemptEnv(1).run(createActivities(deps).prepareNode, { ...base, inputs: {}, useCache: false });
  if (prep.kind !== 'run') throw new Error('expected a run');
  const run: RunComponentInput = { ...base, executionId: prep.executionId, inputs: {} };
  return { run, reserved: prep.outputs!, nodeDir: path.join(deps.storeRoot, pipeline, 'w') };
}

const read = (dir: string) => fs.readFileSync(path.join(dir, 'value.txt'), 'utf8');
const stagingOf = (nodeDir: string) => (fs.existsSync(path.join(nodeDir, '.staging')) ? fs.readdirSync(path.join(nodeDir, '.staging')) : []);

/** The on-disk state of an attempt killed right after its claim: each output back in the claim's staging folder. */
async function undoRenames(run: RunComponentInput, which: string[]): Promise<void> {
  const claim = (await readClaim(claimPath(deps.storeRoot, run.pipeline, run.node.id, run.executionId)))!;
  for (const name of which) fs.renameSync(claim.outputs[name]!, path.join(claim.staging, name));
}

describe('reserved output artifacts', () => {
  it("prepareNode reserves one PENDING artifact per output, in a folder named by its id; listings don't show them", async () => {
    const { run, reserved, nodeDir } = await prepared('reserve');
    expect(Object.keys(reserved).sort()).toEqual(['left', 'right']);
    for (const [name, id] of Object.entries(reserved)) {
      const a = (await store.getArtifact(id))!;
      expect(a).toMatchObject({ state: 'PENDING', name: `w.${name}`, uri: path.join(nodeDir, name, String(id)) });
    }
    expect(await store.listArtifacts({ pipeline: 'reserve' })).toEqual([]);
    expect((await store.listArtifacts({ pipeline: 'reserve', state: 'PENDING' })).map((a) => a.id).sort()).toEqual(
      Object.values(reserved).sort(),
    );
    const done: RunComponentResult = await attemptEnv(1).run(runComponentAdapter, deps, run);
    const { outputs } = await createActivities(deps).publishNode({ ...run, properties: done.properties, attempt: done.attempt });
    expect(outputs).toEqual(reserved);
    const left = (await store.getArtifact(reserved.left!))!;
    expect(left).toMatchObject({ state: 'LIVE', properties: { attempt: 1 } });
    expect(read(left.uri)).toBe('left of attempt 1');
    expect((await store.eventsOfExecution(run.executionId)).map((e) => e.type)).toEqual(['OUTPUT', 'OUTPUT']);
    expect(await store.reservedOutputs(run.executionId)).toEqual([]);
  });
});

describe('claiming an execution', () => {
  it('two attempts racing to commit: one claim wins, both report it, and only its files are in place', async () => {
    const { run, reserved, nodeDir } = await prepared('race');
    const waits = [1, 2].map((attempt) => {
      let written!: () => void;
      let release!: () => void;
      const wrote = new Promise<void>((r) => (written = r));
      holds.set(`${run.executionId}/${attempt}`, { written, release: new Promise<void>((r) => (release = r)) });
      return { wrote, release: () => release() };
    });
    const attempts = [1, 2].map((attempt) => attemptEnv(attempt).run(runComponentAdapter, deps, run));
    await Promise.all(waits.map((w) => w.wrote));
    waits.forEach((w) => w.release());
    const [one, two] = (await Promise.all(attempts)) as RunComponentResult[];
    expect(one).toEqual(two);
    const winner = one!.properties.left!.attempt as number;
    for (const side of ['left', 'right'])
      expect(read(path.join(nodeDir, side, String(reserved[side])))).toBe(`${side} of attempt ${winner}`);
    // the loser dropped its staging folder; the winner's stays (it backs the claim) until publish
    expect(stagingOf(nodeDir)).toEqual([`${run.executionId}-${one!.attempt}`]);
    await createActivities(deps).publishNode({ ...run, properties: one!.properties, attempt: one!.attempt });
    expect(stagingOf(nodeDir)).toEqual([]);
  });

  it('an attempt killed between its claim and its renames: a retry finishes them and reports the killed attempt', async () => {
    const { run, reserved, nodeDir } = await prepared('killed');
    const first: RunComponentResult = await attemptEnv(1).run(runComponentAdapter, deps, run);
    await undoRenames(run, ['left', 'right']);
    expect(fs.existsSync(path.join(nodeDir, 'left', String(reserved.left)))).toBe(false);
    const retried = await attemptEnv(2).run(runComponentAdapter, deps, run);
    expect(retried).toEqual(first);
    expect(read(path.join(nodeDir, 'left', String(reserved.left)))).toBe('left of attempt 1');
    expect(read(path.join(nodeDir, 'right', String(reserved.right)))).toBe('right of attempt 1');
    // the retry ran nothing: no staging folder of its own
    expect(stagingOf(nodeDir)).toEqual([`${run.executionId}-${first.attempt}`]);
  });

  it('the publisher finishes the renames of the accepted claim, then publishes and sweeps', async () => {
    const { run, reserved, nodeDir } = await prepared('publisher');
    const first: RunComponentResult = await attemptEnv(1).run(runComponentAdapter, deps, run);
    // killed after moving `left` in, before `right`
    await undoRenames(run, ['right']);
    const activities = createActivities(deps);
    await expect(activities.publishNode({ ...run, properties: first.properties, attempt: '9-other' })).rejects.toMatchObject({
      type: 'FencingError',
      nonRetryable: true,
    });
    expect(fs.existsSync(path.join(nodeDir, 'right', String(reserved.right)))).toBe(false);
    const { outputs } = await activities.publishNode({ ...run, properties: first.properties, attempt: first.attempt });
    const right = (await store.getArtifact(outputs.right!))!;
    expect(right.state).toBe('LIVE');
    expect(read(right.uri)).toBe('right of attempt 1');
    expect(stagingOf(nodeDir)).toEqual([]);
    // a zombie attempt finishing after publication claims nothing and leaves the files alone
    holds.delete(`${run.executionId}/3`);
    const late = await attemptEnv(3).run(runComponentAdapter, deps, run);
    expect(late).toEqual(first);
    expect(read(right.uri)).toBe('right of attempt 1');
  });

  it("a winner whose rename fails after its claim keeps its staging folder, so a retry can finish the move", async () => {
    const { run, reserved, nodeDir } = await prepared('blocked');
    // a file where the `right` outputs' folder must go: that rename fails (ENOTDIR), after the claim
    fs.mkdirSync(nodeDir, { recursive: true });
    fs.writeFileSync(path.join(nodeDir, 'right'), 'in the way');
    await expect(attemptEnv(1).run(runComponentAdapter, deps, run)).rejects.toThrow(/EEXIST|ENOTDIR/);
    const claim = (await readClaim(claimPath(deps.storeRoot, run.pipeline, 'w', run.executionId)))!;
    expect(claim.attempt).toBe(1);
    expect(read(path.join(claim.staging, 'right'))).toBe('right of attempt 1');
    fs.rmSync(path.join(nodeDir, 'right'));
    const retried: RunComponentResult = await attemptEnv(2).run(runComponentAdapter, deps, run);
    expect(retried.attempt).toBe(claim.token);
    expect(read(path.join(nodeDir, 'right', String(reserved.right)))).toBe('right of attempt 1');
  });

  it("a claim whose output is gone from both places is a clear, final error", async () => {
    const { run, reserved } = await prepared('lost');
    await attemptEnv(1).run(runComponentAdapter, deps, run);
    await undoRenames(run, ['left']);
    const claim = (await readClaim(claimPath(deps.storeRoot, run.pipeline, 'w', run.executionId)))!;
    fs.rmSync(path.join(claim.staging, 'left'), { recursive: true });
    await expect(attemptEnv(2).run(runComponentAdapter, deps, run)).rejects.toMatchObject({
      type: 'LostOutputError',
      nonRetryable: true,
      message: expect.stringMatching(new RegExp(`output 'left' of attempt .* is neither at .*left/${reserved.left} nor in its staging folder`)),
    });
  });
});
