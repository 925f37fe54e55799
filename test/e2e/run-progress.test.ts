/**
 * `tsfx run` as a user runs it (stdout a pipe, so the line view): an ExampleGen long enough to
 * heartbeat several times prints what its heartbeats say, bytes done of total with a percentage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { runTsfx } from '../helpers/cli.js';

let env: E2eEnv;

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => env?.close());

const CHUNKS = 100;

/** ~65 MB of CSV: 1M rows x 12 columns, several seconds of ExampleGen on this machine (heartbeats are 1/s). */
function bigCsv(file: string): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, `${Array.from({ length: 12 }, (_, i) => `c${i}`).join(',')}\n`);
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const lines: string[] = [];
    for (let r = 0; r < 10_000; r++) {
      const n = chunk * 10_000 + r;
      lines.push(`${n},${n * 0.5},${n % 97},word${n % 13},${n % 7},${n * 3},${n % 1000},x${n % 31},${n % 5},${n / 7},${n % 11},y${n % 3}`);
    }
    fs.writeSync(fd, `${lines.join('\n')}\n`);
  }
  fs.closeSync(fd);
}

describe('tsfx run progress', () => {
  it("prints an ExampleGen's heartbeat progress (bytes done/total, percentage) when stdout is not a terminal", async () => {
    const file = path.join(env.config.home, 'big.csv');
    bigCsv(file);
    const size = fs.statSync(file).size;
    const r = await runTsfx(env.env, 'run', 'test/fixtures/pipelines/big-input.ts', '--param', `ExampleGen.input=${file}`);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^\s+\S+ ExampleGen\s/.test(l));
    // e.g. "  > ExampleGen  RUNNING  3.1s  41% 24.6M/59.8M bytes  read big.csv"
    const progress = lines.filter((l) => /RUNNING.*\b\d+% [\d.]+[kMG]?\/[\d.]+[kMG]? bytes\b/.test(l));
    expect(progress.length, r.stdout).toBeGreaterThan(0);
    // every pass over the file counts: the CSV type inference, then the read
    expect(progress[0]).toContain(`/${Number(((2 * size) / 1e6).toPrecision(4))}M bytes`);
    expect(lines.at(-1)).toMatch(/ExampleGen {2}COMPLETE/);

    // the cached rerun's --json: node times as ISO 8601 UTC strings, as in every --json output
    const again = await runTsfx(env.env, 'run', 'test/fixtures/pipelines/big-input.ts', '--param', `ExampleGen.input=${file}`, '--json');
    expect(again.code, again.stderr).toBe(0);
    const node = (JSON.parse(again.stdout) as { nodes: Record<string, { status: string; startedAt: unknown; finishedAt: unknown }> }).nodes.ExampleGen!;
    expect(node.status).toBe('CACHED');
    expect(node.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(node.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
