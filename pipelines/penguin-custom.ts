/**
 * The penguin data through a custom component (pipelines/components/missing-values.ts): tsfx
 * is imported by its package name, exactly as from another project. Run it with
 * `node bin/tsfx.js run pipelines/penguin-custom.ts`; `tsfx show`/`tsfx artifact` print the report.
 */
import { definePipeline, ExampleGen, StatisticsGen } from 'tsfx';
import { MissingValues } from './components/missing-values.js';

export default definePipeline({ name: 'penguin-custom' }, (p) => {
  const gen = p.add(ExampleGen({ input: '../node_modules/vega-datasets/data/penguins.json', split: { train: 2, eval: 1 } }));
  p.add(StatisticsGen({ examples: gen.outputs.examples }));
  p.add(MissingValues({ examples: gen.outputs.examples, minShare: 0.001 }));
});
