/**
 * One unit of StatisticsGen work in the bench: the partial statistics of one file. An Arrow
 * shard goes through shardPartial, exactly what a fanned-out StatisticsGen activity runs; a
 * TFRecord is decoded to Arrow first (what ExampleGen would have done), so TFRecord -> stats
 * compares with TFDV end to end.
 */
import path from 'node:path';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { readTfRecordExamples } from '../../src/io/tf-example.js';
import { accumulateTable, shardPartial, type DatasetPartial } from '../../src/stats/index.js';

export async function filePartial(file: string): Promise<DatasetPartial> {
  if (file.endsWith('.arrow')) return shardPartial(file);
  const builder = new ExampleBatchBuilder();
  await readTfRecordExamples(file, builder);
  return accumulateTable(builder.build().table, { source: path.basename(file) });
}
