/**
 * Read a Schema artifact: its binary form, or its text form when only that exists (a curated
 * schema imported by ImportSchemaGen). Shared by every component that takes a Schema.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeSchema, parseSchemaText, type Schema } from '../../src/schema/index.js';
import { SCHEMA_BINARY_FILE, SCHEMA_TEXT_FILE } from './spec.js';

export async function readSchemaArtifact(folder: string): Promise<Schema> {
  const binary = path.join(folder, SCHEMA_BINARY_FILE);
  try {
    return decodeSchema(await fs.readFile(binary), binary);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const text = path.join(folder, SCHEMA_TEXT_FILE);
  return parseSchemaText(await fs.readFile(text, 'utf8'), text);
}
