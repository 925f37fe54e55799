/**
 * TFDV's data checks of int_domain, float_domain, bool_domain and natural_language_domain
 * (int_domain_util.cc, float_domain_util.cc, bool_domain_util.cc,
 * natural_language_domain_util.cc): the values' range against the domain's bounds, NaN and
 * infinities where disallowed, strings that should parse as numbers or booleans. Descriptions
 * are TFDV's, word for word. string_domain is validate.ts's (it needs the value shares).
 */
import type { FeatureStatsView } from '../schema/stats-view.js';
import type { BoolDomain, FloatDomain, IntDomain, NaturalLanguageDomain } from '../schema/index.js';
import { sixDigits } from './drift.js';
import type { Reason } from './proto.js';

type Obj = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
const OUT_OF_RANGE = 'Out-of-range values';
const INVALID = 'Invalid values';
const NON_BOOLEAN = 'Non-boolean values';
/** absl::SixDigits, which prints infinities and NaN as C does */
const six = (x: number) => (Number.isNaN(x) ? 'nan' : Number.isFinite(x) ? sixDigits(x) : x > 0 ? 'inf' : '-inf');

/** absl::SimpleAtoi: optional whitespace and sign, decimal digits, within int64 */
function parseInt64(s: string): bigint | undefined {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const v = BigInt(t);
  return v < -(2n ** 63n) || v >= 2n ** 63n ? undefined : v;
}

/** absl::SimpleAtof: a decimal or inf/nan, surrounding whitespace allowed, read as a float32 */
function parseFloat32(s: string): number | undefined {
  const t = s.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Math.fround(Number(t));
}

/** NaN count of a numeric feature: every histogram carries it */
export function hasNan(raw: Obj): boolean {
  const hists = ((raw.numStats as Obj | undefined)?.histograms ?? []) as Obj[];
  return hists.some((h) => num(h.numNan) > 0);
}

export function checkIntDomain(d: IntDomain, view: FeatureStatsView): Reason[] {
  let lo: bigint | number;
  let hi: bigint | number;
  const strings = [...view.stringValues.keys()];
  if (view.statsType === 'INT' && strings.length === 0) {
    [lo, hi] = [Math.trunc(view.min), Math.trunc(view.max)];
  } else if (view.statsType === 'INT' || view.statsType === 'STRING' || view.statsType === 'BYTES') {
    if (strings.length === 0) return [];
    let range: [bigint, bigint] | undefined;
    for (const s of strings) {
      const v = parseInt64(s);
      if (v === undefined) {
        // a categorical INT feature's strings always parse; a BYTES feature's may not
        if (view.schemaType !== 'BYTES') return [];
        return [{ type: 'INT_TYPE_NOT_INT_STRING', shortDescription: INVALID, description: `String values that were not ints were found, such as "${s}".` }];
      }
      range = range ? [v < range[0] ? v : range[0], v > range[1] ? v : range[1]] : [v, v];
    }
    [lo, hi] = range!;
  } else {
    return [];
  }
  const reasons: Reason[] = [];
  if (d.min !== undefined && BigInt(d.min) > BigInt(lo)) {
    reasons.push({ type: 'INT_TYPE_SMALL_INT', shortDescription: OUT_OF_RANGE, description: `Unexpectedly small value: ${lo}.` });
  }
  if (d.max !== undefined && BigInt(d.max) < BigInt(hi)) {
    reasons.push({ type: 'INT_TYPE_BIG_INT', shortDescription: OUT_OF_RANGE, description: `Unexpectedly large value: ${hi}.` });
  }
  return reasons;
}

