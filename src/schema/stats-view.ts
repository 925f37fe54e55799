/**
 * What schema inference reads from one feature's statistics (a decoded TFMD
 * FeatureNameStatistics, as src/stats/proto.ts decodeStatistics returns), the way TFDV's
 * FeatureStatsView reads them: counts from common_stats, string values from the rank
 * histogram (else the top values), STRING reported as BYTES in the schema.
 */
import type { FeatureType } from './proto.js';

type Obj = Record<string, unknown>;

export interface CommonStats {
  numNonMissing: number;
  numMissing: number;
  minNumValues: number;
  maxNumValues: number;
}

export interface FeatureStatsView {
  name: string;
  /** the statistics' type: INT, FLOAT, STRING, BYTES or STRUCT */
  statsType: string;
  /** the schema type it maps to */
  schemaType: FeatureType;
  common: CommonStats;
  /** distinct string values with their counts (STRING features) */
  stringValues: Map<string, number>;
  unique: number;
  invalidUtf8: boolean;
  min: number;
  max: number;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

/** The feature's name: `path.step` joined with '.', or the legacy `name`. */
export function featureName(f: Obj): string {
  const steps = (f.path as { step?: string[] } | null | undefined)?.step;
  return steps?.length ? steps.join('.') : String(f.name ?? '');
}

/** A view of one FeatureNameStatistics object, or undefined when it has no common stats (composite features, which TFDV skips too). */
export function featureStatsView(f: Obj): FeatureStatsView | undefined {
  const stats = (f.numStats ?? f.stringStats ?? f.bytesStats ?? f.structStats) as Obj | null | undefined;
  const common = stats?.commonStats as Obj | null | undefined;
  if (!stats || !common) return undefined;
  const statsType = String(f.type ?? 'INT');
  const stringValues = new Map<string, number>();
  if (f.stringStats) {
    const s = f.stringStats as Obj;
    const buckets = ((s.rankHistogram as Obj | null)?.buckets ?? []) as Obj[];
    if (buckets.length) for (const b of buckets) stringValues.set(String(b.label), num(b.sampleCount));
    else for (const t of (s.topValues ?? []) as Obj[]) stringValues.set(String(t.value), num(t.frequency));
  }
  return {
    name: featureName(f),
    statsType,
    schemaType: (statsType === 'STRING' ? 'BYTES' : statsType) as FeatureType,
    common: {
      numNonMissing: num(common.numNonMissing),
      numMissing: num(common.numMissing),
      minNumValues: num(common.minNumValues),
      maxNumValues: num(common.maxNumValues),
    },
    stringValues,
    unique: num((stats as Obj).unique),
    invalidUtf8: num((stats as Obj).invalidUtf8Count) > 0,
    min: num((stats as Obj).min),
    max: num((stats as Obj).max),
  };
}

/** Fraction of examples that have the feature, when there are any examples. */
export function fractionPresent(v: FeatureStatsView): number | undefined {
  const total = v.common.numNonMissing + v.common.numMissing;
  return total > 0 ? v.common.numNonMissing / total : undefined;
}

/** Byte order of the UTF-8 encodings: how TFDV (a std::map of strings) orders domain values. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
