/**
 * The Pusher in a pipeline run through Temporal: a blessed Model becomes version 1 with the
 * run's id in its provenance and a published PushedModel; a run whose blessing says no
 * publishes `pushed: false` and writes no version; `tsfx models` shows the lineage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pusher } from '../../components/pusher/index.js';
import { defaultRetry, defaultTimeouts, defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { ensureBackend } from '../../src/ml/backend.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { readProvenance } from '../../src/serving/version-folder.js';
import { modelFolder } from '../components/pusher/helpers.js';
import { runTsfx } from '../helpers/cli.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

const common = { version: '1', queue: 'cpu' as const, retry: defaultRetry, timeouts: defaultTimeouts };
/** stands in for the Trainer: a real saved tfjs model */
const makeModelSpec = { ...common, name: 'TestMakeModel', inputs: {}, outputs: { model: 'Model' as const }, params: z.object({ w: z.number() }) };
/** stands in for the Evaluator: a verdict on the model it is given */
const blessSpec = {
  ...common,
  name: 'TestBless',
  inputs: { model: { type: 'Model' as const } },
  outputs: { blessing: 'ModelBlessing' as const },
  params: z.object({ blessed: z.boolean() }),
};
const MakeModel = defineComponent(makeModelSpec);
const Bless = defineComponent(blessSpec);
const extra: ComponentImpl[] = [
  { spec: makeModelSpec, executor: async ({ outputs, params }) => (await modelFolder(outputs.model.path, params.w, 0), { model: { format: 'tfjs-layers' } }) } as ComponentImpl,
  { spec: blessSpec, executor: async ({ inputs, params }) => ({ blessing: { blessed: params.blessed, model: inputs.model[0]!.id } }) } as ComponentImpl,
];

let env: E2eEnv;
beforeAll(async () => {
  await ensureBackend();
  env = await e2eEnv('sqlite');
  await env.startWorker(extra);
}, 120_000);
afterAll(async () => env?.close());

// base given: the default ($TSFX_HOME/serving) is the worker process's TSFX_HOME, and this worker runs inside the test process
const pipeline = (w: number, blessed: boolean) =>
  definePipeline({ name: 'pushy' }, (p) => {
    const model = p.add(MakeModel({ w }));
    const blessing = p.add(Bless({ model: model.outputs.model, blessed }));
    p.add(Pusher({ model: model.outputs.model, blessing: blessing.outputs.blessing, servingModel: 'pushy', base: path.join(env.config.home, 'serving') }));
  });

describe('Pusher in a pipeline run', () => {
  it('pushes a blessed model, not an unblessed one, and tsfx models shows where each version came from', async () => {
    const base = path.join(env.config.home, 'serving');
    const run = async (w: number, blessed: boolean) =>
      watchRun(await startPipelineRun(env.client, env.config, pipeline(w, blessed).compile({ root: env.config.home })), () => {});
    const first = await run(2, true);
    expect(first.status).toBe('COMPLETE');
    const pushed = await env.store.getArtifact(first.nodes.Pusher!.outputs!.pushedModel!);
    expect(pushed!.properties).toMatchObject({ pushed: true, version: 1, servingModel: 'pushy', destination: path.join(base, 'pushy', '1') });
    const modelId = first.nodes.TestMakeModel!.outputs!.model!;
    const blessingId = first.nodes.TestBless!.outputs!.blessing!;
    expect(readProvenance(path.join(base, 'pushy', '1'))).toMatchObject({
      pipeline: 'pushy', runId: first.runId, nodeId: 'Pusher', model: modelId, modelBlessing: blessingId, forced: false,
    });

    const second = await run(3, false);
    expect(second.status).toBe('COMPLETE');
    const refused = await env.store.getArtifact(second.nodes.Pusher!.outputs!.pushedModel!);
    expect(refused!.properties).toMatchObject({ pushed: false, version: null });
    expect(refused!.properties.reason).toMatch(/^Model \d+ was not blessed \(ModelBlessing \d+\)$/);
    expect(fs.readdirSync(path.join(base, 'pushy')).filter((n) => /^\d+$/.test(n))).toEqual(['1']);

    const res = await runTsfx(env.env, 'models', 'pushy', '--json');
    expect(res.code, res.stderr).toBe(0);
    const [v1] = (JSON.parse(res.stdout) as { models: { versions: { version: number; lineage: Record<string, unknown> }[] }[] }).models[0]!.versions;
    expect(v1).toMatchObject({ version: 1, lineage: { runId: first.runId, model: modelId, modelState: 'LIVE', modelBlessing: blessingId } });
  }, 240_000);
});
