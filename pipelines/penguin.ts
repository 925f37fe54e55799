/**
 * The example pipeline: Palmer penguins (vega-datasets' penguins.json), brought in by
 * ExampleGen and split 2:1 into train and eval by a hash of each row, then described by
 * StatisticsGen (TFDV's statistics per split, in TFMD's wire format) and a schema inferred from
 * them by SchemaGen (TFDV's infer_schema), against which ExampleValidator checks every split.
 * Run it with `npm run example` (or `node bin/tsfx.js run pipelines/penguin.ts`).
 */
import { definePipeline } from '../src/dsl/pipeline.js';
import { ExampleGen } from '../components/example-gen/index.js';
import { ExampleValidator } from '../components/example-validator/index.js';
import { SchemaGen } from '../components/schema-gen/index.js';
import { StatisticsGen } from '../components/statistics-gen/index.js';

export default definePipeline({ name: 'penguin' }, (p) => {
  // paths resolve against this file's folder; the data ships in the vega-datasets npm package
  const gen = p.add(ExampleGen({ input: '../node_modules/vega-datasets/data/penguins.json', split: { train: 2, eval: 1 } }));
  const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
  const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }));
  p.add(ExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema }));
});
