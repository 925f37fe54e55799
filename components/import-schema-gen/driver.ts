/**
 * ImportSchemaGen's driver: reads the checked-in schema's bytes, and records the file as an
 * ExternalArtifact keyed by its sha256, so an edited schema is a new artifact (and a cache
 * miss) while an unchanged one is the same artifact run after run.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Driver } from '../../src/dsl/component.js';
import { DataError, DefinitionError } from '../../src/errors.js';
import type { ImportSchemaGenResolved, ImportSchemaGenSpec } from './spec.js';

export async function fileDigest(file: string): Promise<{ sha256: string; size: number }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new DataError(`cannot read the schema file: ${(err as Error).message}`, file);
  }
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

export const importSchemaGenDriver: Driver<ImportSchemaGenSpec, ImportSchemaGenResolved> = async ({
  params,
  pipelineRoot,
  inputs,
  artifacts,
}) => {
  const wired = inputs.source?.[0];
  if (wired) {
    const digest = await fileDigest(wired.path);
    return { fingerprint: digest.sha256, resolved: { file: wired.path, sha256: digest.sha256 } };
  }
  if (!params.schemaFile)
    throw new DefinitionError('ImportSchemaGen needs schemaFile (or a wired source artifact)', ['params', 'schemaFile']);
  const file = path.resolve(pipelineRoot, params.schemaFile);
  const digest = await fileDigest(file);
  const id = await artifacts.importFile(file, digest);
  return { fingerprint: digest.sha256, resolved: { file, sha256: digest.sha256 }, inputs: { source: [id] } };
};
