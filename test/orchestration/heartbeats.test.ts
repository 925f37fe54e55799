/**
 * What the activity adapter heartbeats while an executor runs, in Temporal's activity context
 * on a real SQLite store: the keep-alive between progress reports repeats the last report
 * (Temporal keeps only the latest details, which `tsfx run` draws), so a training node's epoch
 * and step never turn into a bare 'running', and a report the adapter's throttle held back
 * still goes out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRetry, defineComponent, type ComponentImpl, type Progress } from '../../src/dsl/component.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { MetadataStore } from '../../src/metadata/store.js';
import { createActivities } from '../../src/orchestration/activities.js';
import type { ActivityDeps } from '../../src/orchestration/activity-deps.js';
import { runComponentAdapter } from '../../src/orchestration/run-component.js';
import type { PrepareNodeResult } from '../../src/orchestration/types.js';

const spec = {
  name: 'Reporter',
  version: '1',
  queue: 'cpu' as const,
  retry: defaultRetry,
  // keep-alive every max(1 s, heartbeat timeout / 3)
  timeouts: { startToCloseMs: 60_000, heartbeatMs: 3_000 },
  inputs: {},
  outputs: { out: 'ExternalArtifact' as const },
  params: z.object({}),
};
/** Two reports 50 ms apart (the second inside the adapter's 1 s throttle), then 2.5 s of silent work. */
const reporter: ComponentImpl<typeof spec> = {
  spec,
  async executor({ ctx }) {
    ctx.heartbeat({ done: 1, total: 4, unit: 'steps', message: 'epoch 1/2 · step 1/2' });
    await new Promise((r) => setTimeout(r, 50));
    ctx.heartbeat({ done: 2, total: 4, unit: 'steps', message: 'epoch 1/2 · step 2/2' });
    await new Promise((r) => setTimeout(r, 2_500));
    return { out: {} };
  },
};

let home: string;
let store: MetadataStore;
let deps: ActivityDeps;
beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-heartbeats-'));
  store = await openMetadataStore(path.join(home, 'metadata.sqlite'));
  deps = { store, storeRoot: path.join(home, 'artifacts', store.storeId), components: new Map([[spec.name, reporter as ComponentImpl]]) };
});
afterAll(async () => {
  await store?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

it("the keep-alive heartbeat repeats the executor's last progress instead of blanking it", async () => {
  const node = definePipeline({ name: 'beats' }, (p) => void p.add(defineComponent(spec)({}), { id: 'r' })).compile({ root: home }).nodes[0]!;
  const prepared: PrepareNodeResult = await new MockActivityEnvironment().run(createActivities(deps).prepareNode, {
    storeId: store.storeId,
    pipeline: 'beats',
    runId: 'r1',
    root: home,
    node,
    inputs: {},
    useCache: false,
  });
  const env = new MockActivityEnvironment();
  const beats: Progress[] = [];
  env.on('heartbeat', (d: Progress) => beats.push(d));
  await env.run(runComponentAdapter, deps, { storeId: store.storeId, pipeline: 'beats', runId: 'r1', root: home, node, executionId: prepared.executionId, inputs: {} });

  const first = beats.findIndex((b) => b.done === 1);
  expect(first).toBeGreaterThanOrEqual(0);
  const after = beats.slice(first + 1);
  // 2.5 s of silence: two keep-alives at least, each carrying the held-back second report
  expect(after.length).toBeGreaterThanOrEqual(2);
  for (const b of after) expect(b).toEqual({ done: 2, total: 4, unit: 'steps', message: 'epoch 1/2 · step 2/2' });
});
