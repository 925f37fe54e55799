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

/** The schema file's bytes and digest, read once; an unreadable file is a DataError naming it. */
export async function readSchemaFile(file: string): Promise<{ bytes: Buffer; sha256: string; size: number }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new DataError(`cannot read the schema file: ${(err as Error).message}`, file);
  }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

export const importSchemaGenDriver: Driver<ImportSchemaGenSpec, ImportSchemaGenResolved> = async ({
  params,
  pipelineRoot,
  inputs,
  artifacts,
}) => {
  const wired = inputs.source?.[0];
  if (wired) {
    const { sha256 } = await readSchemaFile(wired.path);
    return { fingerprint: sha256, resolved: { file: wired.path, sha256 } };
  }
  if (!params.schemaFile)
    throw new DefinitionError('ImportSchemaGen needs schemaFile (or a wired source artifact)', ['params', 'schemaFile']);
  const file = path.resolve(pipelineRoot, params.schemaFile);
  const { sha256, size } = await readSchemaFile(file);
  const id = await artifacts.importFile(file, { sha256, size });
  return { fingerprint: sha256, resolved: { file, sha256 }, inputs: { source: [id] } };
};
