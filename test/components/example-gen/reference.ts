/**
 * The whole-table ExampleGen (what it did before streaming): every input file into one
 * builder per split source, one table, split by hash, aligned on one schema. The streaming
 * executor must give the same rows in the same split, in the same order, with the same schema.
 */
import type { Table } from 'apache-arrow';
import type { FeatureColumn } from '../../../schemas/artifacts.js';
import { ExampleBatchBuilder } from '../../../src/io/columns.js';
import type { KindMap } from '../../../src/io/csv.js';
import { assemble, featureOf, takeRows, unionOfSplits, widenSpecs, type ColumnSpec } from '../../../components/example-gen/conform.js';
import { columnTypesOf, inferFileKinds, readInputFile } from '../../../components/example-gen/read-inputs.js';
import { assignSplits, rowHashes, splitKeyNames } from '../../../components/example-gen/split.js';

async function readAll(files: string[], columnTypes: Record<string, FeatureColumn['kind']>) {
  const b = new ExampleBatchBuilder();
  for (const f of files) await readInputFile(f, 'auto', b, columnTypes, {});
  const { table, features } = b.build();
  const specs = new Map<string, ColumnSpec>();
  widenSpecs(specs, features);
  return { table, specs: [...specs.values()] };
}

export async function referenceExampleGen(opts: {
  files: string[];
  splitFiles?: Record<string, string[]>;
  ratios?: Record<string, number>;
  splitBy?: string[];
}): Promise<{ tables: Record<string, Table>; features: FeatureColumn[] }> {
  const kinds: KindMap = new Map();
  for (const f of opts.files) await inferFileKinds(f, 'auto', kinds);
  const columnTypes = columnTypesOf(kinds);
  const tables: Record<string, Table> = {};
  if (opts.splitFiles) {
    const parts = [];
    for (const [split, files] of Object.entries(opts.splitFiles)) parts.push({ split, ...(await readAll(files, columnTypes)) });
    const specs = unionOfSplits(parts);
    for (const p of parts) tables[p.split] = assemble([{ table: p.table, from: 0, to: p.table.numRows }], specs);
    return { tables, features: specs.map(featureOf) };
  }
  const { table, specs } = await readAll(opts.files, columnTypes);
  const names = splitKeyNames(table.schema.fields.map((f) => f.name), opts.splitBy);
  for (const [split, rows] of assignSplits(rowHashes(table, names), opts.ratios ?? { train: 2, eval: 1 })) tables[split] = takeRows(table, rows);
  return { tables, features: specs.map(featureOf) };
}
