/** Pusher's executor on real Model folders: what it pushes, what it refuses, and what it records. */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pusherExecutor } from '../../../components/pusher/executor.js';
import { PusherParams } from '../../../components/pusher/spec.js';
import { ensureBackend } from '../../../src/ml/backend.js';
import { loadModel } from '../../../src/ml/fs-model-io.js';
import { readHistory } from '../../../src/serving/history.js';
import { listVersions, readProvenance } from '../../../src/serving/version-folder.js';
import { artifact, executorArgs, modelFolder, tmp } from './helpers.js';

let modelDir: string;
const model = () => artifact('Model', 11, modelDir);
const blessing = (blessed: boolean, of = 11, extra: Record<string, unknown> = {}) =>
  artifact('ModelBlessing', 12, tmp('blessing'), { blessed, model: of, ...extra });

function infraBlessing(blessed: boolean): ReturnType<typeof artifact<'InfraBlessing'>> {
  const dir = tmp('infra');
  fs.writeFileSync(path.join(dir, 'warmup_requests.json'), JSON.stringify([{ instances: [[3]] }]));
  return artifact('InfraBlessing', 13, dir, { blessed });
}

beforeAll(async () => {
  await ensureBackend();
  modelDir = await modelFolder(tmp('model'), 2, 1);
});

