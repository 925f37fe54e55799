/**
 * Reading one split of an ExampleStatistics artifact back, for the components downstream of
 * StatisticsGen (SchemaGen, ExampleValidator): the file's one DatasetFeatureStatistics.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { InputArtifact } from '../../src/dsl/component.js';
import { DataError } from '../../src/errors.js';
import { decodeStatistics } from '../../src/stats/index.js';
import { STATS_FILE } from './spec.js';

type Obj = Record<string, unknown>;

/** The splits an ExampleStatistics artifact holds. */
export const statisticsSplits = (a: InputArtifact): string[] => (a.properties as { splitNames: string[] }).splitNames;

/** The statistics of `split` (which must be one of the artifact's splits). */
export async function readSplitDataset(a: InputArtifact, split: string): Promise<Obj> {
  const file = path.join(a.path, `Split-${split}`, STATS_FILE);
  const list = decodeStatistics(await fs.readFile(file), file) as { datasets?: Obj[] };
  if (list.datasets?.length !== 1) throw new DataError(`expected the statistics of one dataset, found ${list.datasets?.length ?? 0}`, file);
  return list.datasets[0]!;
}
