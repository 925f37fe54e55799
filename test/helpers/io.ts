/** Shared by the reader tests: a scratch folder, files in it, and "this must be a DataError". */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { DataError } from '../../src/errors.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';

/** A temp folder removed after the file's tests, and a writer of text files into it. */
export function scratchDir(prefix: string): { dir: string; write: (name: string, text: string) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  return { dir, write };
}

/** Awaits a promise that must reject with a DataError, and returns the error. */
export async function dataError(p: Promise<unknown>): Promise<DataError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

/** Runs a reader into a fresh builder; returns the table, features, kinds by name and rows as JSON. */
export async function readWith(fill: (b: ExampleBatchBuilder) => Promise<unknown>) {
  const b = new ExampleBatchBuilder();
  await fill(b);
  const { table, features } = b.build();
  const kinds = Object.fromEntries(features.map((f) => [f.name, f.kind]));
  const rows = table.toArray().map((r) => r.toJSON() as Record<string, unknown>);
  return { table, features, kinds, rows };
}
