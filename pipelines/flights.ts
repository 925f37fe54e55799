/**
 * Flights at scale: vega-datasets' flights-3m.parquet (3,000,000 flights of 2001: date, delay,
 * distance, origin, destination; 11 row groups, zstd) through the penguin pipeline's steps.
 * ExampleGen reads the Parquet file one row group at a time and splits it 2:1 by a hash of each
 * row into Arrow shards of 100,000 rows; StatisticsGen fans out one activity per shard; SchemaGen
 * infers the schema and ExampleValidator checks both splits against it.
 * Run it with `node bin/tsfx.js run pipelines/flights.ts` (add `--workers 2` to use both cores).
 */
import { definePipeline } from '../src/dsl/pipeline.js';
import { ExampleGen } from '../components/example-gen/index.js';
import { ExampleValidator } from '../components/example-validator/index.js';
import { SchemaGen } from '../components/schema-gen/index.js';
import { StatisticsGen } from '../components/statistics-gen/index.js';

export default definePipeline({ name: 'flights' }, (p) => {
  // paths resolve against this file's folder; the data ships in the vega-datasets npm package
  const gen = p.add(ExampleGen({ input: '../node_modules/vega-datasets/data/flights-3m.parquet', split: { train: 2, eval: 1 } }));
  const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
  const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }));
  p.add(ExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema }));
});
