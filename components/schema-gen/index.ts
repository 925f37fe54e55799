/**
 * SchemaGen: a TFMD Schema inferred from ExampleStatistics the way TFDV's infer_schema does
 * (type, presence, value count or shape, bool / int / string domains), written as
 * `schema.pbtxt` (text format, as TFX writes it) and `schema.pb` (binary).
 *
 * @example
 * const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }));
 */
import { defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { schemaGenExecutor } from './executor.js';
import { SchemaGenParams, schemaGenSpec } from './spec.js';

export const SchemaGen = defineComponent(schemaGenSpec);

export const schemaGenComponent = {
  spec: schemaGenSpec,
  executor: schemaGenExecutor,
} satisfies ComponentImpl<typeof schemaGenSpec> as ComponentImpl;

export { SchemaGenParams, schemaGenSpec, schemaGenExecutor };
