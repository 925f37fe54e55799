/**
 * ExampleValidator: the statistics of every split checked against a schema the way TFDV's
 * validate_statistics does, written as TFMD Anomalies (`Split-<name>/SchemaDiff.pb`).
 *
 * @example
 * p.add(ExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema }));
 */
import { defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { exampleValidatorDriver } from './driver.js';
import { anomaliesSummary, exampleValidatorExecutor } from './executor.js';
import { ExampleValidatorParams, exampleValidatorSpec, type ExampleAnomaliesProperties } from './spec.js';

export const ExampleValidator = defineComponent(exampleValidatorSpec);

export const exampleValidatorComponent = {
  spec: exampleValidatorSpec,
  executor: exampleValidatorExecutor,
  driver: exampleValidatorDriver,
  halt: ({ params, properties }) =>
    params.haltOnAnomalies ? anomaliesSummary(properties.anomalies as ExampleAnomaliesProperties)?.message : undefined,
} satisfies ComponentImpl<typeof exampleValidatorSpec> as ComponentImpl;

export { anomaliesSummary, ExampleValidatorParams, exampleValidatorSpec, exampleValidatorExecutor, type ExampleAnomaliesProperties };
