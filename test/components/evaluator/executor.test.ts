/**
 * The Evaluator on the penguins, driver + executor: a trained Model scores the raw eval rows
 * through its saved transform (its accuracy is the Trainer's val_accuracy on the same rows),
 * metrics per slice (by island, a cross, a given value), plot data, thresholds, the BLESSED
 * marker; the driver finds the latest blessed model as baseline (never the candidate itself),
 * and a worse candidate fails a change threshold against it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FoundArtifact, InputArtifact } from '../../../src/dsl/component.js';
import { readSplit } from '../../../src/io/arrow-shards.js';
import type { ExamplesProperties } from '../../../schemas/artifacts.js';
import { removeTempDirs } from '../example-gen/helpers.js';
import { runTrainer, transformedPenguins } from '../trainer/helpers.js';
import { found, runEvaluator } from './helpers.js';

let data: Awaited<ReturnType<typeof transformedPenguins>>;
let good: InputArtifact<'Model'>;
let goodValAccuracy: number;
let metadata: FoundArtifact[];
beforeAll(async () => {
  data = await transformedPenguins();
  const t = await runTrainer(data, { epochs: 30, batchSize: 16, hparams: { hidden: 16, learningRate: 0.02 } });
  good = { id: 20, type: 'Model', uri: t.model, path: t.model, properties: t.result.model };
  goodValAccuracy = (t.result.model as { final: { val_accuracy: number } }).final.val_accuracy;
  // what the driver may find: the TransformGraph the Model names (for the raw label column)
  metadata = [found(data.transformGraph, 'Transform.transformGraph')];
}, 300_000);
afterAll(removeTempDirs);

const params = {
  slicing: [{ features: ['Island'] }, { features: ['Island', 'Sex'] }, { values: { Island: 'Biscoe' } }],
  topK: [2],
  thresholds: { accuracy: { value: { lowerBound: 0.85 }, change: { direction: 'higherIsBetter', absolute: -0.01 } } },
  sliceThresholds: [{ slice: { features: ['Island'] }, thresholds: { accuracy: { value: { lowerBound: 0.5 } } } }],
  batchSize: 50,
};

describe('Evaluator executor', () => {
  it('scores raw eval rows through the saved transform and blesses a good model with no baseline', async () => {
    const r = await runEvaluator({ examples: data.raw, model: good }, params, metadata);
    // the raw label column is found through the training TransformGraph (species = vocabulary('Species'))
    expect(r.drove.resolved).toEqual({ label: 'Species', baseline: { none: 'no blessed model in this pipeline yet' } });
    expect(r.drove.inputs).toBeUndefined();

    const m = r.read(r.evaluation, 'metrics.json');
    const props = data.raw.properties as ExamplesProperties;
    const evalRows = props.rowCounts.eval!;
    expect(m).toMatchObject({ task: 'multiclass', label: 'Species', classes: ['Adelie', 'Gentoo', 'Chinstrap'], splits: ['eval'], rows: evalRows, model: 20 });
    const bySlice = Object.fromEntries(m.slices.map((s: { slice: string; metrics: Record<string, number> }) => [s.slice, s.metrics]));
    // the Trainer validated on the same eval rows (transformed by the same graph): same accuracy
    expect(bySlice.Overall.accuracy).toBeCloseTo(goodValAccuracy, 5);
    expect(bySlice.Overall.exampleCount).toBe(evalRows);
    expect(bySlice.Overall['topKAccuracy@2']).toBeGreaterThanOrEqual(bySlice.Overall.accuracy);
    expect(Object.keys(bySlice.Overall)).toEqual(expect.arrayContaining(['precision/Adelie', 'recall/Chinstrap', 'macroPrecision', 'microRecall', 'weightedExampleCount']));

    // one slice per island; their counts add up to the overall one, and match the raw rows
    const table = await readSplit(data.raw.path, props, 'eval');
    const islands = table.getChild('Island')!.toArray() as string[];
    const islandSlices = Object.keys(bySlice).filter((s) => /^Island=[^&]+$/.test(s)).sort();
    expect(islandSlices).toEqual([...new Set(islands)].sort().map((i) => `Island=${i}`));
    for (const s of islandSlices) expect(bySlice[s].exampleCount).toBe(islands.filter((i) => `Island=${i}` === s).length);
    const crosses = Object.keys(bySlice).filter((s) => s.includes(' & '));
    expect(crosses.length).toBeGreaterThan(islandSlices.length);
    expect(crosses.every((s) => /^Island=\w+ & Sex=(MALE|FEMALE|\.)$/.test(s))).toBe(true);

    // plots: the multiclass confusion matrix per slice, its cells summing to the slice's weight
    const plots = r.read(r.evaluation, 'plots.json');
    const overallPlot = plots.slices.find((s: { slice: string }) => s.slice === 'Overall').candidate;
    expect(overallPlot.confusionMatrix.classes).toEqual(['Adelie', 'Gentoo', 'Chinstrap']);
    const cells = (overallPlot.confusionMatrix.matrix as number[][]).flat();
    expect(cells.reduce((a, b) => a + b, 0)).toBe(evalRows);

    // blessing: value thresholds pass, the change threshold is skipped (no baseline) and recorded
    expect(fs.existsSync(path.join(r.blessing, 'BLESSED'))).toBe(true);
    expect(fs.existsSync(path.join(r.blessing, 'NOT_BLESSED'))).toBe(false);
    const v = r.read(r.blessing, 'validation.json');
    expect(v).toMatchObject({ blessed: true, model: 20 });
    expect(v.baselineModel).toBeUndefined();
    expect(v.checks.filter((c: { verdict: string }) => c.verdict === 'skipped')).toHaveLength(1);
    expect(v.checks.filter((c: { slice: string }) => c.slice.startsWith('Island=')).length).toBe(islandSlices.length);
    expect(r.result.blessing).toMatchObject({ blessed: true, model: 20, skipped: 1, failed: 0 });
    expect(r.result.evaluation).toMatchObject({ model: 20, rows: evalRows });
    expect(r.beats.at(-1)).toMatchObject({ done: evalRows, total: evalRows, unit: 'rows' });
  });

  it('finds the latest blessed model as baseline, and a worse candidate fails the change threshold', async () => {
    const t = await runTrainer(data, { epochs: 1, batchSize: 16, hparams: { hidden: 2, learningRate: 1e-4 } });
    const worse: InputArtifact<'Model'> = { id: 30, type: 'Model', uri: t.model, path: t.model, properties: t.result.model };
    const blessing = (id: number, model: number, blessed: boolean): FoundArtifact => ({ id, type: 'ModelBlessing', uri: '/b', path: '/b', name: 'Evaluator.blessing', properties: { blessed, model } });
    // the worse model is newest and even carries a blessing: it is the candidate, so never its own baseline
    const meta = [...metadata, found(good, 'Trainer.model'), found(worse, 'Trainer.model'), blessing(40, 20, true), blessing(41, 30, true)];
    const r = await runEvaluator({ examples: data.raw, model: worse }, params, meta);
    expect(r.drove.inputs).toEqual({ baselineModel: [20] });
    expect(r.drove.resolved.baseline).toEqual({ modelId: 20 });

    const cand = r.read(r.evaluation, 'metrics.json').slices[0].metrics;
    const base = r.read(r.evaluation, 'baseline-metrics.json');
    expect(base.model).toBe(20);
    expect(base.slices[0].metrics.accuracy).toBeCloseTo(goodValAccuracy, 5);
    expect(cand.accuracy).toBeLessThan(base.slices[0].metrics.accuracy - 0.01);

    expect(fs.existsSync(path.join(r.blessing, 'NOT_BLESSED'))).toBe(true);
    const v = r.read(r.blessing, 'validation.json');
    expect(v).toMatchObject({ blessed: false, model: 30, baselineModel: 20 });
    const change = v.checks.find((c: { kind: string; slice: string }) => c.kind === 'change' && c.slice === 'Overall');
    expect(change).toMatchObject({ verdict: 'fail', value: cand.accuracy, baseline: base.slices[0].metrics.accuracy });
    expect(change.diff).toBeCloseTo(cand.accuracy - base.slices[0].metrics.accuracy, 12);
    expect(r.result.blessing).toMatchObject({ blessed: false, model: 30, baselineModel: 20 });

    // the same candidate against itself as the only blessed model: no baseline at all
    const alone = await runEvaluator({ examples: data.raw, model: worse }, { blessWithoutThresholds: true }, [...metadata, found(worse, 'Trainer.model'), blessing(41, 30, true)]);
    expect(alone.drove.resolved.baseline).toEqual({ none: 'no blessed model in this pipeline yet' });
    expect(alone.result.blessing).toMatchObject({ blessed: true, reason: expect.stringMatching(/blessed without thresholds/) });
  });
});
