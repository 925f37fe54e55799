/**
 * The pipeline the chaos suite runs under faults: generated CSV data through ExampleGen ->
 * StatisticsGen (fanned out, one shard activity per Examples shard) -> SchemaGen ->
 * ExampleValidator. Short heartbeat timeouts so a killed or paused worker is noticed within
 * seconds; many attempts, because the faults are ours and the run should outlast them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ExampleGen } from '../../components/example-gen/index.js';
import { ExampleValidator } from '../../components/example-validator/index.js';
import { SchemaGen } from '../../components/schema-gen/index.js';
import { StatisticsGen } from '../../components/statistics-gen/index.js';
import { definePipeline } from '../../src/dsl/pipeline.js';

const faultTolerant = {
  timeouts: { heartbeatMs: 3_000 },
  retry: { maximumAttempts: 60, initialIntervalMs: 200, backoffCoefficient: 1.5, maximumIntervalMs: 2_000 },
};

export const chaosPipeline = (dataFile: string) =>
  definePipeline({ name: 'chaos' }, (p) => {
    const gen = p.add(ExampleGen({ input: dataFile, rowsPerShard: 4_000, split: { train: 2, eval: 1 } }), faultTolerant);
    const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }), faultTolerant);
    const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }), faultTolerant);
    p.add(ExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema }), faultTolerant);
  });

/** Deterministic rows (the same file every time for one `rows`), mixed numeric and string features. */
export function writeChaosData(dir: string, rows: number): string {
  const file = path.join(dir, `chaos-${rows}.csv`);
  if (fs.existsSync(file)) return file;
  const islands = ['Biscoe', 'Dream', 'Torgersen'];
  const lines = ['id,island,bill,flipper,mass,year,note'];
  let x = 12345;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < rows; i++) {
    const note = next() < 0.1 ? '' : `n${Math.floor(next() * 50)}`;
    lines.push(
      `${i},${islands[i % 3]},${(30 + next() * 30).toFixed(2)},${Math.floor(170 + next() * 60)},${Math.floor(2700 + next() * 3600)},${2007 + (i % 3)},${note}`,
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${lines.join('\n')}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}
