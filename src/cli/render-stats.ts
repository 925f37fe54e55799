/**
 * Terminal view of a TFMD DatasetFeatureStatistics (as decodeStatistics returns it), laid out
 * like TFDV's facets overview: one table of numeric features with an inline histogram, one of
 * categorical features with their top value.
 */
import { compact } from './format.js';

/** The parts of a decoded FeatureNameStatistics the view reads (protobufjs camelCase names). */
interface CommonStats {
  numNonMissing?: number;
  numMissing?: number;
}
interface Histogram {
  type?: string;
  buckets?: { lowValue?: number; highValue?: number; sampleCount?: number }[];
}
export interface FeatureStats {
  name?: string;
  path?: { step?: string[] };
  type?: string;
  numStats?: {
    commonStats?: CommonStats;
    mean?: number;
    stdDev?: number;
    numZeros?: number;
    min?: number;
    median?: number;
    max?: number;
    histograms?: Histogram[];
  };
  stringStats?: {
    commonStats?: CommonStats;
    unique?: number;
    topValues?: { value?: string; frequency?: number }[];
    avgLength?: number;
  };
  bytesStats?: { commonStats?: CommonStats; unique?: number; avgNumBytes?: number };
}
export interface DatasetStats {
  name?: string;
  numExamples?: number;
  features?: FeatureStats[];
}

const BLOCKS = '▁▂▃▄▅▆▇█';
export const SPARK_WIDTH = 10;

/** The CLI's one compact number style (format.ts), under the name this view's callers know. */
export const fmt = compact;

export function percent(part: number, whole: number | undefined): string {
  if (!whole) return '-';
  const p = (100 * part) / whole;
  return Number.isInteger(p) ? `${p}%` : `${p.toFixed(1)}%`;
}

/**
 * Bucket counts drawn as SPARK_WIDTH block characters. Histograms with another bucket count
 * (a single value, or the point bins TFDV adds for infinities) are resampled so rows line up.
 * An empty bucket is the lowest block and any non-empty one at least the second, so a gap
 * stays visible; the tallest is always a full block.
 */
export function sparkline(counts: number[]): string {
  if (!counts.length) return '';
  const cells = new Array<number>(SPARK_WIDTH).fill(0);
  if (counts.length >= SPARK_WIDTH)
    counts.forEach((c, i) => (cells[Math.floor((i * SPARK_WIDTH) / counts.length)]! += c));
  else for (let j = 0; j < SPARK_WIDTH; j++) cells[j] = counts[Math.floor((j * counts.length) / SPARK_WIDTH)]!;
  const max = Math.max(...cells);
  return cells
    .map((c) => (c <= 0 || max <= 0 ? BLOCKS[0] : BLOCKS[Math.max(1, Math.ceil((c / max) * (BLOCKS.length - 1)))]))
    .join('');
}

export function featureName(f: FeatureStats): string {
  return f.path?.step?.length ? f.path.step.join('.') : (f.name ?? '?');
}

function standardCounts(f: FeatureStats): number[] {
  const h = f.numStats?.histograms?.find((x) => (x.type ?? 'STANDARD') === 'STANDARD');
  return (h?.buckets ?? []).map((b) => b.sampleCount ?? 0);
}

/** Columns with `right` are right-aligned (numbers), the rest left-aligned. */
export function alignedTable(headers: string[], rows: string[][], right: boolean[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  return all
    .map((r) =>
      r
        .map((c, i) => {
          const pad = ' '.repeat(widths[i]! - [...c].length);
          return right[i] ? pad + c : c + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function clip(s: string, n = 24): string {
  const chars = [...s.replace(/\s+/g, ' ')];
  return chars.length > n ? `${chars.slice(0, n - 1).join('')}…` : chars.join('');
}

export function numericRows(features: FeatureStats[], numExamples: number | undefined): string[][] {
  return features
    .filter((f) => f.numStats)
    .map((f) => {
      const s = f.numStats!;
      const count = s.commonStats?.numNonMissing ?? 0;
      const missing = s.commonStats?.numMissing ?? (numExamples ?? 0) - count;
      // no values at all (or only NaNs): the moments were never set
      const has = (s.histograms?.[0]?.buckets?.length ?? 0) > 0;
      const v = (x: number | undefined): string => (has ? fmt(x) : '-');
      return [
        featureName(f),
        fmt(count),
        percent(missing, numExamples),
        v(s.mean),
        v(s.stdDev),
        has ? percent(s.numZeros ?? 0, count) : '-',
        v(s.min),
        v(s.median),
        v(s.max),
        sparkline(standardCounts(f)),
      ];
    });
}

export function categoricalRows(features: FeatureStats[], numExamples: number | undefined): string[][] {
  return features
    .filter((f) => !f.numStats && (f.stringStats || f.bytesStats))
    .map((f) => {
      const s = f.stringStats ?? f.bytesStats!;
      const count = s.commonStats?.numNonMissing ?? 0;
      const missing = s.commonStats?.numMissing ?? (numExamples ?? 0) - count;
      const top = f.stringStats?.topValues?.[0];
      const avg = f.stringStats ? f.stringStats.avgLength : f.bytesStats?.avgNumBytes;
      return [
        featureName(f),
        fmt(count),
        percent(missing, numExamples),
        fmt(s.unique ?? 0),
        top ? clip(top.value ?? '') : '-',
        top ? fmt(top.frequency ?? 0) : '-',
        count ? fmt(avg ?? 0) : '-',
      ];
    });
}

/** One split: a header line, then the numeric and the categorical table (each only if non-empty). */
export function renderDataset(ds: DatasetStats, split = ds.name ?? '?'): string {
  const features = ds.features ?? [];
  const n = ds.numExamples ?? 0;
  // the exact count in the heading; the table columns are compact
  const parts = [`split ${split}: ${n} examples, ${features.length} features`];
  const num = numericRows(features, n);
  if (num.length) {
    parts.push(`\nnumeric features (${num.length})`);
    parts.push(
      alignedTable(['FEATURE', 'COUNT', 'MISSING', 'MEAN', 'STD', 'ZEROS', 'MIN', 'MEDIAN', 'MAX', 'HISTOGRAM'], num, [
        false,
        true,
        true,
        true,
        true,
        true,
        true,
        true,
        true,
        false,
      ]),
    );
  }
  const cat = categoricalRows(features, n);
  if (cat.length) {
    parts.push(`\ncategorical features (${cat.length})`);
    parts.push(
      alignedTable(['FEATURE', 'COUNT', 'MISSING', 'UNIQUE', 'TOP', 'FREQ', 'AVG LEN'], cat, [
        false,
        true,
        true,
        true,
        false,
        true,
        true,
      ]),
    );
  }
  const other = features.filter((f) => !f.numStats && !f.stringStats && !f.bytesStats).map(featureName);
  if (other.length) parts.push(`\nother features (no summary view): ${other.join(', ')}`);
  return parts.join('\n');
}
