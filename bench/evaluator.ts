/**
 * Evaluator throughput: the penguin Model (as the Trainer makes it) scoring 200k raw rows
 * (the penguins resampled with jitter, written by ExampleGen into Arrow shards) through its
 * saved transform, metrics per slice: overall only, then 3 slice specs (by island, by sex,
 * island x sex), then the same against a baseline Model (two models scored per row). Driver +
 * executor in-process, no Temporal. Prints rows/s; asserts nothing.
 *
 *   npx tsx bench/evaluator.ts [--rows 200000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figuresTable } from '../src/cli/format.js';
import { mulberry32 } from '../src/random.js';
import type { InputArtifact } from '../src/dsl/component.js';
import { removeTempDirs, runExampleGen, tempDir } from '../test/components/example-gen/helpers.js';
import { runTrainer, transformedPenguins } from '../test/components/trainer/helpers.js';
import { found, runEvaluator } from '../test/components/evaluator/helpers.js';
import { PENGUIN_TRAINER } from '../test/helpers/penguin-model.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const rows = Number(arg('rows', '200000'));

const t0 = performance.now();
const data = await transformedPenguins();
const trained = await runTrainer(data, PENGUIN_TRAINER);
const other = await runTrainer(data, { ...PENGUIN_TRAINER, epochs: 5 });
const model: InputArtifact<'Model'> = { id: 2, type: 'Model', uri: trained.model, path: trained.model, properties: trained.result.model };
const baseline: InputArtifact<'Model'> = { id: 1, type: 'Model', uri: other.model, path: other.model, properties: other.result.model };
const trainSeconds = (performance.now() - t0) / 1000;

// the penguins resampled: measurements jittered by 2%, so scores (and AUC ties) are not 344 values repeated
const penguins = JSON.parse(fs.readFileSync(new URL('../node_modules/vega-datasets/data/penguins.json', import.meta.url), 'utf8')) as Record<string, unknown>[];
const rand = mulberry32(7);
const root = tempDir('bench-eval');
const out = fs.createWriteStream(path.join(root, 'rows.jsonl'));
for (let i = 0; i < rows; i++) {
  const r = { ...penguins[Math.floor(rand() * penguins.length)]! };
  for (const k of ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'])
    if (typeof r[k] === 'number') r[k] = (r[k] as number) * (0.98 + 0.04 * rand());
  if (!out.write(`${JSON.stringify(r)}\n`)) await new Promise<void>((res) => out.once('drain', () => res()));
}
await new Promise<void>((res) => out.end(() => res()));
const t1 = performance.now();
const gen = await runExampleGen(root, { input: 'rows.jsonl', split: { eval: 1 } });
const examples: InputArtifact<'Examples'> = { id: 3, type: 'Examples', uri: gen.out, path: gen.out, properties: gen.props };
console.log(
  `penguin models trained in ${trainSeconds.toFixed(1)}s; ${rows} raw rows in ${gen.props.shards.eval!.length} shard(s) by ExampleGen in ${((performance.now() - t1) / 1000).toFixed(1)}s; ${os.cpus().length} cores`,
);

const slicing = [{ features: ['Island'] }, { features: ['Sex'] }, { features: ['Island', 'Sex'] }];
const thresholds = { accuracy: { value: { lowerBound: 0.5 }, change: { direction: 'higherIsBetter', absolute: -0.05 } } };
const cases: { name: string; params: Record<string, unknown>; baseline?: boolean }[] = [
  { name: 'overall only', params: { thresholds } },
  { name: '3 slice specs', params: { slicing, thresholds } },
  { name: '3 slice specs + baseline', params: { slicing, thresholds }, baseline: true },
];
const metadata = [found(data.transformGraph, 'Transform.transformGraph')];
const table: string[][] = [];
for (const c of cases) {
  const start = performance.now();
  const r = await runEvaluator({ examples, model, ...(c.baseline ? { baselineModel: baseline } : {}) }, { batchSize: 4096, ...c.params }, metadata);
  const seconds = (performance.now() - start) / 1000;
  const slices = (r.result.evaluation as { slices: string[] }).slices.length;
  const accuracy = (r.result.evaluation as { overall: { accuracy: number } }).overall.accuracy;
  table.push([c.name, String(slices), String(rows), seconds.toFixed(2), Math.round(rows / seconds).toLocaleString('en-US'), accuracy.toFixed(4), String(r.result.blessing.blessed)]);
}
console.log(figuresTable(['case', 'slices', 'rows', 'seconds', 'rows/s', 'accuracy', 'blessed'], table));
removeTempDirs();
