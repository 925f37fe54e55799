/**
 * StatisticsGen's spec: Examples in, ExampleStatistics out (TFMD DatasetFeatureStatisticsList
 * per split), with TFDV's defaults for the histogram and top-k sizes.
 */
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, type ComponentSpec } from '../../src/dsl/component.js';

export const StatisticsGenParams = z.object({
  /** splits to leave out (TFX's exclude_splits) */
  excludeSplits: z.array(z.string()).default([]),
  /** most frequent values kept per string feature */
  numTopValues: z.number().int().positive().default(20),
  /** equal-width histogram buckets per numeric feature */
  numHistogramBuckets: z.number().int().positive().default(10),
  /** quantiles histogram buckets per numeric feature */
  numQuantilesHistogramBuckets: z.number().int().positive().default(10),
  /**
   * weight every example by this feature (TFX's stats_options.weight_feature): adds TFDV's
   * weighted statistics next to the plain ones. It must be numeric with one value >= 0 in
   * every example, else StatisticsGen fails with a DataError naming the row.
   */
  weightFeature: z.string().min(1).optional(),
});
export type StatisticsGenParams = z.infer<typeof StatisticsGenParams>;

export const statisticsGenSpec = {
  name: 'StatisticsGen',
  // 2: weightFeature; features no example has are left out of a split's statistics
  // 3: median, quantile and standard histograms by TFDV's rank rule and interpolation; the
  //    sketch exact up to 2048 values
  version: '3',
  inputs: { examples: { type: 'Examples' } },
  outputs: { statistics: 'ExampleStatistics' },
  params: StatisticsGenParams,
  queue: 'cpu',
  retry: defaultRetry,
  timeouts: defaultTimeouts,
  // one activity per Examples shard, merged by the executor
  fanOut: true,
} as const satisfies ComponentSpec<
  { examples: { type: 'Examples' } },
  { statistics: 'ExampleStatistics' },
  typeof StatisticsGenParams
>;

export type StatisticsGenSpec = typeof statisticsGenSpec;

/** Where a split's statistics live inside the artifact, as TFX lays them out. */
export const STATS_FILE = 'FeatureStats.pb';
export const STATS_JSON_FILE = 'FeatureStats.json';
