/**
 * ImportSchemaGen: a curated schema (TFMD text format, checked in next to the pipeline) used
 * in place of SchemaGen's inferred one, with lineage back to the file.
 *
 * @example
 * const schema = p.add(ImportSchemaGen({ schemaFile: 'schema/penguin.pbtxt' }));
 * p.add(ExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema }));
 */
import { defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { importSchemaGenDriver } from './driver.js';
import { importSchemaGenExecutor } from './executor.js';
import { ImportSchemaGenParams, importSchemaGenSpec } from './spec.js';

export const ImportSchemaGen = defineComponent(importSchemaGenSpec);

export const importSchemaGenComponent = {
  spec: importSchemaGenSpec,
  executor: importSchemaGenExecutor,
  driver: importSchemaGenDriver,
} satisfies ComponentImpl<typeof importSchemaGenSpec> as ComponentImpl;

export { ImportSchemaGenParams, importSchemaGenSpec, importSchemaGenExecutor, importSchemaGenDriver };
