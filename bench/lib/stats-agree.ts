/**
 * Do two DatasetFeatureStatisticsList binaries (tsfx's and TFDV's) agree on the exact
 * statistics? Compares the example count and, per feature: type, non-missing / missing /
 * total value counts, and unique (strings) or min / max / zeros (numbers).
 */
import fs from 'node:fs';
import { decodeStatistics } from '../../src/stats/index.js';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const STRING_KEYS = ['unique'];
const NUMBER_KEYS = ['min', 'max', 'numZeros'];
const COMMON_KEYS = ['numNonMissing', 'numMissing', 'totNumValues'];

function dataset(file: string): Any {
  return (decodeStatistics(fs.readFileSync(file), file) as Any).datasets[0];
}

/** The disagreements, as "feature.stat: ours X, theirs Y"; empty when all agree. */
export function disagreements(oursFile: string, theirsFile: string): string[] {
  const ours = dataset(oursFile);
  const theirs = dataset(theirsFile);
  const out: string[] = [];
  const check = (what: string, a: unknown, b: unknown) => {
    if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) out.push(`${what}: ours ${String(a)}, theirs ${String(b)}`);
  };
  check('num_examples', ours.numExamples, theirs.numExamples);
  const byName = (ds: Any) => new Map<string, Any>(ds.features.map((f: Any) => [f.path.step.join('.'), f]));
  const o = byName(ours);
  const t = byName(theirs);
  for (const [name, tf] of t) {
    const of = o.get(name);
    if (!of) {
      out.push(`${name}: missing from ours`);
      continue;
    }
    check(`${name}.type`, of.type, tf.type);
    const os = of.numStats ?? of.stringStats;
    const ts = tf.numStats ?? tf.stringStats;
    for (const k of COMMON_KEYS) check(`${name}.${k}`, os?.commonStats?.[k], ts?.commonStats?.[k]);
    for (const k of tf.stringStats ? STRING_KEYS : NUMBER_KEYS) check(`${name}.${k}`, os?.[k], ts?.[k]);
  }
  for (const name of o.keys()) if (!t.has(name)) out.push(`${name}: missing from TFDV's`);
  return out;
}

export const AGREE_WHAT = `num_examples; per feature type, ${COMMON_KEYS.join(', ')}; ${STRING_KEYS.join(', ')} (strings); ${NUMBER_KEYS.join(', ')} (numbers)`;
