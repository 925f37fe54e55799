/**
 * ExampleGen's driver (TFX's FileBasedDriver): resolves the input pattern(s) to files and the
 * latest span/version, and fingerprints them so new or changed files miss the cache.
 */
import { createHash } from 'node:crypto';
import type { Driver } from '../../src/dsl/component.js';
import { DataError } from '../../src/errors.js';
import { fingerprintFiles, resolveInputPattern, type ResolvedInput } from '../../src/io/input-files.js';
import type { ExampleGenResolved, ExampleGenSpec } from './spec.js';

async function resolveSplits(root: string, splits: Record<string, string>): Promise<ExampleGenResolved> {
  const bySplit: Record<string, ResolvedInput> = {};
  for (const [split, pattern] of Object.entries(splits)) bySplit[split] = await resolveInputPattern(root, pattern);
  // TFX insists every split comes from the same span: a train/eval pair from different days is a bug
  const spans = new Set(Object.values(bySplit).map((r) => `${r.span}/${r.version}`));
  if (spans.size > 1) {
    const each = Object.entries(bySplit).map(([s, r]) => `${s}: span ${r.span ?? '-'} version ${r.version ?? '-'}`);
    throw new DataError(`the splits resolve to different spans/versions (${each.join('; ')})`);
  }
  const first = Object.values(bySplit)[0]!;
  const splitFiles = Object.fromEntries(Object.entries(bySplit).map(([s, r]) => [s, r.files]));
  return {
    files: [...new Set(Object.values(splitFiles).flat())].sort(),
    ...(first.span !== undefined ? { span: first.span } : {}),
    ...(first.version !== undefined ? { version: first.version } : {}),
    splitFiles,
  };
}

// needs only the params and root (so executors and tests call it directly), no metadata
export const exampleGenDriver = (async ({ params, pipelineRoot }: Pick<Parameters<Driver<ExampleGenSpec>>[0], 'params' | 'pipelineRoot'>) => {
  const resolved: ExampleGenResolved = params.splits
    ? await resolveSplits(pipelineRoot, params.splits)
    : await resolveInputPattern(pipelineRoot, params.input!);
  const hash = createHash('sha256');
  hash.update(await fingerprintFiles(resolved.files));
  hash.update(JSON.stringify({ span: resolved.span, version: resolved.version, splitFiles: resolved.splitFiles }));
  const fingerprint = hash.digest('hex');
  return { fingerprint, resolved: { ...resolved, fingerprint } };
}) satisfies Driver<ExampleGenSpec, ExampleGenResolved>;
