/**
 * ExampleValidator's driver: finds the control side of drift in metadata (TFX does this with a
 * resolver node and a span-range strategy): the newest statistics of an earlier span that the
 * same StatisticsGen node made. Its id goes into the cache key and becomes an INPUT event, so
 * lineage shows what each span was compared with.
 */
import fs from 'node:fs';
import type { Driver, FoundArtifact } from '../../src/dsl/component.js';
import type { ExampleValidatorResolved, ExampleValidatorSpec } from './spec.js';

const spanOf = (a: FoundArtifact): number | undefined => {
  const span = (a.properties as { span?: unknown }).span;
  return typeof span === 'number' ? span : undefined;
};

export const exampleValidatorDriver: Driver<ExampleValidatorSpec, ExampleValidatorResolved> = async ({
  params,
  inputs,
  artifacts,
}) => {
  const stats = inputs.statistics[0]!;
  const wired = inputs.previousStatistics?.[0];
  if (wired) return { fingerprint: `wired:${wired.id}`, resolved: { previous: { artifactId: wired.id, span: spanOf(wired) ?? null } } };
  const current = spanOf(stats);
  if (!params.driftWithPreviousSpan || current === undefined) return { fingerprint: 'none', resolved: { previous: null } };

  const producer = stats.name.slice(0, stats.name.indexOf('.'));
  // statistics whose files are gone (removed by hand or by gc) cannot be compared with
  const earlier = (await artifacts.list({ type: 'ExampleStatistics', producer })).filter(
    (a) => (spanOf(a) ?? Infinity) < current && fs.existsSync(a.path),
  );
  // newest first, so the first of the highest earlier span is its latest version / rerun
  const best = earlier.reduce<FoundArtifact | undefined>((b, a) => (!b || spanOf(a)! > spanOf(b)! ? a : b), undefined);
  if (!best) return { fingerprint: 'none', resolved: { previous: null } };
  return {
    fingerprint: `previous:${best.id}`,
    resolved: { previous: { artifactId: best.id, span: spanOf(best)! } },
    inputs: { previousStatistics: [best.id] },
  };
};
