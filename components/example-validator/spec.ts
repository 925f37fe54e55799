/**
 * ExampleValidator's spec: ExampleStatistics and a Schema in, ExampleAnomalies out (TFMD
 * Anomalies per split, as TFX writes them), with TFX's default of no split excluded.
 */
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, type ComponentSpec } from '../../src/dsl/component.js';

export const ExampleValidatorParams = z.object({
  /** splits whose statistics are not checked (TFX's exclude_splits) */
  excludeSplits: z.array(z.string()).default([]),
  /** stop the run after recording the anomalies (nothing downstream, e.g. Trainer, runs); off: record and go on */
  haltOnAnomalies: z.boolean().default(false),
});
export type ExampleValidatorParams = z.infer<typeof ExampleValidatorParams>;

const inputs = { statistics: { type: 'ExampleStatistics' }, schema: { type: 'Schema' } } as const;
const outputs = { anomalies: 'ExampleAnomalies' } as const;

export const exampleValidatorSpec = {
  name: 'ExampleValidator',
  version: '1',
  inputs,
  outputs,
  params: ExampleValidatorParams,
  queue: 'cpu',
  retry: defaultRetry,
  timeouts: defaultTimeouts,
} as const satisfies ComponentSpec<typeof inputs, typeof outputs, typeof ExampleValidatorParams>;

export type ExampleValidatorSpec = typeof exampleValidatorSpec;

/** Where a split's anomalies live inside the artifact: TFX's name for the binary, plus a JSON view. */
export const ANOMALIES_FILE = 'SchemaDiff.pb';
export const ANOMALIES_JSON_FILE = 'SchemaDiff.json';

/** The properties an ExampleAnomalies artifact carries: small enough to cross Temporal. */
// a type alias, not an interface: it must fit the artifact registry's open (passthrough) record
export type ExampleAnomaliesProperties = {
  splitNames: string[];
  /** anomaly reasons over every split */
  anomalyCount: number;
  /** per split, `feature:TYPE` per reason (`(dataset):TYPE` for dataset-level ones) */
  anomalies: Record<string, string[]>;
};
