/**
 * TFDV's schema inference (`tfdv.infer_schema`, then `tfdv.update_schema` per further split,
 * as TFX's SchemaGen runs them), re-implemented on decoded TFMD statistics:
 * - type from the statistics (STRING -> BYTES); a feature never present gets presence
 *   min_count 0 and nothing else;
 * - presence min_count 1, plus min_fraction 1.0 when no example misses it;
 * - value_count min=max when every present example has the same count, else min 1 (unset
 *   when some example has an empty list); with inferFeatureShape a required feature with a
 *   fixed count gets `shape { dim { size } }` instead;
 * - domains: none for BYTES or invalid UTF-8; INT with min >= 0 and max == 1 -> bool_domain;
 *   one or two strings from {true,false,1,0,...} -> bool_domain; all strings integers ->
 *   an empty int_domain; otherwise up to maxStringDomainSize strings -> a named string_domain
 *   (values in byte order).
 * Later splits relax the schema the way update_schema does: presence and value counts widen,
 * a shape the data no longer fits is dropped, string domains gain the new values, a type
 * change or a required feature that is gone deprecates the feature, new features are added.
 */
import { getFeature, isDeprecated, type Feature, type Schema, type StringDomain } from './proto.js';
import { byteOrder, featureStatsView, fractionPresent, type FeatureStatsView } from './stats-view.js';

export interface InferOptions {
  /** TFDV's and TFX's default: true */
  inferFeatureShape?: boolean;
  /** TFDV's default: 100 */
  maxStringDomainSize?: number;
}

type Obj = Record<string, unknown>;

export const DEFAULT_MAX_STRING_DOMAIN_SIZE = 100;
const TRUE_VALUES = new Set(['TRUE', 'true', 'SET', 'set', '1', '']);
const FALSE_VALUES = new Set(['FALSE', 'false', 'CLEAR', 'clear', '0']);
const INT_STRING = /^\s*[+-]?\d+\s*$/;

function isBoolCandidate(v: FeatureStatsView): boolean {
  if (v.statsType === 'INT') return v.min >= 0 && v.max === 1;
  if (v.statsType !== 'STRING' || v.unique > 2 || v.stringValues.size === 0) return false;
  let t = false;
  let f = false;
  for (const s of v.stringValues.keys()) {
    if (!t && TRUE_VALUES.has(s)) t = true;
    else if (!f && FALSE_VALUES.has(s)) f = true;
    else return false;
  }
  return true;
}

const isIntString = (s: string) => INT_STRING.test(s) && Math.abs(Number(s)) <= 2 ** 63;

function isIntDomainCandidate(v: FeatureStatsView): boolean {
  return v.statsType === 'STRING' && v.stringValues.size > 0 && [...v.stringValues.keys()].every(isIntString);
}

function clearDomain(f: Feature): void {
  delete f.domain;
  delete f.intDomain;
  delete f.floatDomain;
  delete f.stringDomain;
  delete f.boolDomain;
}

function newStringDomain(schema: Schema, candidate: string): StringDomain {
  const names = new Set((schema.stringDomain ?? []).map((d) => d.name));
  let name = candidate;
  for (let i = 2; names.has(name); i++) name = `${candidate}${i}`;
  const d: StringDomain = { name, value: [] };
  (schema.stringDomain ??= []).push(d);
  return d;
}

/** TFDV's CreateColumn: a new feature from its statistics. */
function createFeature(schema: Schema, v: FeatureStatsView, opts: Required<InferOptions>): void {
  const f: Feature = { name: v.name, type: v.schemaType };
  schema.feature.push(f);
  const { numNonMissing, numMissing, minNumValues, maxNumValues } = v.common;
  f.presence = { minCount: numNonMissing < 1 ? 0 : 1 };
  if (numNonMissing === 0) return;
  if (numMissing === 0) f.presence = { minFraction: 1, ...f.presence };
  if (minNumValues > 0) {
    if (minNumValues !== maxNumValues) f.valueCount = { min: 1 };
    else if (opts.inferFeatureShape && numMissing === 0) f.shape = { dim: [{ size: maxNumValues }] };
    else f.valueCount = { min: minNumValues, max: maxNumValues };
  }
  if (v.invalidUtf8 || v.statsType === 'BYTES') return;
  if (isBoolCandidate(v)) {
    f.boolDomain = {};
    if (v.statsType === 'STRING') {
      const values = [...v.stringValues.keys()];
      const t = values.find((s) => TRUE_VALUES.has(s));
      const fl = values.find((s) => FALSE_VALUES.has(s));
      if (t !== undefined) f.boolDomain.trueValue = t;
      if (fl !== undefined) f.boolDomain.falseValue = fl;
    }
  } else if (isIntDomainCandidate(v)) {
    f.intDomain = {};
  } else if (v.statsType === 'STRING' && v.stringValues.size > 0 && v.stringValues.size <= opts.maxStringDomainSize) {
    const d = newStringDomain(schema, v.name);
    d.value = [...v.stringValues.keys()].sort(byteOrder);
    f.domain = d.name;
  }
}

const isRequired = (f: Feature) => !isDeprecated(f) && ((f.presence?.minCount ?? 0) > 0 || (f.presence?.minFraction ?? 0) > 0);
const deprecate = (f: Feature) => (f.lifecycleStage = 'DEPRECATED');

