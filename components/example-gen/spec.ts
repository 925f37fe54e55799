/**
 * ExampleGen's spec: no inputs, one Examples output, params that say where the input files
 * are and how to split them.
 */
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, type ComponentSpec } from '../../src/dsl/component.js';

const SPLIT_NAME = /^[A-Za-z0-9_-]+$/;

/** A record keyed by split name; checked here rather than by a key schema so the message says why. */
const bySplit = <T extends z.ZodType>(value: T, what: string) =>
  z.record(z.string(), value).superRefine((r, ctx) => {
    if (Object.keys(r).length === 0) ctx.addIssue({ code: 'custom', message: `give at least one ${what}` });
    for (const k of Object.keys(r)) {
      if (!SPLIT_NAME.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `split name '${k}': use letters, digits, _ and -` });
    }
  });

export const InputFormat = z.enum(['auto', 'tfrecord', 'tfrecord-gzip', 'csv', 'json', 'arrow', 'parquet']);
export type InputFormat = z.infer<typeof InputFormat>;

export const ExampleGenParams = z
  .object({
    /** file pattern relative to the pipeline root: a glob with optional `{SPAN}` / `{VERSION}` */
    input: z.string().min(1).optional(),
    /** one pattern per output split, when the data comes already split: `{ train: 'train/*.csv', eval: … }` */
    splits: bySplit(z.string().min(1), 'split').optional(),
    /** `auto` picks by extension: .tfrecord/.tfrecords/.rio, .gz, .csv, .json/.ndjson/.jsonl, .arrow/.feather/.arrows, .parquet/.parq */
    format: InputFormat.default('auto'),
    /** split ratios by hash bucket (TFX's hash_buckets); default `{ train: 2, eval: 1 }` */
    split: bySplit(z.number().positive(), 'split ratio').optional(),
    /** features whose values decide a row's split; default: all of the row's values */
    splitBy: z.array(z.string().min(1)).min(1).optional(),
    /** types of CSV/JSON columns, overriding inference */
    columnTypes: z.record(z.string(), z.enum(['int', 'float', 'bytes'])).optional(),
    /** rows per output shard; more rows make more shards */
    rowsPerShard: z.number().int().positive().default(100_000),
  })
  .superRefine((p, ctx) => {
    if (p.input === undefined && p.splits === undefined) {
      ctx.addIssue({ code: 'custom', path: ['input'], message: 'give either input (a file pattern) or splits (a pattern per split)' });
    }
    if (p.input !== undefined && p.splits !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['splits'], message: 'give either input or splits, not both' });
    }
    if (p.splits !== undefined && p.split !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['split'], message: 'ratios only apply to a single input; with splits the data is already split' });
    }
    if (p.splits !== undefined && p.splitBy !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['splitBy'], message: 'splitBy only applies to a single input split by ratios' });
    }
  });
export type ExampleGenParams = z.infer<typeof ExampleGenParams>;

/** What the driver resolved; small JSON that crosses Temporal to the executor. */
export const ExampleGenResolved = z.object({
  /** every input file, absolute, sorted */
  files: z.array(z.string()),
  span: z.number().int().nonnegative().optional(),
  version: z.number().int().nonnegative().optional(),
  /** files of each given split (params.splits) */
  splitFiles: z.record(z.string(), z.array(z.string())).optional(),
  /** the driver's fingerprint, recorded on the Examples */
  fingerprint: z.string().optional(),
});
export type ExampleGenResolved = z.infer<typeof ExampleGenResolved>;

export const exampleGenSpec = {
  name: 'ExampleGen',
  version: '1',
  inputs: {},
  outputs: { examples: 'Examples' },
  params: ExampleGenParams,
  queue: 'cpu',
  retry: defaultRetry,
  timeouts: defaultTimeouts,
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no inputs: `{}` is the empty input map ComponentSpec expects
} as const satisfies ComponentSpec<{}, { examples: 'Examples' }, typeof ExampleGenParams>;

export type ExampleGenSpec = typeof exampleGenSpec;
