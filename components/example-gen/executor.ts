/**
 * ExampleGen's executor: read the resolved input files, split the rows (by a stable hash and
 * ratios, or as given by folder), and write each split as Arrow IPC shards under the Examples
 * output. Rows stream from the readers into shards (stream.ts), so memory does not grow with
 * the input. It throws on any failure and publishes nothing itself: the adapter removes a
 * partial output folder and records the outcome.
 */
import fs from 'node:fs';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { Executor } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import type { KindMap } from '../../src/io/csv.js';
import { featureOf } from './conform.js';
import { exampleGenDriver } from './driver.js';
import { columnTypesOf, formatOf, inferFileKinds } from './read-inputs.js';
import { ExampleGenResolved, type ExampleGenSpec } from './spec.js';
import { ReadProgress, streamGivenSplits, streamHashSplits, type StreamInputs } from './stream.js';

export const DEFAULT_SPLIT_RATIOS = { train: 2, eval: 1 };

export const exampleGenExecutor: Executor<ExampleGenSpec, ExampleGenResolved | null | undefined> = async ({
  outputs,
  params,
  resolved,
  ctx,
}) => {
  // the adapter passes what the driver resolved; a direct call without it resolves here
  const res = resolved
    ? ExampleGenResolved.parse(resolved)
    : (await exampleGenDriver({ params, pipelineRoot: ctx.pipelineRoot })).resolved;

  const sizes = new Map(await Promise.all(res.files.map(async (f) => [f, (await fs.promises.stat(f)).size] as const)));
  const typed = res.files.filter((f) => ['csv', 'json'].includes(formatOf(f, params.format)));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0) + typed.reduce((a, f) => a + sizes.get(f)!, 0);
  const progress = new ReadProgress(ctx, total);

  // one inference over every CSV/JSON file, so a column has one type across files and splits
  const kinds: KindMap = new Map();
  for (const file of typed) {
    await progress.pass(file, sizes.get(file)!, 'inferring types of', (p) => inferFileKinds(file, params.format, kinds, p));
  }
  for (const name of Object.keys(params.columnTypes ?? {})) {
    // a typo here would silently leave the column inferred
    if (!kinds.has(name)) throw new DefinitionError(`'${name}' is not a column of any CSV/JSON input`, ['columnTypes', name]);
  }

  const io: StreamInputs = {
    params,
    ctx,
    outDir: outputs.examples.path,
    sizes,
    progress,
    columnTypes: columnTypesOf(kinds, params.columnTypes),
    onShard: (split, name, done, total) => ctx.heartbeat({ done, total, unit: 'shards', message: `wrote Split-${split}/${name}` }),
  };
  const out = res.splitFiles
    ? await streamGivenSplits(io, res.splitFiles)
    : await streamHashSplits(io, res.files, params.split ?? DEFAULT_SPLIT_RATIOS, new Set(kinds.keys()));
  ctx.log(`ExampleGen: ${Object.entries(out.rowCounts).map(([s, n]) => `${s} ${n} rows`).join(', ')} from ${res.files.length} file(s)`);

  const examples: ExamplesProperties = {
    splitNames: out.splitNames,
    rowCounts: out.rowCounts,
    shards: out.shards,
    features: out.specs.map(featureOf),
    ...(res.span !== undefined ? { span: res.span } : {}),
    ...(res.version !== undefined ? { version: res.version } : {}),
    ...(res.fingerprint ? { inputFingerprint: res.fingerprint } : {}),
    format: 'arrow-ipc-file',
  };
  return { examples };
};
