/**
 * Inputs for test/anomalies/tfdv-validate.test.ts: rows for the current, previous-span and
 * serving datasets (turned into statistics by tsfx's engine) and a schema in TFMD text
 * format, plus the anomalies TFDV reports on them (`feature:TYPE`, as anomalyList prints).
 */
type Cell = number | string | (number | string)[] | null;
export type Row = Record<string, Cell>;
export type Kinds = Record<string, 'int' | 'float' | 'bytes'>;

export interface Case {
  name: string;
  kinds: Kinds;
  current: Row[];
  previous?: Row[];
  serving?: Row[];
  schema: string;
  environment?: string;
  /** what TFDV reports, so a case that stops testing what it claims to fails */
  expected: string[];
}

/** `{a: 3, b: 1}` -> ['a', 'a', 'a', 'b'] */
const counts = (c: Record<string, number>) => Object.entries(c).flatMap(([v, n]) => Array<string>(n).fill(v));
const range = (n: number, f: (i: number) => Cell) => Array.from({ length: n }, (_, i) => f(i));
/** columns of possibly different lengths -> rows; a short column is missing in the later rows */
function rows(columns: Record<string, Cell[]>): Row[] {
  const n = Math.max(...Object.values(columns).map((c) => c.length));
  return range(n, (i) => i).map((i) => Object.fromEntries(Object.entries(columns).map(([k, c]) => [k, c[i as number] ?? null])));
}
const drift = (name: string, type: string, cmp: string) => `feature { name: "${name}" type: ${type} drift_comparator { ${cmp} } }`;
const linf = (t: number) => `infinity_norm { threshold: ${t} }`;
const jsd = (t: number) => `jensen_shannon_divergence { threshold: ${t} }`;

