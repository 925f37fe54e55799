/**
 * The example pipeline: Palmer penguins (vega-datasets' penguins.json), brought in by
 * ExampleGen and split 2:1 into train and eval by a hash of each row, then described by
 * StatisticsGen (TFDV's statistics per split, in TFMD's wire format) and a schema inferred from
 * them by SchemaGen (TFDV's infer_schema), against which ExampleValidator checks every split.
 * Transform fills missing values and scales the measurements (z-scores), maps island and sex to
 * one-hot vocabularies and the species to class ids; the Trainer fits a small MLP
 * (pipelines/penguin-model.ts) on the species. The Evaluator scores the raw eval rows through the
 * Model's own transform and blesses it against thresholds and the last blessed model; the
 * InfraValidator loads it in the model server and queries it; the Pusher writes a new version of
 * the served model `penguin` when both blessed it, and `tsfx serve` answers for it.
 * Run it with `npm run example` (or `node bin/tsfx.js run pipelines/penguin.ts`).
 */
import { definePipeline } from '../src/dsl/pipeline.js';
import { Evaluator } from '../components/evaluator/index.js';
import { ExampleGen } from '../components/example-gen/index.js';
import { ExampleValidator } from '../components/example-validator/index.js';
import { SchemaGen } from '../components/schema-gen/index.js';
import { InfraValidator } from '../components/infra-validator/index.js';
import { Pusher } from '../components/pusher/index.js';
import { StatisticsGen } from '../components/statistics-gen/index.js';
import { Trainer } from '../components/trainer/index.js';
import { Transform } from '../components/transform/index.js';

/** The measurements, as the data names them: missing ones get the mean, then a z-score. */
const measurements = {
  beak_length: 'Beak Length (mm)',
  beak_depth: 'Beak Depth (mm)',
  flipper_length: 'Flipper Length (mm)',
  body_mass: 'Body Mass (g)',
};

export default definePipeline({ name: 'penguin' }, (p) => {
  // paths resolve against this file's folder; the data ships in the vega-datasets npm package
  const gen = p.add(ExampleGen({ input: '../node_modules/vega-datasets/data/penguins.json', split: { train: 2, eval: 1 } }));
  const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
  const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }));
  p.add(ExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema }));
  const transform = p.add(
    Transform({
      examples: gen.outputs.examples,
      schema: schema.outputs.schema,
      preprocessing: (f) => ({
        species: f.vocabulary('Species'),
        island: f.oneHot(f.vocabulary('Island')),
        sex: f.oneHot(f.vocabulary(f.fillMissing('Sex', 'unknown'))),
        ...Object.fromEntries(
          Object.entries(measurements).map(([name, column]) => [name, f.zScore(f.fillMissing(column, f.mean(column)))]),
        ),
      }),
    }),
  );
  const trainer = p.add(
    Trainer({
      examples: transform.outputs.transformedExamples,
      transformGraph: transform.outputs.transformGraph,
      module: './penguin-model.ts',
      label: 'species',
      epochs: 30,
      batchSize: 16,
      earlyStopping: { monitor: 'val_loss', patience: 5 },
    }),
  );
  // scored on the raw eval rows through the Model's own transform, as serving will score them;
  // blessed when accurate enough and no worse than the model blessed before (TFX's penguin rule)
  const evaluator = p.add(
    Evaluator({
      examples: gen.outputs.examples,
      model: trainer.outputs.model,
      slicing: [{ features: ['Island'] }],
      thresholds: { accuracy: { value: { lowerBound: 0.9 }, change: { direction: 'higherIsBetter', absolute: -1e-10 } } },
    }),
  );
  // the model loaded by the real model server in a memory-capped child process and asked for
  // predictions of raw eval rows; the requests that answered become the pushed version's warm-up
  const infra = p.add(InfraValidator({ model: trainer.outputs.model, examples: gen.outputs.examples }));
  // a new version of the served model `penguin` (`tsfx serve` picks it up) only when both are
  // blessed; otherwise the PushedModel records why not
  p.add(
    Pusher({
      model: trainer.outputs.model,
      blessing: evaluator.outputs.blessing,
      infraBlessing: infra.outputs.blessing,
      servingModel: 'penguin',
    }),
  );
});
