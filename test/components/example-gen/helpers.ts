/** Running ExampleGen's driver + executor directly (no Temporal) and reading its output back. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import type { z } from 'zod';
import { parseArtifactProperties, type ExamplesProperties } from '../../../schemas/artifacts.js';
import type { ExecutorContext, Progress } from '../../../src/dsl/component.js';
import { readSplit } from '../../../src/io/arrow-shards.js';
import { ExampleGenParams, exampleGenDriver, exampleGenExecutor } from '../../../components/example-gen/index.js';

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tsfx-eg-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Remove every folder tempDir made (call from afterAll). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function writeFiles(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
}

export function makeCtx(root: string, signal = new AbortController().signal) {
  const beats: Progress[] = [];
  const logs: string[] = [];
  const ctx: ExecutorContext = {
    pipelineName: 'test',
    nodeId: 'ExampleGen',
    executionId: 1,
    pipelineRoot: root,
    // never under root: tests point root at data folders (node_modules' vega-datasets)
    workDir: path.join(tempDir('work'), 'w'),
    heartbeat: (p) => beats.push(p),
    log: (m) => logs.push(m),
    signal,
  };
  return { ctx, beats, logs };
}

export async function runExampleGen(root: string, params: z.input<typeof ExampleGenParams>, opts: { signal?: AbortSignal } = {}) {
  const parsed = ExampleGenParams.parse(params);
  const { fingerprint, resolved } = await exampleGenDriver({ params: parsed, pipelineRoot: root });
  const out = tempDir('out');
  const { ctx, beats, logs } = makeCtx(root, opts.signal);
  // JSON round trip: resolved crosses Temporal as JSON in a real run
  const result = await exampleGenExecutor({
    inputs: {},
    outputs: { examples: { type: 'Examples', uri: out, path: out } },
    params: parsed,
    resolved: JSON.parse(JSON.stringify(resolved)),
    ctx,
  });
  const props = parseArtifactProperties('Examples', result.examples);
  return { props, out, beats, logs, fingerprint, resolved };
}

/** A row as a stable string: bigints tagged, lists as arrays, bytes as hex. */
export function canonicalRows(table: Table): string[] {
  return table.toArray().map((r) =>
    JSON.stringify(r.toJSON(), (_k, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (v !== null && typeof v === 'object' && Symbol.iterator in v && !Array.isArray(v)) return [...(v as Iterable<unknown>)];
      return v;
    }),
  );
}

export async function readAllSplits(out: string, props: ExamplesProperties): Promise<Record<string, Table>> {
  const tables: Record<string, Table> = {};
  for (const split of props.splitNames) tables[split] = await readSplit(out, props, split);
  return tables;
}

export const schemaOf = (t: Table) => t.schema.fields.map((f) => `${f.name}: ${String(f.type)}`);

export const sorted = (xs: string[]) => [...xs].sort();
