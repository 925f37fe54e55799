/**
 * ExampleGen: brings files into a pipeline as split-aware Examples (Arrow IPC shards).
 * Reads TFRecord of tf.Example (plain or GZIP), CSV, JSON / NDJSON, Arrow IPC and Parquet (one row group at a time); resolves
 * `{SPAN}` / `{VERSION}` to the latest; splits rows by a stable hash into ratios, or takes
 * the splits as given per folder.
 *
 * @example
 *   const gen = p.add(ExampleGen({ input: 'data/span-{SPAN}/*.csv', split: { train: 2, eval: 1 } }));
 *   p.add(StatisticsGen({ examples: gen.outputs.examples }));
 */
import { defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { exampleGenDriver } from './driver.js';
import { exampleGenExecutor } from './executor.js';
import { exampleGenSpec, type ExampleGenResolved, type ExampleGenSpec } from './spec.js';

export { exampleGenSpec, ExampleGenParams, ExampleGenResolved, type ExampleGenSpec } from './spec.js';
export { exampleGenDriver } from './driver.js';
export { exampleGenExecutor, DEFAULT_SPLIT_RATIOS } from './executor.js';

/** The node factory a pipeline calls. */
export const ExampleGen = defineComponent(exampleGenSpec);

const impl: ComponentImpl<ExampleGenSpec, ExampleGenResolved | null | undefined> = {
  spec: exampleGenSpec,
  driver: exampleGenDriver,
  executor: exampleGenExecutor,
};

/** What the worker runs for an ExampleGen node (type-checked above, widened for the registry). */
export const exampleGenComponent = impl as ComponentImpl;
