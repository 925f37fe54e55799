/**
 * The distances TFDV's comparators measure between a feature's statistics and a control
 * dataset's, computed the way TFDV 1.16 computes them (its metrics.cc), quirks included, so a
 * measurement here equals TFDV's to the last few bits:
 * - string values come from the rank histogram only, keyed and iterated in byte order;
 * - L-infinity ties go to the last value in byte order, and no values on either side is 0;
 * - numeric JSD reads the STANDARD histogram (or the one `source` selects), keeps point masses
 *   (zero-width buckets) and infinite buckets apart from the ranges and from each other's, and
 *   counts NaNs only when both histograms already share their bucket edges: rebucketing drops
 *   them (TFDV rebuilds the histogram without num_nan), and when counted the two sides' NaNs
 *   go into different buckets, so they never overlap.
 */
type Obj = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Value -> count from the rank histogram (TFDV's GetStringValuesWithCounts), in byte order; a repeated label keeps its first count. */
export function stringCounts(stats: Obj): Map<string, number> {
  const buckets = (((stats.stringStats as Obj | undefined)?.rankHistogram as Obj | undefined)?.buckets ?? []) as Obj[];
  const out = new Map<string, number>();
  for (const b of buckets) if (!out.has(String(b.label ?? ''))) out.set(String(b.label ?? ''), num(b.sampleCount));
  return new Map([...out].sort(([a], [b]) => byBytes(a, b)));
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const unionKeys = (a: Map<string, number>, b: Map<string, number>) => [...new Set([...a.keys(), ...b.keys()])].sort(byBytes);

/** Largest |a_k / scaleA - b_k / scaleB| and its value; ties go to the later value, as TFDV's `>=` scan does. */
function maxDifference(a: Map<string, number>, b: Map<string, number>, scaleA: number, scaleB: number): { value: string; distance: number } {
  let best = { value: '', distance: 0 };
  for (const k of unionKeys(a, b)) {
    const d = Math.abs((a.get(k) ?? 0) / scaleA - (b.get(k) ?? 0) / scaleB);
    if (d >= best.distance) best = { value: k, distance: d };
  }
  return best;
}

/** L-infinity distance of the two features' value shares, and the value where it is reached. */
export function lInfinity(a: Obj, b: Obj): { value: string; distance: number } {
  const p = stringCounts(a);
  const q = stringCounts(b);
  return maxDifference(p, q, sum(p), sum(q));
}

/** Largest difference in count of one value, over both datasets' total count: a drift measure that ignores volume change less. */
export function normalizedAbsDifference(a: Obj, b: Obj): { value: string; distance: number } {
  const p = stringCounts(a);
  const q = stringCounts(b);
  const scale = sum(p) + sum(q);
  return maxDifference(p, q, scale, scale);
}

/** Approximate JSD (log base 2, capped at 1) of categorical values if both sides have them, else of the selected numeric histograms. */
export function jensenShannon(a: Obj, b: Obj, source?: string): number | undefined {
  const p = stringCounts(a);
  const q = stringCounts(b);
  if (p.size && q.size) return categoricalJsd(p, q);
  const ha = histogram(a, source);
  const hb = histogram(b, source);
  if (!ha || !hb) return undefined;
  const [x, y] = align(ha, hb);
  return divergence(x, y);
}

function categoricalJsd(p: Map<string, number>, q: Map<string, number>): number | undefined {
  if ([...p.values(), ...q.values()].some((c) => !(c > 0))) return undefined; // TFDV refuses non-positive counts
  const sa = sum(p);
  const sb = sum(q);
  let kl = 0;
  for (const k of unionKeys(p, q)) {
    const pa = (p.get(k) ?? 0) / sa;
    const pb = (q.get(k) ?? 0) / sb;
    const m = (pa + pb) / 2;
    if (p.has(k)) kl += pa * Math.log2(pa / m);
    if (q.has(k)) kl += pb * Math.log2(pb / m);
  }
  return Math.min(kl / 2, 1);
}

interface Bucket { low: number; high: number; count: number }
interface Hist { buckets: Bucket[]; nan: number }

/** The STANDARD histogram (DEFAULT selects it too) or the QUANTILES one. */
function histogram(stats: Obj, source?: string): Hist | undefined {
  const want = source === 'QUANTILES' ? 'QUANTILES' : 'STANDARD';
  const hists = ((stats.numStats as Obj | undefined)?.histograms ?? []) as Obj[];
  const h = hists.find((x) => (x.type ?? 'STANDARD') === want);
  if (!h) return undefined;
  const buckets = ((h.buckets ?? []) as Obj[]).map((x) => ({ low: num(x.lowValue), high: num(x.highValue), count: num(x.sampleCount) }));
  return { buckets, nan: num(h.numNan) };
}

/** Ranges, point masses by value, and the mass of buckets with an infinite edge. */
function strip(h: Hist): { ranges: Bucket[]; points: Map<number, number>; infinite: number } {
  const ranges: Bucket[] = [];
  const points = new Map<number, number>();
  let infinite = 0;
  for (const b of h.buckets) {
    if (!Number.isFinite(b.low) || !Number.isFinite(b.high)) infinite += b.count;
    else if (b.low === b.high) points.set(b.low, (points.get(b.low) ?? 0) + b.count);
    else ranges.push(b);
  }
  return { ranges, points, infinite };
}

const edgesOf = (ranges: Bucket[]) => [...new Set(ranges.flatMap((b) => [b.low, b.high]))].sort((x, y) => x - y);

/**
 * One histogram's ranges spread over `edges`, values assumed uniform inside a bucket. Walks
 * the buckets in order against the edges, as TFDV does (buckets are sorted and the edges hold
 * all of theirs, so a bucket never straddles an edge partially).
 */
function rebucket(ranges: Bucket[], edges: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  for (const b of ranges) {
    while (i < edges.length - 1 && b.low > edges[i]!) {
      out.push(0);
      i++;
    }
    const covered: number[] = [];
    while (i < edges.length - 1 && b.high > edges[i]!) covered.push(edges[i++]!);
    covered.push(edges[i]!);
    for (let k = 0; k + 1 < covered.length; k++) out.push(((covered[k + 1]! - covered[k]!) / (b.high - b.low)) * b.count);
  }
  for (; i < edges.length - 1; i++) out.push(0);
  return out;
}

/** Two histograms as aligned count vectors: common ranges, then point masses, infinite masses, NaNs. */
function align(a: Hist, b: Hist): [number[], number[]] {
  const sa = strip(a);
  const sb = strip(b);
  const ea = edgesOf(sa.ranges);
  const eb = edgesOf(sb.ranges);
  const same = ea.length === eb.length && ea.every((e, i) => e === eb[i]);
  let x: number[];
  let y: number[];
  let nanA = a.nan;
  let nanB = b.nan;
  if (same) {
    x = sa.ranges.map((r) => r.count);
    y = sb.ranges.map((r) => r.count);
  } else {
    const edges = [...new Set([...ea, ...eb])].sort((p, q) => p - q);
    x = rebucket(sa.ranges, edges);
    y = rebucket(sb.ranges, edges);
    // TFDV's rebucketed histogram no longer carries num_nan
    nanA = 0;
    nanB = 0;
  }
  for (const v of [...new Set([...sa.points.keys(), ...sb.points.keys()])].sort((p, q) => p - q)) {
    x.push(sa.points.get(v) ?? 0);
    y.push(sb.points.get(v) ?? 0);
  }
  const extra = (p: number, q: number) => {
    x.push(p);
    y.push(q);
  };
  if (sa.infinite !== 0) extra(sa.infinite, 0);
  if (sb.infinite !== 0) extra(0, sb.infinite);
  if (nanA > 0 || nanB > 0) {
    extra(0, nanB);
    extra(nanA, 0);
  }
  return [x, y];
}

/** Jensen-Shannon divergence, log base 2, capped at 1, of two aligned count vectors; undefined when a side is empty. */
export function divergence(a: number[], b: number[]): number | undefined {
  const sa = a.reduce((x, y) => x + y, 0);
  const sb = b.reduce((x, y) => x + y, 0);
  if (sa === 0 || sb === 0 || a.length !== b.length) return undefined;
  const p = a.map((v) => v / sa);
  const q = b.map((v) => v / sb);
  const m = p.map((v, i) => (v + q[i]!) / 2);
  const kl = (d: number[]) => d.reduce((acc, v, i) => (v > 0 && m[i]! > 0 ? acc + v * Math.log2(v / m[i]!) : acc), 0);
  return Math.min((kl(p) + kl(q)) / 2, 1);
}
