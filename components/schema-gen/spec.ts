/**
 * SchemaGen's spec: ExampleStatistics in, a TFMD Schema out, with TFX's defaults
 * (infer_feature_shape on, no split excluded).
 */
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, type ComponentSpec } from '../../src/dsl/component.js';

export const SchemaGenParams = z.object({
  /** splits whose statistics are left out of the inference (TFX's exclude_splits) */
  excludeSplits: z.array(z.string()).default([]),
  /** required fixed-length features get `shape` instead of `value_count` (TFX's infer_feature_shape) */
  inferFeatureShape: z.boolean().default(true),
  /** string features with more distinct values than this get no domain (TFDV's max_string_domain_size) */
  maxStringDomainSize: z.number().int().positive().default(100),
});
export type SchemaGenParams = z.infer<typeof SchemaGenParams>;

export const schemaGenSpec = {
  name: 'SchemaGen',
  version: '1',
  inputs: { statistics: { type: 'ExampleStatistics' } },
  outputs: { schema: 'Schema' },
  params: SchemaGenParams,
  queue: 'cpu',
  retry: defaultRetry,
  timeouts: defaultTimeouts,
} as const satisfies ComponentSpec<{ statistics: { type: 'ExampleStatistics' } }, { schema: 'Schema' }, typeof SchemaGenParams>;

export type SchemaGenSpec = typeof schemaGenSpec;

/** The files in a Schema artifact: TFX's name for the text form, plus the binary. */
export const SCHEMA_TEXT_FILE = 'schema.pbtxt';
export const SCHEMA_BINARY_FILE = 'schema.pb';
