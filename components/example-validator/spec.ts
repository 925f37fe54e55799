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
  /**
   * Drift: when the statistics carry a span and no previousStatistics are wired, the newest
   * statistics of an earlier span made by the same node are found in metadata, and each split
   * is compared with the same split there by the schema's drift_comparator per feature.
   */
  driftWithPreviousSpan: z.boolean().default(true),
  /**
   * Skew: `trainingSplit` compared by the schema's skew_comparator per feature with
   * `servingSplit` of the servingStatistics input when wired (its only split if not named),
   * else with `servingSplit` of the statistics themselves (train vs. eval).
   */
  skew: z
    .object({ trainingSplit: z.string().default('train'), servingSplit: z.string().optional() })
    .optional(),
});
export type ExampleValidatorParams = z.infer<typeof ExampleValidatorParams>;

const inputs = {
  statistics: { type: 'ExampleStatistics' },
  schema: { type: 'Schema' },
  /** the control side of drift; filled from metadata by the driver when left unwired */
  previousStatistics: { type: 'ExampleStatistics', optional: true },
  /** the control side of skew: statistics of serving data */
  servingStatistics: { type: 'ExampleStatistics', optional: true },
} as const;
const outputs = { anomalies: 'ExampleAnomalies' } as const;

export const exampleValidatorSpec = {
  name: 'ExampleValidator',
  version: '3',
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
  /** what drift and skew were measured against, when anything */
  comparedWith?: {
    previous?: { artifactId: number; span: number | null };
    serving?: { artifactId: number; split: string; trainingSplit: string };
  };
};

/** What the driver resolved: the previous span's statistics, if any (null: none). */
export interface ExampleValidatorResolved {
  previous: { artifactId: number; span: number | null } | null;
}
