/**
 * StatisticsGen: TFDV's per-feature statistics of every split of an Examples artifact, in
 * TFMD's wire format (`Split-<name>/FeatureStats.pb`, which TFDV's load_stats_binary reads).
 *
 * @example
 * const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
 */
import { defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { statisticsGenExecutor, statisticsGenFanOut } from './executor.js';
import { StatisticsGenParams, statisticsGenSpec } from './spec.js';

export const StatisticsGen = defineComponent(statisticsGenSpec);

export const statisticsGenComponent = {
  spec: statisticsGenSpec,
  executor: statisticsGenExecutor,
  fanOut: statisticsGenFanOut,
} satisfies ComponentImpl<typeof statisticsGenSpec> as ComponentImpl;

export { StatisticsGenParams, statisticsGenSpec, statisticsGenExecutor };
