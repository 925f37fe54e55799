/**
 * User code is part of the cache key: the traced preprocessing function through Transform's
 * params, the model module's content through the Trainer driver's fingerprint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Transform } from '../../../components/transform/index.js';
import { TrainerParams } from '../../../components/trainer/index.js';
import { trainerDriver } from '../../../components/trainer/driver.js';
import { ExampleGen } from '../../../components/example-gen/index.js';
import { SchemaGen } from '../../../components/schema-gen/index.js';
import { StatisticsGen } from '../../../components/statistics-gen/index.js';
import { definePipeline } from '../../../src/dsl/pipeline.js';
import { cacheKey } from '../../../src/orchestration/cache-key.js';
import type { PreprocessingFn } from '../../../src/ml/transform/index.js';
import { removeTempDirs } from '../example-gen/helpers.js';
import { pipelinesDir, transformedPenguins } from './helpers.js';

afterAll(removeTempDirs);

/** A folder inside the checkout: a module there resolves zod from the project's node_modules, as a user's would. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const root = path.join(pipelinesDir, '..', '.tsfx', 'tmp');
  fs.mkdirSync(root, { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, `${prefix}-`));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function transformKey(preprocessing: PreprocessingFn): string {
  const spec = definePipeline({ name: 'k' }, (p) => {
    const gen = p.add(ExampleGen({ input: 'x.csv' }));
    const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
    const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }));
    p.add(Transform({ examples: gen.outputs.examples, schema: schema.outputs.schema, preprocessing }));
  }).compile({ root: '/r' });
  const node = spec.nodes.find((n) => n.id === 'Transform')!;
  return cacheKey({ pipeline: 'k', component: node.component, componentVersion: node.componentVersion, params: node.params, inputs: { examples: [1], schema: [2] } });
}

it('a changed preprocessing function changes Transform’s cache key; the same one keeps it', () => {
  const a = transformKey((f) => ({ x: f.zScore('a') }));
  expect(transformKey((f) => ({ x: f.zScore('a') }))).toBe(a);
  expect(transformKey((f) => ({ x: f.scale01('a') }))).not.toBe(a);
  expect(transformKey((f) => ({ y: f.zScore('a') }))).not.toBe(a);
});

let data: Awaited<ReturnType<typeof transformedPenguins>>;
beforeAll(async () => {
  data = await transformedPenguins();
});

it("an edit of the model module changes the Trainer's fingerprint", async () => {
  const dir = tempDir('module');
  const file = path.join(dir, 'model.ts');
  const source = fs.readFileSync(path.join(pipelinesDir, 'penguin-model.ts'), 'utf8').replace("'../src/index.js'", `'${path.join(pipelinesDir, '../src/index.js')}'`);
  fs.writeFileSync(file, source);
  const drive = async () =>
    (
      await trainerDriver({
        params: TrainerParams.parse({ module: file, label: 'species' }),
        inputs: { examples: [data.examples], transformGraph: [data.transformGraph] } as never,
        pipelineRoot: dir,
        pipelineName: 'p',
        nodeId: 'Trainer',
        artifacts: { list: async () => [], importFile: async () => 0 } as never,
      })
    ).fingerprint;
  const before = await drive();
  expect(await drive()).toBe(before);
  fs.writeFileSync(file, source.replace('default(16)', 'default(24)'));
  expect(await drive()).not.toBe(before);
});

it('a worker that imported the module once trains its edited content next time (no stale module cache)', async () => {
  const { loadModelModule } = await import('../../../src/ml/train/model-module.js');
  const dir = tempDir('module-edit');
  const file = path.join(dir, 'model.ts');
  const write = (units: number) =>
    fs.writeFileSync(file, `import { z } from 'zod';\nexport const hparams = z.object({}).default({});\nexport const units = ${units};\nexport function buildModel() { return null; }\n`);
  write(8);
  expect(((await loadModelModule(file)) as unknown as { units: number }).units).toBe(8);
  write(9);
  expect(((await loadModelModule(file)) as unknown as { units: number }).units).toBe(9);
});
