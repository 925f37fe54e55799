/**
 * `tsfx models`, `promote`, `rollback`, `push --force` as a user runs them (real processes, a
 * real SQLite metadata store holding a Trainer's Model and an Evaluator's blessing and evaluation),
 * and `models --server` against a real server on the same folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pusherExecutor } from '../../components/pusher/executor.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import { ensureBackend } from '../../src/ml/backend.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { startServer } from '../../src/serving/server.js';
import { artifact, executorArgs, modelFolder, tmp } from '../components/pusher/helpers.js';
import { runTsfx } from '../helpers/cli.js';

let home: string;
let base: string;
let env: NodeJS.ProcessEnv;
const ids = { model: 0, blessing: 0, evaluation: 0 };
const tsfx = (...args: string[]) => runTsfx(env, ...args);

beforeAll(async () => {
  await ensureBackend();
  home = tmp('models-home');
  base = path.join(home, 'serving');
  env = { ...process.env, TSFX_HOME: home, TSFX_USER: 'alice' };
  delete env.TSFX_METADATA_URL;
  const modelDir = await modelFolder(path.join(home, 'artifacts', 'model'), 2, 1);
  const store = await openMetadataStore(path.join(home, 'metadata.sqlite'));
  try {
    const trainer = await store.createExecution({ type: 'Trainer', pipeline: 'penguin', runId: 'run-1', nodeId: 'Trainer', state: 'RUNNING', inputs: [] });
    const [model] = await store.publishExecution(trainer.id, [{ name: 'model', type: 'Model', uri: modelDir, properties: {} }]);
    ids.model = model!.id;
    const evaluator = await store.createExecution({ type: 'Evaluator', pipeline: 'penguin', runId: 'run-1', nodeId: 'Evaluator', state: 'RUNNING', inputs: [{ name: 'model', artifactId: model!.id }] });
    const out = await store.publishExecution(evaluator.id, [
      { name: 'evaluation', type: 'ModelEvaluation', uri: tmp('evaluation'), properties: {} },
      { name: 'blessing', type: 'ModelBlessing', uri: tmp('blessing'), properties: { blessed: true, model: model!.id } },
    ]);
    ids.evaluation = out.find((a) => a.type === 'ModelEvaluation')!.id;
    ids.blessing = out.find((a) => a.type === 'ModelBlessing')!.id;
  } finally {
    await store.close();
  }
  // version 1: the Pusher component, as a pipeline run would push it
  const args = executorArgs(
    { model: [artifact('Model', ids.model, modelDir)], blessing: [artifact('ModelBlessing', ids.blessing, tmp('b'), { blessed: true, model: ids.model })] },
    { servingModel: 'penguin', base },
  );
  expect((await pusherExecutor(args)).pushedModel.version).toBe(1);
});

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('tsfx push --force', () => {
  it('refuses without --force or without a reason', async () => {
    const bare = await tsfx('push', String(ids.model));
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('only pushes by hand with --force and --reason');
    const noReason = await tsfx('push', '--force', String(ids.model));
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('a forced push needs a reason');
    const notModel = await tsfx('push', '--force', '--reason', 'x', String(ids.blessing));
    expect(notModel.stderr).toContain(`artifact #${ids.blessing} is a ModelBlessing, not a Model`);
  });

  it('pushes the Model as the next version, recorded as forced with its reason', async () => {
    const res = await tsfx('push', '--force', String(ids.model), '--reason', 'hotfix INC-42');
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain(`penguin: Model #${ids.model} pushed as version 2`);
    expect(res.stdout).toContain('forced: hotfix INC-42');
    // and in metadata, as a Pusher execution with the Model as its input
    const pushedId = Number(/PushedModel #(\d+) \(run (manual-push-\S+)\)/.exec(res.stdout)![1]);
    const store = await openMetadataStore(path.join(home, 'metadata.sqlite'));
    try {
      const pushed = await store.getArtifact(pushedId);
      expect(pushed).toMatchObject({ type: 'PushedModel', state: 'LIVE', properties: { pushed: true, version: 2, forced: true, reason: 'hotfix INC-42', model: ids.model } });
      const made = (await store.eventsOfArtifact(pushedId)).find((e) => e.type === 'OUTPUT')!;
      const inputs = (await store.eventsOfExecution(made.executionId)).filter((e) => e.type === 'INPUT').map((e) => [e.name, e.artifactId]);
      expect(inputs).toEqual([['model', ids.model], ['blessing', ids.blessing]]);
      expect((await store.getExecution(made.executionId))).toMatchObject({ type: 'Pusher', nodeId: 'tsfx-push', state: 'COMPLETE', properties: { who: 'alice' } });
    } finally {
      await store.close();
    }
  });
});

describe('tsfx promote / rollback / models', () => {
  it('moves labels with reasons, refuses an invalid version, and rolls back to what the label held', async () => {
    expect((await tsfx('promote', 'penguin', '1', '--reason', 'first release')).stdout).toContain('penguin: stable -> version 1');
    expect((await tsfx('promote', 'penguin', '2', '--reason', 'try the hotfix')).stdout).toContain('penguin: stable -> version 2');
    fs.mkdirSync(path.join(base, 'penguin', '3'));
    fs.writeFileSync(path.join(base, 'penguin', '3', 'model.json'), '{"modelTopology": ');
    const bad = await tsfx('promote', 'penguin', '3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("version 3 of 'penguin' is not servable: model.json:");
    const back = await tsfx('rollback', 'penguin', '--reason', 'hotfix broke canaries');
    expect(back.stdout).toContain('penguin: stable -> version 1');
    const escape = await tsfx('promote', '../etc', '1');
    expect(escape.code).toBe(2);
    expect(escape.stderr).toContain("model '../etc' must start with a letter or digit");
  });

  it('lists versions, state, labels and lineage (run, Model, ModelBlessing, ModelEvaluation from metadata)', async () => {
    const res = await tsfx('models', '--json');
    expect(res.code, res.stderr).toBe(0);
    const { models } = JSON.parse(res.stdout) as { models: { name: string; labels: Record<string, number>; versions: Record<string, unknown>[]; problems: string[] }[] };
    expect(models.map((m) => m.name)).toEqual(['penguin']);
    const [m] = models;
    expect(m!.labels).toEqual({ stable: 1 });
    expect(m!.versions.map((v) => [v.version, v.valid, v.labels])).toEqual([[3, false, []], [2, true, []], [1, true, ['stable']]]);
    expect(m!.versions[0]!.error).toMatch(/^model\.json: /);
    expect(m!.versions[2]!.lineage).toMatchObject({
      pipeline: 'penguin', runId: 'run-1', model: ids.model, modelState: 'LIVE', modelBlessing: ids.blessing, modelEvaluation: ids.evaluation, forced: false,
    });
    // the forced push: run from the Model's contexts, the blessing found by its `model` property
    expect(m!.versions[1]!.lineage).toMatchObject({
      pipeline: 'penguin', runId: 'run-1', model: ids.model, modelBlessing: ids.blessing, modelEvaluation: ids.evaluation, forced: true, reason: 'hotfix INC-42', pushedBy: 'alice',
    });

    const text = (await tsfx('models')).stdout;
    expect(text).toContain('penguin: 3 versions; labels stable -> 1');
    expect(text).toMatch(/\n\s+1\s+valid\s+stable\s+\d{4}-\d\d-\d\d [\d:]+\s+\S+\s+penguin\s+run-1\s+#\d+\s+#\d+\s+#\d+\s+no/);
    expect(text).toMatch(/\n\s+3\s+invalid: model\.json: /);
  });

  it('--history shows every push, forced push and label move, and which version held the label when', async () => {
    const res = await tsfx('models', 'penguin', '--history');
    expect(res.code, res.stderr).toBe(0);
    const rows = res.stdout.split('\n');
    const at = (re: RegExp) => rows.findIndex((l) => re.test(l));
    const push1 = at(/\s+push\s+-\s+-\s+1\s+Model #\d+ of run run-1/);
    const forced = at(/alice\s+forced push\s+-\s+-\s+2\s+Model #\d+ of run run-1\s+hotfix INC-42/);
    const p1 = at(/alice\s+promote\s+stable\s+-\s+1\s+first release/);
    const p2 = at(/alice\s+promote\s+stable\s+1\s+2\s+try the hotfix/);
    const rb = at(/alice\s+rollback\s+stable\s+2\s+1\s+hotfix broke canaries/);
    expect([push1, forced, p1, p2, rb].every((i) => i > 0), res.stdout).toBe(true);
    expect([push1, forced, p1, p2, rb]).toEqual([...[push1, forced, p1, p2, rb]].sort((a, b) => a - b));
    const periods = res.stdout.slice(res.stdout.indexOf('which version held which label'));
    expect(periods).toMatch(/stable\s+1\s+\S+ \S+\s+\S+ \S+\s+promote by alice/);
    expect(periods).toMatch(/stable\s+2\s+\S+ \S+\s+\S+ \S+\s+promote by alice/);
    expect(periods).toMatch(/stable\s+1\s+\S+ \S+\s+now\s+rollback by alice/);
    expect(periods).not.toContain('not applied');
  });

  it("--server adds the running server's state per version", async () => {
    // every version loaded (the default policy loads only the newest)
    const repository = new ModelRepository(base, { pollMs: 100_000, policy: { all: true } });
    await repository.start();
    const server = await startServer({ repository, port: 0, host: '127.0.0.1' });
    try {
      const res = await tsfx('models', 'penguin', '--json', '--server', server.url);
      const versions = (JSON.parse(res.stdout) as { models: { versions: { version: number; server: string; serverError?: string }[] }[] }).models[0]!.versions;
      expect(versions.map((v) => [v.version, v.server])).toEqual([[3, 'END'], [2, 'AVAILABLE'], [1, 'AVAILABLE']]);
      expect(versions[0]!.serverError).toBeTruthy();
    } finally {
      await server.close();
      await repository.stop();
    }
  });
});
