/**
 * ImportSchemaGen: the checked-in text schema, parsed (so a typo fails here, naming the line,
 * not later in ExampleValidator), copied verbatim as `schema.pbtxt` as TFX does, and written
 * as TFMD binary (`schema.pb`) beside it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { SCHEMA_BINARY_FILE, SCHEMA_TEXT_FILE } from '../schema-gen/spec.js';
import type { Executor } from '../../src/dsl/component.js';
import { DataError } from '../../src/errors.js';
import { encodeSchema, parseSchemaText } from '../../src/schema/index.js';
import { readSchemaFile } from './driver.js';
import type { ImportSchemaGenResolved, ImportSchemaGenSpec } from './spec.js';

export const importSchemaGenExecutor: Executor<ImportSchemaGenSpec, ImportSchemaGenResolved | null> = async ({
  inputs,
  outputs,
  resolved,
  ctx,
}) => {
  const source = inputs.source?.[0];
  const file = source?.path ?? resolved?.file;
  if (!file) throw new DataError('ImportSchemaGen has no schema file: neither imported nor wired');
  const { bytes, sha256 } = await readSchemaFile(file);
  // what was imported (and cached under) must be what is written
  if (resolved && resolved.sha256 !== sha256)
    throw new DataError(`the schema file changed after it was imported (sha256 ${resolved.sha256.slice(0, 12)}… is now ${sha256.slice(0, 12)}…); run again`, file);
  const text = bytes.toString('utf8');
  const schema = parseSchemaText(text, file);
  await fs.mkdir(outputs.schema.path, { recursive: true });
  await fs.writeFile(path.join(outputs.schema.path, SCHEMA_TEXT_FILE), text);
  await fs.writeFile(path.join(outputs.schema.path, SCHEMA_BINARY_FILE), encodeSchema(schema));
  ctx.log(`ImportSchemaGen: ${schema.feature.length} features from ${file}`);
  return { schema: { features: schema.feature.length, file: SCHEMA_TEXT_FILE, source: file, sha256 } };
};