export const CASES: Case[] = [
  {
    // c only in current, d only in previous; the largest share change is b's
    name: 'linf-categorical',
    kinds: { s: 'bytes' },
    current: rows({ s: counts({ a: 30, b: 50, c: 20 }) }),
    previous: rows({ s: counts({ a: 60, b: 10, d: 30 }) }),
    schema: `feature { name: "s" type: BYTES string_domain { value: "a" value: "b" value: "d" } drift_comparator { ${linf(0.1)} } }`,
    expected: ['s:COMPARATOR_L_INFTY_HIGH', 's:ENUM_TYPE_UNEXPECTED_STRING_VALUES'],
  },
  {
    // a and b change by the same share: which value does the description name?
    name: 'linf-tie',
    kinds: { s: 'bytes' },
    current: rows({ s: counts({ a: 60, b: 40 }) }),
    previous: rows({ s: counts({ a: 40, b: 60 }) }),
    schema: drift('s', 'BYTES', linf(0.1)),
    expected: ['s:COMPARATOR_L_INFTY_HIGH'],
  },
  {
    // an infinity_norm on a numeric feature: no string values on either side
    name: 'linf-numeric',
    kinds: { x: 'float' },
    current: rows({ x: range(20, (i) => i) }),
    previous: rows({ x: range(20, (i) => i + 50) }),
    schema: drift('x', 'FLOAT', linf(0.1)),
    expected: [],
  },
  {
    name: 'jsd-categorical',
    kinds: { s: 'bytes' },
    current: rows({ s: counts({ a: 30, b: 50, c: 20 }) }),
    previous: rows({ s: counts({ a: 60, b: 35, d: 5 }) }),
    schema: drift('s', 'BYTES', `${jsd(0.05)} ${linf(0.5)}`),
    expected: ['s:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'],
  },
  {
    name: 'jsd-numeric-overlap',
    kinds: { x: 'float', n: 'int' },
    current: rows({ x: range(100, (i) => 50 + i * 1.5), n: range(100, (i) => i % 37) }),
    previous: rows({ x: range(100, (i) => i), n: range(100, (i) => (i * 7) % 23) }),
    schema: `${drift('x', 'FLOAT', jsd(0.1))} ${drift('n', 'INT', jsd(0.01))}`,
    expected: ['n:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'],
  },
  {
    name: 'jsd-numeric-disjoint',
    kinds: { x: 'float' },
    current: rows({ x: range(30, (i) => 100 + i) }),
    previous: rows({ x: range(30, (i) => i / 3) }),
    schema: drift('x', 'FLOAT', jsd(0.5)),
    expected: ['x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'],
  },
  {
    // a narrow range inside a wide one, skewed values
    name: 'jsd-numeric-width',
    kinds: { x: 'float' },
    current: rows({ x: range(200, (i) => (i % 10) / 4 + 3) }),
    previous: rows({ x: range(200, (i) => (i * i) % 97) }),
    schema: drift('x', 'FLOAT', jsd(0.2)),
    expected: ['x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'],
  },
  {
    // NaN on one side only, bucket edges differ (x: TFDV drops the NaNs when rebucketing);
    // NaN on both sides, same edges (y: NaNs counted, never overlapping); NaN only (z: 1)
    name: 'jsd-nan',
    kinds: { x: 'float', y: 'float', z: 'float' },
    current: rows({
      x: range(40, (i) => (i % 5 === 0 ? Number.NaN : i)),
      y: range(40, (i) => (i % 4 === 0 ? Number.NaN : i)),
      z: range(10, () => Number.NaN),
    }),
    previous: rows({ x: range(40, (i) => i), y: range(40, (i) => (i % 8 === 0 ? Number.NaN : i)), z: range(10, () => Number.NaN) }),
    schema: `${drift('x', 'FLOAT', jsd(0.01))} ${drift('y', 'FLOAT', jsd(0.01))} ${drift('z', 'FLOAT', jsd(0.01))}`,
    expected: ['x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'y:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'z:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'],
  },
  {
    // constant features: zero-width histograms against a spread one, the same point, another point
    name: 'jsd-single-value',
    kinds: { a: 'float', b: 'float', c: 'int', d: 'float' },
    current: rows({ a: range(30, () => 7), b: range(30, () => 7), c: range(30, () => 3), d: range(30, (i) => i / 10) }),
    previous: rows({ a: range(30, (i) => i / 3), b: range(30, () => 7), c: range(30, () => 5), d: range(30, () => 1) }),
    schema: [drift('a', 'FLOAT', jsd(0.1)), drift('b', 'FLOAT', jsd(0.1)), drift('c', 'INT', jsd(0.1)), drift('d', 'FLOAT', jsd(0.1))].join(' '),
    expected: ['a:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'c:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'd:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'],
  },
  {
    // which histogram the divergence reads: the default, QUANTILES, STANDARD
    name: 'jsd-sources',
    kinds: { x: 'float', y: 'float', z: 'float' },
    current: rows({ x: range(100, (i) => (i * i) % 101), y: range(100, (i) => (i * i) % 101), z: range(100, (i) => (i * i) % 101) }),
    previous: rows({ x: range(100, (i) => i), y: range(100, (i) => i), z: range(100, (i) => i) }),
    schema: [
      drift('x', 'FLOAT', jsd(0.001)),
      drift('y', 'FLOAT', `jensen_shannon_divergence { threshold: 0.001 source { type: QUANTILES } }`),
      drift('z', 'FLOAT', `jensen_shannon_divergence { threshold: 0.001 source { type: STANDARD } }`),
    ].join(' '),
    expected: ['x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'y:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'z:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'],
  },
  {
    // +/-Infinity values land in infinite buckets, kept apart from the ranges
    name: 'jsd-infinite',
    kinds: { x: 'float', y: 'float' },
    current: rows({ x: range(40, (i) => (i % 10 === 0 ? Number.POSITIVE_INFINITY : i)), y: range(40, (i) => (i % 10 === 0 ? Number.NEGATIVE_INFINITY : i)) }),
    previous: rows({ x: range(40, (i) => i), y: range(40, (i) => (i % 20 === 0 ? Number.NEGATIVE_INFINITY : i)) }),
    schema: `${drift('x', 'FLOAT', jsd(0.01))} ${drift('y', 'FLOAT', jsd(0.01))}`,
    expected: ['x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'y:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'],
  },
  {
    name: 'normalized-abs-difference',
    kinds: { s: 'bytes' },
    current: rows({ s: counts({ a: 30, b: 50, c: 20 }) }),
    previous: rows({ s: counts({ a: 60, b: 35, d: 5 }) }),
    schema: drift('s', 'BYTES', 'normalized_abs_difference { threshold: 0.01 }'),
    expected: ['s:COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH'],
  },
  {
    // the previous span lacks s; the serving data lacks x but has no comparator for it
    name: 'control-missing',
    kinds: { s: 'bytes', x: 'float' },
    current: rows({ s: counts({ a: 5, b: 5 }), x: range(10, (i) => i) }),
    previous: rows({ x: range(10, (i) => i) }),
    serving: rows({ s: counts({ a: 5, b: 5 }) }),
    schema: `${drift('s', 'BYTES', linf(0.1))} feature { name: "x" type: FLOAT drift_comparator { ${jsd(0.1)} } }`,
    expected: ['s:COMPARATOR_CONTROL_DATA_MISSING'],
  },
  {
    name: 'drift-and-skew',
    kinds: { s: 'bytes', x: 'float' },
    current: rows({ s: counts({ a: 50, b: 30, c: 20 }), x: range(100, (i) => i) }),
    previous: rows({ s: counts({ a: 20, b: 30, c: 50 }), x: range(100, (i) => i + 30) }),
    serving: rows({ s: counts({ a: 50, b: 50 }), x: range(100, (i) => i * 2) }),
    schema: `
      feature { name: "s" type: BYTES drift_comparator { ${linf(0.1)} } skew_comparator { ${jsd(0.01)} normalized_abs_difference { threshold: 0.01 } ${linf(0.1)} } }
      feature { name: "x" type: FLOAT drift_comparator { ${jsd(0.05)} } skew_comparator { ${jsd(0.05)} } }`,
    expected: [
      's:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 's:COMPARATOR_L_INFTY_HIGH', 's:COMPARATOR_L_INFTY_HIGH', 's:COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH',
      'x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH', 'x:COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH',
    ],
  },
  {
    // measurements are reported whether or not they cross the threshold
    name: 'under-threshold',
    kinds: { s: 'bytes', x: 'float' },
    current: rows({ s: counts({ a: 50, b: 50 }), x: range(100, (i) => i) }),
    previous: rows({ s: counts({ a: 45, b: 55 }), x: range(100, (i) => i + 3) }),
    serving: rows({ s: counts({ a: 50, b: 50 }), x: range(100, (i) => i) }),
    schema: `
      feature { name: "s" type: BYTES drift_comparator { ${linf(0.5)} ${jsd(0.5)} } skew_comparator { ${linf(0.5)} } }
      feature { name: "x" type: FLOAT drift_comparator { ${jsd(0.5)} } skew_comparator { ${jsd(0.5)} } }`,
    expected: [],
  },
  // --- the other anomaly kinds, one case each ---
  {
    name: 'new-and-missing-column',
    kinds: { x: 'float', extra: 'int' },
    current: rows({ x: range(10, (i) => i), extra: range(10, (i) => i) }),
    // only a feature that must be present is missed, and only when not deprecated
    schema: `feature { name: "x" type: FLOAT }
      feature { name: "gone" type: INT presence { min_count: 1 } }
      feature { name: "gone_fraction" type: INT presence { min_fraction: 0.01 } }
      feature { name: "optional" type: INT }
      feature { name: "optional_zero" type: INT presence { min_count: 0 min_fraction: 0 } }
      feature { name: "shaped" type: INT shape { dim { size: 1 } } }
      feature { name: "old" type: INT presence { min_count: 1 } lifecycle_stage: DEPRECATED }
      feature { name: "disabled" type: INT presence { min_count: 1 } lifecycle_stage: DISABLED }
      feature { name: "beta" type: INT presence { min_count: 1 } lifecycle_stage: BETA }`,
    expected: ['beta:SCHEMA_MISSING_COLUMN', 'extra:SCHEMA_NEW_COLUMN', 'gone:SCHEMA_MISSING_COLUMN', 'gone_fraction:SCHEMA_MISSING_COLUMN'],
  },
  {
    name: 'out-of-domain',
    kinds: { s: 'bytes' },
    current: rows({ s: [...counts({ a: 150, z: 49, B: 1 }), 'say "hi"'] }),
    schema: 'feature { name: "s" type: BYTES domain: "s" } string_domain { name: "s" value: "a" }',
    expected: ['s:ENUM_TYPE_UNEXPECTED_STRING_VALUES'],
  },
  {
    // min_domain_mass lets some mass fall outside the domain: u and w (exactly at it) are within, v is not
    name: 'domain-mass-and-unique',
    kinds: { u: 'bytes', v: 'bytes', w: 'bytes', n: 'int' },
    current: rows({ u: counts({ a: 80, z: 20 }), v: counts({ a: 60, z: 40 }), w: counts({ a: 75, z: 25 }), n: range(100, (i) => i % 3) }),
    schema: `feature { name: "u" type: BYTES string_domain { value: "a" } distribution_constraints { min_domain_mass: 0.75 } unique_constraints { min: 3 max: 5 } }
      feature { name: "v" type: BYTES string_domain { value: "a" } distribution_constraints { min_domain_mass: 0.75 } unique_constraints { min: 1 max: 1 } }
      feature { name: "w" type: BYTES string_domain { value: "a" } distribution_constraints { min_domain_mass: 0.75 } unique_constraints { min: 1 } }
      feature { name: "n" type: INT unique_constraints { min: 1 max: 2 } }`,
    // w: an unset max reads as 0 (TFDV's quirk); n: no unique count for numbers
    expected: ['n:FEATURE_TYPE_NO_UNIQUE', 'u:FEATURE_TYPE_LOW_UNIQUE', 'v:ENUM_TYPE_UNEXPECTED_STRING_VALUES', 'v:FEATURE_TYPE_HIGH_UNIQUE', 'w:FEATURE_TYPE_HIGH_UNIQUE'],
  },
  {
    name: 'low-presence',
    kinds: { x: 'float', y: 'float' },
    current: rows({ x: range(4, (i) => i), y: [...range(9, (i) => i), null, 1, 2] }),
    schema: 'feature { name: "x" type: FLOAT presence { min_fraction: 0.5 min_count: 5 } } feature { name: "y" type: FLOAT presence { min_fraction: 1 min_count: 1 } }',
    // 12 rows: x in the first 4; y in all but one, against min_fraction 1 (TFDV's "expected everywhere")
    expected: ['x:FEATURE_TYPE_LOW_FRACTION_PRESENT', 'x:FEATURE_TYPE_LOW_NUMBER_PRESENT', 'y:FEATURE_TYPE_LOW_FRACTION_PRESENT'],
  },
  {
    name: 'value-count-and-shape',
    kinds: { v: 'int', w: 'int' },
    current: rows({ v: range(6, (i) => range(i % 4, () => i) as number[]), w: range(6, () => [1, 2]) }),
    schema: 'feature { name: "v" type: INT value_count { min: 1 max: 2 } } feature { name: "w" type: INT shape { dim { size: 3 } } }',
    expected: ['v:FEATURE_TYPE_HIGH_NUMBER_VALUES', 'v:FEATURE_TYPE_LOW_NUMBER_VALUES', 'w:INVALID_FEATURE_SHAPE'],
  },
  {
    name: 'nan-disallowed-and-type',
    kinds: { x: 'float', n: 'float' },
    current: rows({ x: range(10, (i) => (i === 3 ? Number.NaN : i)), n: range(10, (i) => i / 2) }),
    schema: 'feature { name: "x" type: FLOAT float_domain { disallow_nan: true } } feature { name: "n" type: INT }',
    expected: ['n:UNEXPECTED_DATA_TYPE', 'x:FLOAT_TYPE_HAS_NAN'],
  },
  // --- every domain constraint the Schema can carry, and schema specifications TFDV rejects ---
  {
    // x: below and above; y: within; s: strings that are not all ints; t: int strings above the max
    name: 'int-domain-bounds',
    kinds: { x: 'int', y: 'int', m: 'int', s: 'bytes', t: 'bytes' },
    current: rows({ x: range(31, (i) => i + 5), y: range(31, (i) => i), m: range(31, (i) => i - 3), s: ['1', '20', 'x', '4'], t: ['3', '50', '-7'] }),
    schema: `feature { name: "x" type: INT int_domain { min: 10 max: 30 } }
      feature { name: "y" type: INT int_domain { min: 0 max: 30 is_categorical: true } }
      feature { name: "m" type: INT int_domain { min: 0 } }
      feature { name: "s" type: BYTES int_domain { min: 0 } }
      feature { name: "t" type: BYTES int_domain { min: -10 max: 10 } }`,
    expected: ['m:INT_TYPE_SMALL_INT', 's:INT_TYPE_NOT_INT_STRING', 't:INT_TYPE_BIG_INT', 'x:INT_TYPE_BIG_INT', 'x:INT_TYPE_SMALL_INT'],
  },
  {
    name: 'float-domain-bounds',
    kinds: { f: 'float', g: 'float', h: 'float', k: 'float', s: 'bytes', t: 'bytes' },
    current: rows({
      f: range(40, (i) => i - 0.5),
      g: range(20, (i) => (i === 7 ? Number.NEGATIVE_INFINITY : i / 10)),
      h: range(20, (i) => (i === 3 ? Number.NaN : i / 10)),
      k: range(20, (i) => 0.1 + i / 100),
      s: ['1.5', 'abc', '2'],
      t: ['0.5', '2.5', ' 1e-3'],
    }),
    schema: `feature { name: "f" type: FLOAT float_domain { min: 0 max: 30.25 } }
      feature { name: "g" type: FLOAT float_domain { disallow_inf: true min: -1 } }
      feature { name: "h" type: FLOAT float_domain { disallow_nan: true max: 1.5 } }
      feature { name: "k" type: FLOAT float_domain { min: 0.1 max: 0.29 disallow_nan: true disallow_inf: true } }
      feature { name: "s" type: BYTES float_domain { min: 0 } }
      feature { name: "t" type: BYTES float_domain { max: 1 } }`,
    expected: [
      'f:FLOAT_TYPE_BIG_FLOAT', 'f:FLOAT_TYPE_SMALL_FLOAT', 'g:FLOAT_TYPE_HAS_INF', 'g:FLOAT_TYPE_SMALL_FLOAT', 'h:FLOAT_TYPE_HAS_NAN', 'h:FLOAT_TYPE_BIG_FLOAT',
      's:FLOAT_TYPE_STRING_NOT_FLOAT', 't:FLOAT_TYPE_BIG_FLOAT',
    ].sort(),
  },
  {
    name: 'bool-domain',
    kinds: { a: 'int', b: 'int', c: 'int', d: 'float', e: 'float', f: 'float', s: 'bytes', t: 'bytes', u: 'bytes' },
    current: rows({
      a: range(10, (i) => i % 2), b: range(10, (i) => i % 3), c: range(10, (i) => (i % 3) - 1),
      d: range(30, (i) => [0, 1, 0.5][i % 3]!), e: range(10, (i) => i % 4), f: range(10, (i) => i % 2),
      s: counts({ yes: 3, no: 2 }), t: counts({ yes: 3, maybe: 2 }), u: counts({ a: 3 }),
    }),
    schema: `feature { name: "a" type: INT bool_domain { } }
      feature { name: "b" type: INT bool_domain { } }
      feature { name: "c" type: INT bool_domain { } }
      feature { name: "d" type: FLOAT bool_domain { } }
      feature { name: "e" type: FLOAT bool_domain { } }
      feature { name: "f" type: FLOAT bool_domain { } }
      feature { name: "s" type: BYTES bool_domain { true_value: "yes" false_value: "no" } }
      feature { name: "t" type: BYTES bool_domain { true_value: "yes" false_value: "no" } }
      feature { name: "u" type: BYTES bool_domain { true_value: "a" false_value: "a" } }`,
    // u: TFDV drops the equal false_value without reporting it
    expected: ['b:BOOL_TYPE_BIG_INT', 'c:BOOL_TYPE_SMALL_INT', 'd:BOOL_TYPE_UNEXPECTED_FLOAT', 'e:BOOL_TYPE_UNEXPECTED_FLOAT', 't:BOOL_TYPE_UNEXPECTED_STRING'],
  },
  {
    // a natural-language constraint can't be checked without its statistics; image_domain
    // reads image statistics, absent here, so TFDV checks nothing
    name: 'semantic-domains',
    kinds: { s: 'bytes', t: 'bytes', u: 'bytes', v: 'int' },
    current: rows({ s: counts({ a: 3 }), t: counts({ abcdef: 3 }), u: counts({ b: 2 }), v: range(5, (i) => i) }),
    schema: `feature { name: "s" type: BYTES natural_language_domain { coverage { min_coverage: 0.5 } } }
      feature { name: "t" type: BYTES image_domain { max_image_byte_size: 1 minimum_supported_image_fraction: 0.5 } }
      feature { name: "u" type: BYTES natural_language_domain { } }
      feature { name: "v" type: INT time_domain { integer_format: UNIX_DAYS } }`,
    expected: ['s:STATS_NOT_AVAILABLE'],
  },
  {
    name: 'invalid-schema-specification',
    kinds: { a: 'float', b: 'int', c: 'float', d: 'int', e: 'int', g: 'int', h: 'bytes', i: 'float', j: 'bytes', k: 'int', l: 'int', m: 'int', n: 'int', o: 'float', p: 'bytes' },
    current: rows({
      a: range(10, (i) => i), b: range(10, (i) => i), c: range(10, (i) => i), d: range(10, (i) => i), e: range(10, (i) => i), g: range(10, (i) => i),
      h: counts({ x: 5 }), i: range(10, (i) => i), j: counts({ x: 4, y: 1 }), k: range(10, (i) => i), l: range(10, (i) => i), m: range(10, (i) => i),
      n: range(10, (i) => i), o: range(10, (i) => i), p: counts({ x: 3 }),
    }),
    schema: `feature { name: "a" type: FLOAT distribution_constraints { min_domain_mass: 0.9 } }
      feature { name: "b" type: INT int_domain { min: 0 } distribution_constraints { } }
      feature { name: "c" type: FLOAT presence { min_fraction: 1.5 } }
      feature { name: "d" type: INT presence { min_fraction: -0.5 } }
      feature { name: "e" type: INT value_count { min: -1 max: 1 } }
      feature { name: "g" type: INT value_count { min: 3 max: 2 } }
      feature { name: "h" type: BYTES domain: "nope" }
      feature { name: "i" type: FLOAT int_domain { min: 0 max: 3 } }
      feature { name: "j" type: BYTES string_domain { value: "x" value: "x" value: "z" value: "z" } }
      feature { name: "k" int_domain { min: 0 } }
      feature { name: "l" type: TYPE_UNKNOWN }
      feature { name: "m" type: INT shape { dim { size: 0 } } }
      feature { name: "n" type: INT value_counts { value_count { min: -2 } value_count { min: 3 max: 1 } } }
      feature { name: "o" type: FLOAT time_of_day_domain { } distribution_constraints { } }
      feature { name: "p" string_domain { value: "x" } }
      string_domain { name: "other" value: "x" }`,
    // j: repeated domain values are dropped silently; k: no type and no domain, so nothing else is checked
    expected: [
      'a:INVALID_SCHEMA_SPECIFICATION', 'b:INVALID_SCHEMA_SPECIFICATION', 'c:INVALID_SCHEMA_SPECIFICATION', 'd:INVALID_SCHEMA_SPECIFICATION',
      'e:INVALID_SCHEMA_SPECIFICATION', 'g:FEATURE_TYPE_LOW_NUMBER_VALUES', 'g:INVALID_SCHEMA_SPECIFICATION', 'h:INVALID_DOMAIN_SPECIFICATION',
      'i:DOMAIN_INVALID_FOR_TYPE', 'j:ENUM_TYPE_UNEXPECTED_STRING_VALUES', 'k:FEATURE_MISSING_TYPE', 'l:DOMAIN_INVALID_FOR_TYPE', 'l:UNEXPECTED_DATA_TYPE',
      'm:INVALID_SCHEMA_SPECIFICATION', 'n:INVALID_SCHEMA_SPECIFICATION', 'n:INVALID_SCHEMA_SPECIFICATION', 'n:VALUE_NESTEDNESS_MISMATCH',
      'o:INVALID_DOMAIN_SPECIFICATION', 'p:FEATURE_MISSING_TYPE',
    ],
  },
  {
    // TFDV's order of the reasons in one anomaly: value counts, shape, presence, type, domain
    name: 'value-counts-and-order',
    kinds: { v: 'int', w: 'int', x: 'float', y: 'int', z: 'int' },
    current: rows({
      v: range(6, (i) => range(1 + (i % 3), () => i) as number[]),
      w: range(6, () => [1]),
      x: range(6, () => [1.5, 2.5]),
      y: range(6, () => [] as number[]),
      z: range(6, (i) => i),
    }),
    schema: `feature { name: "v" type: INT value_counts { value_count { min: 2 max: 2 } } }
      feature { name: "w" type: INT value_counts { value_count { min: 1 } value_count { max: 1 } } }
      feature { name: "x" type: INT value_count { max: 1 } presence { min_count: 100 } int_domain { min: 5 } }
      feature { name: "y" type: INT shape { dim { size: 1 } } }
      feature { name: "z" type: INT int_domain { min: 10 } unique_constraints { min: 1 max: 2 } distribution_constraints { } }`,
    expected: [
      'v:FEATURE_TYPE_HIGH_NUMBER_VALUES', 'v:FEATURE_TYPE_LOW_NUMBER_VALUES', 'w:VALUE_NESTEDNESS_MISMATCH', 'x:FEATURE_TYPE_HIGH_NUMBER_VALUES',
      'x:FEATURE_TYPE_LOW_NUMBER_PRESENT', 'x:UNEXPECTED_DATA_TYPE', 'y:INVALID_FEATURE_SHAPE', 'z:FEATURE_TYPE_NO_UNIQUE', 'z:INT_TYPE_SMALL_INT',
      'z:INVALID_SCHEMA_SPECIFICATION',
    ],
  },
  {
    name: 'too-few-examples',
    kinds: { x: 'float' },
    current: rows({ x: range(20, (i) => i) }),
    schema: 'feature { name: "x" type: FLOAT } dataset_constraints { min_examples_count: 50 }',
    expected: ['(dataset):DATASET_LOW_NUM_EXAMPLES'],
  },
  {
    name: 'empty-dataset',
    kinds: { x: 'float' },
    current: [],
    previous: rows({ x: range(20, (i) => i) }),
    schema: `feature { name: "x" type: FLOAT presence { min_count: 1 } drift_comparator { ${jsd(0.1)} } } dataset_constraints { min_examples_count: 50 }`,
    expected: [],
  },
  {
    // label is in the data, but not expected there
    name: 'serving-environment',
    kinds: { x: 'float', label: 'int' },
    current: rows({ x: range(5, (i) => i), label: range(5, (i) => i % 2) }),
    environment: 'SERVING',
    schema: 'default_environment: "TRAINING" default_environment: "SERVING" feature { name: "x" type: FLOAT } feature { name: "label" type: INT not_in_environment: "SERVING" presence { min_count: 1 } } feature { name: "w" type: INT in_environment: "SERVING" presence { min_count: 1 } } feature { name: "t" type: INT in_environment: "TRAINING" presence { min_count: 1 } }',
    expected: ['label:SCHEMA_NEW_COLUMN', 't:SCHEMA_MISSING_COLUMN', 'w:SCHEMA_MISSING_COLUMN'],
  },
];
