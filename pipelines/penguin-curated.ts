/**
 * The penguin pipeline with a curated schema: instead of inferring a schema every run, the one
 * reviewed and checked in (schema/penguin.pbtxt) is imported by ImportSchemaGen, with lineage to
 * the file. ExampleValidator checks every split against it, measures train-vs-eval skew with the
 * comparators the schema sets, and (with spans) drift against the previous span's statistics,
 * found in metadata.
 * Run it with `node bin/tsfx.js run pipelines/penguin-curated.ts`.
 */
import { definePipeline } from '../src/dsl/pipeline.js';
import { ExampleGen } from '../components/example-gen/index.js';
import { ExampleValidator } from '../components/example-validator/index.js';
import { ImportSchemaGen } from '../components/import-schema-gen/index.js';
import { StatisticsGen } from '../components/statistics-gen/index.js';

export default definePipeline({ name: 'penguin-curated' }, (p) => {
  const gen = p.add(ExampleGen({ input: '../node_modules/vega-datasets/data/penguins.json', split: { train: 2, eval: 1 } }));
  const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
  const schema = p.add(ImportSchemaGen({ schemaFile: 'schema/penguin.pbtxt' }));
  p.add(
    ExampleValidator({
      statistics: stats.outputs.statistics,
      schema: schema.outputs.schema,
      skew: { trainingSplit: 'train', servingSplit: 'eval' },
    }),
  );
});
