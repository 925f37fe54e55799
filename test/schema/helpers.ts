/** Statistics for schema tests (hand-made decoded objects, or the real thing from rows) and the TFDV runner. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Table } from 'apache-arrow';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { accumulateTable, decodeStatistics, encodeStatistics, statisticsList } from '../../src/stats/index.js';
// the pins test/stats/tfdv.test.ts uses, so the cached 'tfdv' venv is shared
import { TFDV_REQUIREMENTS } from '../helpers/python-pins.js';

type Obj = Record<string, unknown>;

/** One FeatureNameStatistics in decoded form. `values`: string values with counts, most frequent first. */
export function feat(
  name: string,
  type: 'INT' | 'FLOAT' | 'STRING' | 'BYTES',
  c: { present: number; missing: number; minValues: number; maxValues: number },
  extra: { values?: [string, number][]; unique?: number; invalidUtf8?: number; min?: number; max?: number } = {},
): Obj {
  const commonStats = { numNonMissing: c.present, numMissing: c.missing, minNumValues: c.minValues, maxNumValues: c.maxValues };
  const out: Obj = { path: { step: [name] }, type };
  if (type === 'STRING') {
    const values = extra.values ?? [];
    out.stringStats = {
      commonStats,
      unique: extra.unique ?? values.length,
      topValues: values.map(([value, frequency]) => ({ value, frequency })),
      rankHistogram: { buckets: values.map(([label, sampleCount], i) => ({ lowRank: i, highRank: i, label, sampleCount })) },
      invalidUtf8Count: extra.invalidUtf8 ?? 0,
    };
  } else if (type === 'BYTES') {
    out.bytesStats = { commonStats, unique: extra.unique ?? 0 };
  } else {
    out.numStats = { commonStats, min: extra.min ?? 0, max: extra.max ?? 5 };
  }
  return out;
}

export const dataset = (features: Obj[], numExamples = 10): Obj => ({ name: 'train', numExamples, features });

type Cell = number | string | (number | string)[] | null;

/** TFMD statistics of rows, through tsfx's StatisticsGen engine and a binary round trip. */
export function statsOfRows(kinds: Record<string, 'int' | 'float' | 'bytes'>, rows: Record<string, Cell>[]): Obj {
  const b = new ExampleBatchBuilder();
  for (const r of rows) {
    const row = b.beginRow();
    for (const [name, kind] of Object.entries(kinds)) {
      const col = b.column(name, kind);
      const v = r[name];
      if (v === null || v === undefined) continue;
      col.present(row);
      for (const x of Array.isArray(v) ? v : [v]) {
        if (kind === 'float') col.pushFloat(x as number);
        else if (kind === 'int') col.pushInt(x as number);
        else col.pushString(String(x));
      }
    }
  }
  const table: Table = b.build().table;
  const list = decodeStatistics(encodeStatistics(statisticsList([['train', accumulateTable(table)]]))) as { datasets: Obj[] };
  return list.datasets[0]!;
}

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs a script of test/schema in the pinned TFDV venv (built once, shared with test/stats); returns its last stdout line as JSON. */
export async function runTfdvScript<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfdv', ...TFDV_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
  const python = stdout.trim().split('\n').pop()!;
  const py = await run(python, [path.join(here, script), ...args], {
    cwd: here,
    maxBuffer: 64 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
  });
  return JSON.parse(py.stdout.trim().split('\n').pop()!) as T;
}
