/**
 * The penguins with a Tuner before the Trainer (the README's "Tuning" example): eight seeded
 * random trials over the MLP's width and learning rate, each its own activity, judged by eval
 * accuracy; the Trainer then trains with the best values.
 * Run it with `node bin/tsfx.js run pipelines/penguin-tuned.ts --workers 2`.
 */
import { definePipeline, ExampleGen, StatisticsGen, SchemaGen, Transform, Tuner, Trainer } from 'tsfx';

export default definePipeline({ name: 'penguin-tuned' }, (p) => {
  const gen = p.add(ExampleGen({ input: '../node_modules/vega-datasets/data/penguins.json' }));
  const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
  const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }));
  const tf = p.add(Transform({
    examples: gen.outputs.examples, schema: schema.outputs.schema,
    preprocessing: (f) => ({
      species: f.vocabulary('Species'),
      island: f.oneHot(f.vocabulary('Island')),
      flipper: f.zScore(f.fillMissing('Flipper Length (mm)', f.mean('Flipper Length (mm)'))),
      beak: f.zScore(f.fillMissing('Beak Length (mm)', f.mean('Beak Length (mm)'))),
    }),
  }));
  const training = {
    examples: tf.outputs.transformedExamples, transformGraph: tf.outputs.transformGraph,
    module: './penguin-model.ts', label: 'species', epochs: 10, batchSize: 16,
  };
  const tuner = p.add(Tuner({
    ...training,
    search: {
      strategy: 'random', trials: 8, seed: 7,
      space: { hidden: { values: [4, 8, 16, 32] }, learningRate: { min: 1e-3, max: 1e-1, scale: 'log' } },
      objective: { metric: 'val_accuracy' },
    },
  }));
  // the tuned values override the Trainer's own hparams
  p.add(Trainer({ ...training, epochs: 30, hyperparameters: tuner.outputs.bestHyperparameters }));
});