describe('Pusher executor', () => {
  it('pushes a blessed model as version 1, then 2, with warm-up requests and provenance', async () => {
    const base = tmp('base');
    const infra = infraBlessing(true);
    const a = executorArgs({ model: [model()], blessing: [blessing(true, 11, { evaluation: 10 })], infraBlessing: [infra] }, { servingModel: 'penguin', base }, { executionId: 7 });
    const first = (await pusherExecutor(a)).pushedModel;
    expect(first).toMatchObject({ pushed: true, version: 1, servingModel: 'penguin', forced: false, reason: null, model: 11 });
    expect(first.destination).toBe(path.join(base, 'penguin', '1'));
    const v1 = path.join(base, 'penguin', '1');
    for (const f of ['model.json', 'weights.bin', 'transform/notes.txt'])
      expect(fs.readFileSync(path.join(v1, f))).toEqual(fs.readFileSync(path.join(modelDir, f)));
    expect(JSON.parse(fs.readFileSync(path.join(v1, 'assets.extra', 'warmup_requests.json'), 'utf8'))).toEqual([{ instances: [[3]] }]);
    expect(readProvenance(v1)).toMatchObject({
      pipeline: 'penguin', runId: 'run-1', nodeId: 'Pusher', execution: 7, model: 11, modelBlessing: 12, modelEvaluation: 10, infraBlessing: 13, forced: false,
    });
    expect(JSON.parse(fs.readFileSync(path.join(a.outputs.pushedModel.path, 'pushed.json'), 'utf8'))).toEqual(first);
    // the pushed copy is the same model
    const loaded = await loadModel(v1);
    expect(Array.from((loaded.predict(tf.tensor2d([[4]])) as tf.Tensor).dataSync())).toEqual([9]);
    loaded.dispose();

    const second = (await pusherExecutor(executorArgs({ model: [model()], blessing: [blessing(true)] }, { servingModel: 'penguin', base }, { executionId: 8 }))).pushedModel;
    expect(second).toMatchObject({ pushed: true, version: 2 });
    expect(listVersions(base, 'penguin').map((v) => [v.version, v.valid])).toEqual([[1, true], [2, true]]);
    expect(readHistory(base, 'penguin').events.map((e) => e.action === 'push' && [e.version, e.execution, e.forced])).toEqual([[1, 7, false], [2, 8, false]]);
  });

  it('does not push an unblessed model: pushed false with the reason, nothing written', async () => {
    const base = tmp('base');
    const logs: string[] = [];
    const props = (await pusherExecutor(executorArgs({ model: [model()], blessing: [blessing(false)] }, { servingModel: 'penguin', base }, { logs }))).pushedModel;
    expect(props).toMatchObject({ pushed: false, version: null, destination: null, forced: false });
    expect(props.reason).toBe('Model 11 was not blessed (ModelBlessing 12)');
    expect(fs.readdirSync(base)).toEqual([]);
    expect(logs.join('\n')).toContain('not pushed: Model 11 was not blessed');
  });

  it("refuses a blessing of another model, a missing blessing, and a failed infra validation", async () => {
    const base = tmp('base');
    const push = async (inputs: Parameters<typeof executorArgs>[0]) => (await pusherExecutor(executorArgs(inputs, { servingModel: 'm', base }))).pushedModel;
    expect((await push({ model: [model()], blessing: [blessing(true, 99)] })).reason).toBe('ModelBlessing 12 is the verdict on Model 99, not on Model 11');
    expect((await push({ model: [model()] })).reason).toContain('no ModelBlessing is wired');
    const infra = await push({ model: [model()], blessing: [blessing(true)], infraBlessing: [infraBlessing(false)] });
    expect(infra).toMatchObject({ pushed: false, reason: 'Model 11 was not infra-blessed (InfraBlessing 13)' });
    expect(fs.readdirSync(base)).toEqual([]);
  });

  it('refuses force without a reason, and records a forced push with its reason', async () => {
    const res = PusherParams.safeParse({ servingModel: 'm', force: { reason: '  ' } });
    expect(res.success).toBe(false);
    expect(res.error!.issues[0]!.message).toContain('a forced push needs a reason');
    expect(PusherParams.safeParse({ servingModel: 'm', force: {} }).success).toBe(false);
    await expect(pusherExecutor(executorArgs({ model: [model()] }, { servingModel: 'm', force: { reason: '' } }))).rejects.toThrow(
      'params.force.reason: a forced push needs a reason',
    );

    const base = tmp('base');
    const props = (await pusherExecutor(executorArgs({ model: [model()], blessing: [blessing(false)] }, { servingModel: 'm', base, force: { reason: 'hotfix for INC-42' } }))).pushedModel;
    expect(props).toMatchObject({ pushed: true, version: 1, forced: true });
    expect(props.reason).toBe('hotfix for INC-42 (forced past: Model 11 was not blessed (ModelBlessing 12))');
    expect(readProvenance(path.join(base, 'm', '1'))).toMatchObject({ forced: true, reason: props.reason });
    const [event] = readHistory(base, 'm').events;
    expect(event).toMatchObject({ action: 'push', version: 1, forced: true, reason: props.reason, model: 11 });
  });

  it('rejects serving model names that would escape the base', () => {
    for (const bad of ['../etc', 'a/b', '.hidden', '', 'x'.repeat(129)]) expect(PusherParams.safeParse({ servingModel: bad }).success, bad).toBe(false);
    expect(PusherParams.safeParse({ servingModel: 'penguin-v2.1_a' }).success).toBe(true);
  });

  it('a retried attempt of the same execution reuses its version instead of pushing another', async () => {
    const base = tmp('base');
    const args = () => executorArgs({ model: [model()], blessing: [blessing(true)] }, { servingModel: 'm', base }, { executionId: 21 });
    const first = (await pusherExecutor(args())).pushedModel;
    const retry = (await pusherExecutor(args())).pushedModel;
    expect(first.version).toBe(1);
    expect(retry).toMatchObject({ pushed: true, version: 1, reused: true });
    expect(listVersions(base, 'm').map((v) => v.version)).toEqual([1]);
    expect(readHistory(base, 'm').events).toHaveLength(1);
    // the same execution id of another store (another Model URI) is another push
    const other = executorArgs({ model: [{ ...model(), uri: `${modelDir}#other-store` }], blessing: [blessing(true)] }, { servingModel: 'm', base }, { executionId: 21 });
    expect((await pusherExecutor(other)).pushedModel).toMatchObject({ version: 2 });
    fs.rmSync(path.join(base, 'm', '2'), { recursive: true });
    // another execution still gets a new version
    expect((await pusherExecutor(executorArgs({ model: [model()], blessing: [blessing(true)] }, { servingModel: 'm', base }, { executionId: 22 }))).pushedModel.version).toBe(2);
    // a version number used again after its folder was removed is a new push in the history
    expect(readHistory(base, 'm').events.map((e) => e.action === 'push' && [e.version, e.execution])).toEqual([[1, 21], [2, 21], [2, 22]]);
  });
});
