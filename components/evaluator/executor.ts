/**
 * Evaluator's executor: streams the raw eval split(s) shard by shard in batches, scores every
 * batch with the candidate (and the baseline) through each Model's saved transform, adds each
 * row to the accumulators of every slice it is in, then writes the ModelEvaluation (metrics per
 * slice for both models, plot data) and the ModelBlessing (TFX's BLESSED / NOT_BLESSED marker
 * and every threshold's check). Progress heartbeats count rows.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Executor } from '../../src/dsl/component.js';
import { iterateSplit } from '../../src/io/arrow-shards.js';
import { ensureBackend } from '../../src/ml/backend.js';
import { rawBatchFromArrow, type RawBatch } from '../../src/ml/transform/index.js';
import type { ModelPredictor } from '../../src/ml/model-predictor.js';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import { checkColumns, type EvaluatorResolved } from './driver.js';
import { sliceRows, specFeatures, type SliceKey } from './slicing.js';
import {
  addRows,
  flatMetrics,
  newAccumulator,
  plotsOf,
  type MetricOptions,
  type SliceAccumulator,
} from './slice-metrics.js';
import { classOrder, labelsOf, loadPredictor, reorder, weightsOf } from './scoring.js';
import {
  BASELINE_METRICS_FILE,
  BLESSED_FILE,
  METRICS_FILE,
  NOT_BLESSED_FILE,
  PLOTS_FILE,
  VALIDATION_FILE,
  type EvaluatorComponentSpec,
} from './spec.js';
import { validate } from './thresholds.js';

interface Slot {
  key: SliceKey;
  candidate: SliceAccumulator;
  baseline?: SliceAccumulator;
}

export const evaluatorExecutor: Executor<EvaluatorComponentSpec, EvaluatorResolved> = async ({
  inputs,
  outputs,
  params,
  resolved,
  ctx,
}) => {
  const examples = inputs.examples[0]!;
  const props = examples.properties as ExamplesProperties;
  const candidateModel = inputs.model[0]!;
  const baselineModel = inputs.baselineModel?.[0];
  // the fastest tfjs backend that loads (native TensorFlow when built), as serving uses
  const backend = await ensureBackend();
  const candidate = await loadPredictor(candidateModel.path);
  const baseline = baselineModel ? await loadPredictor(baselineModel.path) : undefined;
  try {
    const signature = candidate.signature;
    const label = params.label ?? resolved?.label ?? signature.label.name;
    const columns = props.features.map((f) => f.name);
    // the driver checked these too; an executor run on its own (tests, a bench) checks here
    checkColumns({ params, label, columns, splits: props.splitNames, signature });
    const order = baseline ? classOrder(signature, baseline.signature) : undefined;
    const options: MetricOptions = {
      task: signature.label.task,
      ...(signature.label.classes ? { classes: signature.label.classes } : {}),
      numClasses: signature.output.width,
      decisionThresholds: params.decisionThresholds,
      topK: params.topK,
      calibrationBuckets: params.calibrationBuckets,
      curvePoints: params.curvePoints,
    };
    const needed = [
      ...new Set([
        ...candidate.rawInputs,
        ...(baseline?.rawInputs ?? []),
        label,
        ...(params.exampleWeight ? [params.exampleWeight] : []),
        ...params.slicing.flatMap(specFeatures),
      ]),
    ];
    const slots = new Map<string, Slot>();
    const total = params.splits.reduce((n, s) => n + (props.rowCounts[s] ?? 0), 0);
    let done = 0;

    const score = async (p: ModelPredictor, batch: RawBatch) => (await p.predictBatch(batch)).values;
    for (const split of params.splits) {
      for await (const { shard, table } of iterateSplit(examples.path, props, split)) {
        for (let start = 0; start < table.numRows; start += params.batchSize) {
          ctx.signal.throwIfAborted();
          const batch = rawBatchFromArrow(table.slice(start, start + params.batchSize), needed);
          const ref = (r: number) => `split ${split} shard ${shard} row ${start + r}`;
          const labels = labelsOf(batch, label, signature, ref);
          const weights = params.exampleWeight ? weightsOf(batch, params.exampleWeight, ref) : undefined;
          const values = await score(candidate, batch);
          const base = baseline ? reorder(await score(baseline, batch), signature.output.width, order) : undefined;
          for (const [name, { key, rows }] of sliceRows(batch, params.slicing)) {
            let slot = slots.get(name);
            if (!slot)
              slots.set(
                name,
                (slot = {
                  key,
                  candidate: newAccumulator(options),
                  ...(baseline ? { baseline: newAccumulator(options) } : {}),
                }),
              );
            addRows(slot.candidate, rows, labels, values, signature.output.width, weights, ref);
            if (slot.baseline) addRows(slot.baseline, rows, labels, base!, signature.output.width, weights, ref);
          }
          done += batch.numRows;
          ctx.heartbeat({ done, total, unit: 'rows', message: `scored ${done}/${total} rows, ${slots.size} slice(s)` });
        }
      }
    }

    const read = (which: 'candidate' | 'baseline') =>
      new Map(
        [...slots]
          .filter(([, s]) => s[which])
          .map(([name, s]) => [name, { key: s.key, ...flatMetrics(s[which]!, options) }]),
      );
    const cand = read('candidate');
    const base = baseline ? read('baseline') : undefined;
    const validation = validate({
      candidate: cand,
      ...(base ? { baseline: base } : {}),
      thresholds: params.thresholds,
      sliceThresholds: params.sliceThresholds,
      blessWithoutThresholds: params.blessWithoutThresholds,
    });

    const header = {
      task: signature.label.task,
      label,
      classes: signature.label.classes ?? null,
      splits: params.splits,
      rows: done,
      backend: backend.package,
    };
    const file = (m: NonNullable<typeof base>, modelId: number) =>
      JSON.stringify(
        {
          ...header,
          model: modelId,
          slices: [...m].map(([slice, s]) => ({ slice, key: s.key, metrics: s.metrics, reasons: s.reasons })),
        },
        null,
        1,
      );
    const evalDir = outputs.evaluation.path;
    await fs.writeFile(path.join(evalDir, METRICS_FILE), file(cand, candidateModel.id));
    if (base && baselineModel)
      await fs.writeFile(path.join(evalDir, BASELINE_METRICS_FILE), file(base, baselineModel.id));
    const plots = [...slots].map(([slice, s]) => ({
      slice,
      candidate: plotsOf(s.candidate, options),
      ...(s.baseline ? { baseline: plotsOf(s.baseline, options) } : {}),
    }));
    await fs.writeFile(path.join(evalDir, PLOTS_FILE), JSON.stringify({ ...header, slices: plots }));

    const blessDir = outputs.blessing.path;
    const ids = { model: candidateModel.id, ...(baselineModel ? { baselineModel: baselineModel.id } : {}) };
    await fs.writeFile(path.join(blessDir, validation.blessed ? BLESSED_FILE : NOT_BLESSED_FILE), '');
    await fs.writeFile(
      path.join(blessDir, VALIDATION_FILE),
      JSON.stringify(
        { ...ids, blessed: validation.blessed, reason: validation.reason, checks: validation.checks },
        null,
        1,
      ),
    );
    ctx.log(validation.reason);

    const count = (v: string) => validation.checks.filter((c) => c.verdict === v).length;
    return {
      evaluation: {
        ...header,
        ...ids,
        slices: [...cand.keys()],
        overall: cand.get('Overall')?.metrics ?? {},
        ...(base ? { baselineOverall: base.get('Overall')?.metrics ?? {} } : {}),
      },
      // the ModelEvaluation's reserved id, so a Pusher's provenance (and any reader) can name it
      blessing: {
        blessed: validation.blessed,
        ...ids,
        ...(outputs.evaluation.id !== undefined ? { evaluation: outputs.evaluation.id } : {}),
        reason: validation.reason,
        passed: count('pass'),
        failed: count('fail'),
        skipped: count('skipped'),
        ...(resolved?.baseline && 'none' in resolved.baseline ? { noBaseline: resolved.baseline.none } : {}),
      },
    };
  } finally {
    candidate.model.dispose();
    baseline?.model.dispose();
  }
};