function updateDomain(schema: Schema, f: Feature, v: FeatureStatsView): void {
  if (f.domain !== undefined) {
    const d = schema.stringDomain?.find((x) => x.name === f.domain);
    if (!d) return;
    if (v.invalidUtf8) {
      for (const g of schema.feature) if (g.domain === d.name) delete g.domain;
      schema.stringDomain = schema.stringDomain!.filter((x) => x !== d);
      return;
    }
    const known = new Set(d.value);
    d.value.push(...[...v.stringValues.keys()].filter((s) => !known.has(s)).sort(byteOrder));
  } else if (f.boolDomain && v.statsType === 'INT') {
    const b = f.boolDomain;
    if (b.trueValue !== undefined || b.falseValue !== undefined || v.min < 0 || v.max > 1) {
      delete f.boolDomain;
      f.intDomain = { min: v.min, max: v.max };
    }
  } else if (f.boolDomain && v.statsType === 'STRING') {
    const valid = new Set([f.boolDomain.trueValue, f.boolDomain.falseValue].filter((s) => s !== undefined));
    if (valid.size !== 2 || [...v.stringValues.keys()].some((s) => !valid.has(s))) delete f.boolDomain;
  } else if (f.intDomain && v.statsType === 'STRING') {
    if (![...v.stringValues.keys()].every(isIntString)) delete f.intDomain;
  }
}

/** TFDV's UpdateFeatureInternal, for the fields inference writes. */
function updateFeature(schema: Schema, f: Feature, v: FeatureStatsView): void {
  if (isDeprecated(f)) return;
  const { numNonMissing, numMissing, minNumValues, maxNumValues } = v.common;
  if (numNonMissing === 0) {
    if (isRequired(f)) deprecate(f);
    return;
  }
  const vc = f.valueCount;
  if (vc) {
    if (vc.min !== undefined && minNumValues < vc.min) {
      if (minNumValues === 0) delete vc.min;
      else vc.min = minNumValues;
    }
    if (vc.max !== undefined && maxNumValues > vc.max) vc.max = maxNumValues;
  }
  const p = f.presence;
  if (p) {
    if (p.minCount !== undefined && numNonMissing < p.minCount) p.minCount = numNonMissing;
    const frac = fractionPresent(v);
    if (p.minFraction !== undefined && frac !== undefined) {
      if (frac < p.minFraction) p.minFraction = frac;
      // a handful of missing examples can round to 1.0; TFDV keeps it visibly below
      if (p.minFraction === 1 && numMissing !== 0) p.minFraction = 0.9999;
    }
  }
  if (f.shape) {
    const size = f.shape.dim.reduce((n, d) => n * (d.size ?? 1), 1);
    if (numMissing > 0 || minNumValues !== size || maxNumValues !== size) delete f.shape;
  }
  if (v.schemaType !== f.type) deprecate(f);
  if (v.statsType === 'BYTES' && (f.domain !== undefined || f.intDomain || f.floatDomain || f.stringDomain || f.boolDomain)) clearDomain(f);
  updateDomain(schema, f, v);
}

/** The dataset's features in path order: TFDV walks them from a sorted map, so its schema lists them that way. */
function views(dataset: Obj): FeatureStatsView[] {
  return ((dataset.features ?? []) as Obj[])
    .map(featureStatsView)
    .filter((v): v is FeatureStatsView => v !== undefined)
    .sort((a, b) => byteOrder(a.name, b.name));
}

const withDefaults = (o: InferOptions): Required<InferOptions> => ({
  inferFeatureShape: o.inferFeatureShape ?? true,
  maxStringDomainSize: o.maxStringDomainSize ?? DEFAULT_MAX_STRING_DOMAIN_SIZE,
});

/** tfdv.infer_schema on one DatasetFeatureStatistics object. */
export function inferSchema(dataset: Obj, opts: InferOptions = {}): Schema {
  const schema: Schema = { feature: [] };
  const o = withDefaults(opts);
  for (const v of views(dataset)) createFeature(schema, v, o);
  return schema;
}

/**
 * tfdv.update_schema: relax `schema` (in place, and returned) to fit another dataset's
 * statistics. As in TFDV, features new here are added with value_count, never shape.
 */
export function updateSchema(schema: Schema, dataset: Obj, opts: Pick<InferOptions, 'maxStringDomainSize'> = {}): Schema {
  const o = { ...withDefaults(opts), inferFeatureShape: false };
  const seen = new Set<string>();
  for (const v of views(dataset)) {
    seen.add(v.name);
    const f = getFeature(schema, v.name);
    if (f) updateFeature(schema, f, v);
    else createFeature(schema, v, o);
  }
  for (const f of schema.feature) if (!seen.has(f.name) && isRequired(f)) deprecate(f);
  return schema;
}

/** TFX SchemaGen: infer from the first split's statistics, update with each further one. */
export function inferFromSplits(datasets: Obj[], opts: InferOptions = {}): Schema {
  if (!datasets.length) throw new Error('inferFromSplits: no statistics to infer a schema from');
  const schema = inferSchema(datasets[0]!, opts);
  for (const d of datasets.slice(1)) updateSchema(schema, d, opts);
  return schema;
}