export function checkFloatDomain(d: FloatDomain, view: FeatureStatsView, raw: Obj): Reason[] {
  const reasons: Reason[] = [];
  const strings = view.statsType === 'STRING' || view.statsType === 'BYTES' ? [...view.stringValues.keys()] : [];
  if (d.disallowNan) {
    const nan = view.statsType === 'FLOAT' ? hasNan(raw) : view.statsType === 'STRING' && strings.some((s) => Number.isNaN(parseFloat32(s)));
    if (nan) reasons.push({ type: 'FLOAT_TYPE_HAS_NAN', shortDescription: INVALID, description: 'Float feature has NaN values.' });
  }
  let lo: number;
  let hi: number;
  if (view.statsType === 'FLOAT') {
    [lo, hi] = [Math.fround(view.min), Math.fround(view.max)];
  } else if (strings.length) {
    [lo, hi] = [Infinity, -Infinity];
    let first = true;
    for (const s of strings) {
      const v = parseFloat32(s);
      if (v === undefined) {
        reasons.push({ type: 'FLOAT_TYPE_STRING_NOT_FLOAT', shortDescription: INVALID, description: `String values that were not floats were found, such as "${s}".` });
        return reasons;
      }
      // C++'s `min > v` is false for NaN: a NaN only lands when it comes first
      if (first) [lo, hi] = [v, v];
      else [lo, hi] = [lo > v ? v : lo, hi < v ? v : hi];
      first = false;
    }
  } else {
    return reasons;
  }
  const [min, max] = [d.min === undefined ? undefined : Math.fround(d.min), d.max === undefined ? undefined : Math.fround(d.max)];
  if (min !== undefined && lo < min) {
    reasons.push({ type: 'FLOAT_TYPE_SMALL_FLOAT', shortDescription: OUT_OF_RANGE, description: `Unexpectedly low values: ${six(lo)}<${six(min)}(upto six significant digits)` });
  }
  if (max !== undefined && hi > max) {
    reasons.push({ type: 'FLOAT_TYPE_BIG_FLOAT', shortDescription: OUT_OF_RANGE, description: `Unexpectedly high value: ${six(hi)}>${six(max)}(upto six significant digits)` });
  }
  if (d.disallowInf && (!Number.isFinite(lo) && !Number.isNaN(lo) || !Number.isFinite(hi) && !Number.isNaN(hi))) {
    reasons.push({ type: 'FLOAT_TYPE_HAS_INF', shortDescription: INVALID, description: 'Float feature has Inf values.' });
  }
  return reasons;
}

/** byte order, as a std::set<string> lists them */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function checkBoolDomain(d: BoolDomain, view: FeatureStatsView, raw: Obj): Reason[] {
  const unexpectedFloat = (what: string): Reason[] => [
    { type: 'BOOL_TYPE_UNEXPECTED_FLOAT', shortDescription: NON_BOOLEAN, description: `${what}: converting to float_domain.` },
  ];
  if (view.statsType === 'INT') {
    const as = (type: string, v: number): Reason[] => [{ type, shortDescription: NON_BOOLEAN, description: `Integers (such as ${six(v)}) not in {0, 1}: converting to an integer.` }];
    if (view.min < 0) return as('BOOL_TYPE_SMALL_INT', view.min);
    if (view.max > 1) return as('BOOL_TYPE_BIG_INT', view.max);
    return [];
  }
  if (view.statsType === 'FLOAT') {
    if (view.min !== 0 && view.min !== 1) return unexpectedFloat(`Floats (such as ${six(view.min)}) not in {0, 1}`);
    if (view.max !== 0 && view.max !== 1) return unexpectedFloat(`Floats (such as ${six(view.max)}) not in {0, 1}`);
    for (const h of ((raw.numStats as Obj | undefined)?.histograms ?? []) as Obj[]) {
      if (num(h.numNan) > 0) return unexpectedFloat('Floats (such as NaN) not in {0, 1}');
      for (const b of (h.buckets ?? []) as Obj[]) {
        if (num(b.sampleCount) <= 0) continue;
        const [low, high] = [num(b.lowValue), num(b.highValue)];
        if (high < 0) return unexpectedFloat('Float values < 0 not in {0, 1}');
        if (low > 1) return unexpectedFloat('Float values > 1 not in {0, 1}');
        if (h.type === 'QUANTILES' && high < 1 && low > 0) return unexpectedFloat('Float values falling between 0 and 1');
      }
    }
    return [];
  }
  if (view.statsType === 'STRING') {
    const valid = [d.trueValue, d.falseValue].filter((v): v is string => v !== undefined);
    for (const s of view.stringValues.keys()) {
      if (valid.includes(s)) continue;
      const listed = [...new Set(valid)].sort(byBytes);
      const desc = listed.length ? `{"${listed.join('", "')}"}` : '{}';
      return [{ type: 'BOOL_TYPE_UNEXPECTED_STRING', shortDescription: NON_BOOLEAN, description: `Saw unexpected value "${s}" instead of ${desc}.` }];
    }
  }
  return [];
}

/** tsfx computes no natural-language statistics, so any constraint is one TFDV can't verify */
export function checkNaturalLanguageDomain(d: NaturalLanguageDomain, raw: Obj): Reason[] {
  const custom = (raw.customStats ?? []) as Obj[];
  if (custom.some((c) => c.name === 'nl_statistics')) return [];
  const constrained = d.coverage?.minCoverage !== undefined || d.coverage?.minAvgTokenLength !== undefined || (d.tokenConstraints?.length ?? 0) > 0;
  if (!constrained) return [];
  return [{
    type: 'STATS_NOT_AVAILABLE',
    shortDescription: 'Natural language stats are not computed.',
    description: 'Constraints specified in natural language domain cannot be verified because natural language stats have not been computed.',
  }];
}
