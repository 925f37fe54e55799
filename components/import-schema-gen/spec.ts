/**
 * ImportSchemaGen's spec (TFX's ImportSchemaGen): a schema the user checked in, in TFMD text
 * format, becomes the pipeline's Schema artifact instead of an inferred one.
 */
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, type ComponentSpec } from '../../src/dsl/component.js';

export const ImportSchemaGenParams = z.object({
  /** the schema's text file, relative to the pipeline file's folder (TFX's schema_file) */
  schemaFile: z.string().min(1).optional(),
});
export type ImportSchemaGenParams = z.infer<typeof ImportSchemaGenParams>;

const inputs = {
  /**
   * The file as an ExternalArtifact: the driver imports `schemaFile` (an Importer execution,
   * so lineage reaches the file and its sha256); wire one here instead to skip that.
   */
  source: { type: 'ExternalArtifact', optional: true },
} as const;
const outputs = { schema: 'Schema' } as const;

export const importSchemaGenSpec = {
  name: 'ImportSchemaGen',
  version: '1',
  inputs,
  outputs,
  params: ImportSchemaGenParams,
  queue: 'cpu',
  retry: defaultRetry,
  timeouts: defaultTimeouts,
} as const satisfies ComponentSpec<typeof inputs, typeof outputs, typeof ImportSchemaGenParams>;

export type ImportSchemaGenSpec = typeof importSchemaGenSpec;

/** What the driver found: the file and the digest it was imported with. */
export interface ImportSchemaGenResolved {
  file: string;
  sha256: string;
}
