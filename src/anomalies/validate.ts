/**
 * TFDV's validate_statistics: one split's statistics (a decoded TFMD DatasetFeatureStatistics)
 * checked against a schema, giving TFMD Anomalies with TFDV's anomaly types and short / long
 * descriptions, so a user reading them (or a script matching them) sees what TFDV would say.
 */
import { byteOrder, fractionPresent, featureName, featureStatsView, type FeatureStatsView } from '../schema/stats-view.js';
import { isDeprecated, type Feature, type Schema, type StringDomain } from '../schema/index.js';
import { DefinitionError } from '../errors.js';
import { checkBoolDomain, checkFloatDomain, checkIntDomain, checkNaturalLanguageDomain } from './domains.js';
import { compareFeature, featuresByName, type ComparatorOptions } from './drift.js';
import { checkFeatureSelf, domainOf } from './feature-self.js';
import type { AnomalyInfo, Anomalies, DriftSkewInfo, Reason } from './proto.js';

type Obj = Record<string, unknown>;

export interface ValidateOptions extends ComparatorOptions {
  /** only features in this environment are checked (TFDV's environment, e.g. SERVING) */
  environment?: string;
}

/** the extra Schema field this validator reads (declared in schemas/proto/schema.proto) */
interface DatasetConstraints {
  minExamplesCount?: number;
  maxExamplesCount?: number;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
const DROPPED = 'Column dropped';

export function validateStatistics(dataset: Obj, schema: Schema, opts: ValidateOptions = {}): Anomalies {
  const env = opts.environment;
  if (env !== undefined && !(schema.defaultEnvironment ?? []).includes(env)) {
    throw new DefinitionError(`environment '${env}' is not one of the schema's default_environment (${(schema.defaultEnvironment ?? []).join(', ') || 'none'})`, ['environment']);
  }
  const out: Anomalies = { baseline: schema, anomalyInfo: {} };
  const numExamples = num(dataset.numExamples);
  // TFDV checks nothing else in an empty dataset: every feature would be "missing"
  if (numExamples === 0) return { ...out, dataMissing: true };

  const datasetReasons = checkDataset(numExamples, (schema as Schema & { datasetConstraints?: DatasetConstraints }).datasetConstraints);
  if (datasetReasons.length) out.datasetAnomalyInfo = info(undefined, datasetReasons);

  const stats = new Map<string, Obj>();
  for (const f of (dataset.features ?? []) as Obj[]) stats.set(featureName(f), f);
  const inSchema = new Set(schema.feature.map((f) => f.name));
  const sides = { drift: opts.previous && featuresByName(opts.previous), skew: opts.serving && featuresByName(opts.serving) };
  const measured: DriftSkewInfo[] = [];
  const add = (name: string, reasons: Reason[]) => {
    if (reasons.length) out.anomalyInfo[name] = info(name, reasons);
  };

  for (const feature of schema.feature) {
    // TFDV skips features in a lifecycle stage that is not in production
    if (isDeprecated(feature)) continue;
    const raw = stats.get(feature.name);
    if (!inEnvironment(feature, schema, env)) {
      if (raw && featureStatsView(raw)) {
        add(feature.name, [{
          type: 'SCHEMA_NEW_COLUMN',
          shortDescription: 'Column missing in environment',
          description: `New column ${feature.name} found in data but not in the environment ${env} in the schema.`,
        }]);
      }
      continue;
    }
    if (!raw) {
      // only a feature that must be present is missed
      if (num(feature.presence?.minCount) > 0 || num(feature.presence?.minFraction) > 0) {
        add(feature.name, [{ type: 'SCHEMA_MISSING_COLUMN', shortDescription: DROPPED, description: 'Column is completely missing' }]);
      }
      continue;
    }
    const view = featureStatsView(raw);
    if (!view) continue;
    const compared = compareFeature(feature, raw, sides);
    if (compared.info) measured.push(compared.info);
    add(feature.name, [...checkFeature(feature, view, raw, schema), ...compared.reasons]);
  }
  for (const [name, raw] of stats) {
    if (inSchema.has(name) || !featureStatsView(raw)) continue;
    add(name, [{ type: 'SCHEMA_NEW_COLUMN', shortDescription: 'New column', description: 'New column (column in data but not in schema)' }]);
  }
  // TFDV lists them by feature path
  if (measured.length) out.driftSkewInfo = measured.sort((a, b) => byteOrder(a.path.step.join('.'), b.path.step.join('.')));
  return out;
}

/**
 * TFDV folds the reasons of one feature into one AnomalyInfo (UnifyDescriptions): a reason
 * with no long description gives way to the next one, two with one give their descriptions
 * joined and "Multiple errors" as the short one.
 */
function info(name: string | undefined, reason: Reason[]): AnomalyInfo {
  let unified = { shortDescription: '', description: '' };
  for (const r of reason) {
    if (!unified.description) unified = r;
    else if (r.description) unified = { shortDescription: 'Multiple errors', description: `${unified.description} ${r.description}` };
  }
  return {
    ...(name === undefined ? {} : { path: { step: [name] } }),
    severity: 'ERROR',
    shortDescription: unified.shortDescription,
    description: unified.description,
    reason,
  };
}

function checkDataset(numExamples: number, c: DatasetConstraints | undefined): Reason[] {
  const reasons: Reason[] = [];
  if (c?.minExamplesCount !== undefined && numExamples < c.minExamplesCount) {
    reasons.push({
      type: 'DATASET_LOW_NUM_EXAMPLES',
      shortDescription: 'Low num examples in dataset.',
      description: `The dataset has ${numExamples} examples, which is fewer than expected.`,
    });
  }
  if (c?.maxExamplesCount !== undefined && numExamples > c.maxExamplesCount) {
    reasons.push({
      type: 'DATASET_HIGH_NUM_EXAMPLES',
      shortDescription: 'High num examples in dataset.',
      description: `The dataset has ${numExamples} examples, which is more than expected.`,
    });
  }
  return reasons;
}

/** TFDV's environment rule: no environment checks every feature; else in_environment, then not_in_environment, then the defaults decide. */
function inEnvironment(f: Feature, schema: Schema, env: string | undefined): boolean {
  if (env === undefined) return true;
  if (f.inEnvironment?.includes(env)) return true;
  if (f.notInEnvironment?.includes(env)) return false;
  return (schema.defaultEnvironment ?? []).includes(env);
}

function checkFeature(original: Feature, view: FeatureStatsView, raw: Obj, schema: Schema): Reason[] {
  // TFDV's order (Schema::UpdateFeatureInternal): the schema's own faults, value counts,
  // shape, presence, type, the domain, unique values; the comparators come after
  const { reasons, feature } = checkFeatureSelf(original, schema);
  if (!feature) return reasons;
  const { minNumValues, maxNumValues } = view.common;
  const vc = feature.valueCount;
  if (vc) {
    if (vc.min !== undefined && minNumValues < vc.min) {
      reasons.push({ type: 'FEATURE_TYPE_LOW_NUMBER_VALUES', shortDescription: 'Missing values', description: 'Some examples have fewer values than expected.' });
    }
    if (vc.max !== undefined && maxNumValues > vc.max) {
      reasons.push({ type: 'FEATURE_TYPE_HIGH_NUMBER_VALUES', shortDescription: 'Superfluous values', description: 'Some examples have more values than expected.' });
    }
  } else if (feature.valueCounts) {
    reasons.push(...checkValueCounts(feature.valueCounts.valueCount ?? [], minNumValues, maxNumValues));
  }
  if (feature.shape) reasons.push(...checkShape(feature.shape, view, schema));
  reasons.push(...checkPresence(feature.presence, view));
  if (feature.type !== view.schemaType) {
    reasons.push({
      type: 'UNEXPECTED_DATA_TYPE',
      shortDescription: 'Unexpected data type',
      description: `Expected data of type: ${feature.type} but got ${view.statsType}`,
    });
  }
  reasons.push(...checkDomain(feature, view, raw, schema));
  if (feature.uniqueConstraints) reasons.push(...checkUnique(feature.uniqueConstraints, raw));
  return reasons;
}

function checkShape(shape: NonNullable<Feature['shape']>, view: FeatureStatsView, schema: Schema): Reason[] {
  const { numMissing, minNumValues, maxNumValues } = view.common;
  const size = shape.dim.reduce((n, d) => n * num(d.size), 1);
  const fixed = minNumValues === maxNumValues && minNumValues !== 0 ? minNumValues : -1;
  // generate_legacy_feature_spec allows the feature to be absent
  const legacy = (schema as Schema & { generateLegacyFeatureSpec?: boolean }).generateLegacyFeatureSpec === true;
  if (fixed <= 0 || (numMissing > 0 && !legacy)) {
    return [{
      type: 'INVALID_FEATURE_SHAPE',
      shortDescription: 'Feature shape dropped',
      description:
        "The feature has a shape, but it's not always present (if the feature is nested, then it should always be present at each nested level) or its value lengths vary.",
    }];
  }
  if (fixed !== size) {
    return [{
      type: 'INVALID_FEATURE_SHAPE',
      shortDescription: 'Feature shape dropped',
      description: `The feature has fixed value length ${fixed} but it's not compatible with the specified shape.`,
    }];
  }
  return [];
}

function checkPresence(presence: Feature['presence'], view: FeatureStatsView): Reason[] {
  const reasons: Reason[] = [];
  const { numNonMissing, numMissing } = view.common;
  if (presence?.minCount !== undefined && numNonMissing < presence.minCount) {
    reasons.push({
      type: 'FEATURE_TYPE_LOW_NUMBER_PRESENT',
      shortDescription: DROPPED,
      description: `The feature was present in fewer examples than expected: minimum count = ${presence.minCount}, actual = ${numNonMissing}`,
    });
  }
  const fraction = fractionPresent(view);
  if (presence?.minFraction === undefined || fraction === undefined) return reasons;
  // min_fraction is a proto float
  let minFraction = Math.fround(presence.minFraction);
  if (fraction < minFraction) {
    reasons.push({
      type: 'FEATURE_TYPE_LOW_FRACTION_PRESENT',
      shortDescription: DROPPED,
      description: `The feature was present in fewer examples than expected: minimum fraction = ${minFraction.toFixed(6)}, actual = ${fraction.toFixed(6)}`,
    });
    minFraction = Math.fround(fraction);
  }
  // a share of missing examples too small to show in a float
  if (minFraction === 1 && numMissing !== 0) {
    reasons.push({ type: 'FEATURE_TYPE_LOW_FRACTION_PRESENT', shortDescription: DROPPED, description: `The feature was expected everywhere, but was missing in ${numMissing} examples.` });
  }
  return reasons;
}

/** value_counts: one level per nesting; tsfx's features are not nested, so there is one */
function checkValueCounts(levels: NonNullable<Feature['valueCount']>[], min: number, max: number): Reason[] {
  if (levels.length !== 1) {
    return [{
      type: 'VALUE_NESTEDNESS_MISMATCH',
      shortDescription: 'Mismatched value nest level',
      description: 'The values have a different nest level than expected. Value counts will not be checked.',
    }];
  }
  const reasons: Reason[] = [];
  const level = levels[0]!;
  if (level.min !== undefined && min < level.min) {
    reasons.push({ type: 'FEATURE_TYPE_LOW_NUMBER_VALUES', shortDescription: 'Missing values', description: 'Some examples have fewer values than expected at nestedness level 0.' });
  }
  if (level.max !== undefined && max > level.max) {
    reasons.push({ type: 'FEATURE_TYPE_HIGH_NUMBER_VALUES', shortDescription: 'Superfluous values', description: 'Some examples have more values than expected at nestedness level 0.' });
  }
  return reasons;
}

/** The data against the feature's domain (the one left after checkFeatureSelf). */
function checkDomain(feature: Feature, view: FeatureStatsView, raw: Obj, schema: Schema): Reason[] {
  const minDomainMass = feature.distributionConstraints?.minDomainMass;
  const strings = view.statsType === 'STRING';
  switch (domainOf(feature)) {
    case 'domain':
      return strings ? checkStringDomain(schema.stringDomain!.find((x) => x.name === feature.domain)!, view, raw, minDomainMass) : [];
    case 'stringDomain':
      return strings ? checkStringDomain(feature.stringDomain!, view, raw, minDomainMass) : [];
    case 'intDomain':
      return checkIntDomain(feature.intDomain!, view);
    case 'floatDomain':
      return checkFloatDomain(feature.floatDomain!, view, raw);
    case 'boolDomain':
      return checkBoolDomain(feature.boolDomain!, view, raw);
    case 'naturalLanguageDomain':
      return checkNaturalLanguageDomain(feature.naturalLanguageDomain!, raw);
    default:
      // image_domain reads image statistics tsfx does not compute (TFDV then checks nothing);
      // mid, url, time and struct domains have no data checks in TFDV
      return [];
  }
}

/** Distinct values against unique_constraints; an unset bound is 0, as TFDV reads it. */
function checkUnique(c: NonNullable<Feature['uniqueConstraints']>, raw: Obj): Reason[] {
  if (!raw.stringStats) {
    return [{
      type: 'FEATURE_TYPE_NO_UNIQUE',
      shortDescription: 'No unique values',
      description: 'UniqueConstraints specified for the feature, but unique values were not counted (i.e., feature is not string or categorical).',
    }];
  }
  const unique = num((raw.stringStats as Obj).unique);
  const [min, max] = [num(c.min), num(c.max)];
  const reasons: Reason[] = [];
  if (unique < min) {
    reasons.push({ type: 'FEATURE_TYPE_LOW_UNIQUE', shortDescription: 'Low number of unique values', description: `Expected at least ${min} unique values but found only ${unique}.` });
  }
  if (unique > max) {
    reasons.push({ type: 'FEATURE_TYPE_HIGH_UNIQUE', shortDescription: 'High number of unique values', description: `Expected no more than ${max} unique values but found ${unique}.` });
  }
  return reasons;
}

/** Values outside the domain, unless their share of all values stays within 1 - min_domain_mass. */
function checkStringDomain(domain: StringDomain, view: FeatureStatsView, raw: Obj, minDomainMass: number | undefined): Reason[] {
  if (view.invalidUtf8) {
    return [{ type: 'ENUM_TYPE_INVALID_UTF8', shortDescription: 'Invalid UTF8 strings', description: 'Found strings that were not valid UTF8 strings.' }];
  }
  const valid = new Set(domain.value);
  // byte order, as TFDV lists them (a std::map of strings)
  const missing = [...view.stringValues].filter(([v]) => !valid.has(v)).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (!missing.length) return [];
  const total = totalValues(raw);
  const offDomain = missing.reduce((n, [, c]) => n + c, 0);
  if (total && offDomain / total <= 1 - (minDomainMass ?? 1)) return [];
  const listed = missing.map(([v, n]) => `${cEscape(v)} (${percentage(n, total)})`).join(', ');
  return [{ type: 'ENUM_TYPE_UNEXPECTED_STRING_VALUES', shortDescription: 'Unexpected string values', description: `Examples contain values missing from the schema: ${listed}. ` }];
}

/** "<1%", "~N%" (floor) or "?" when there is nothing to divide by, as TFDV prints shares. */
export function percentage(count: number, total: number | undefined): string {
  if (!total) return '?';
  const p = (100 * count) / total;
  return p < 1 ? '<1%' : `~${Math.floor(p)}%`;
}

/** C-style escaping of quotes, backslashes and control characters, like absl's Utf8SafeCEscape. */
function cEscape(s: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', "'": "\\'", '\\': '\\\\' };
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    out += named[c] ?? (code < 0x20 || code === 0x7f ? `\\${code.toString(8).padStart(3, '0')}` : c);
  }
  return out;
}

function commonOf(raw: Obj): Obj {
  const s = (raw.numStats ?? raw.stringStats ?? raw.bytesStats ?? raw.structStats) as Obj | undefined;
  return (s?.commonStats ?? {}) as Obj;
}

function totalValues(raw: Obj): number | undefined {
  const t = commonOf(raw).totNumValues;
  return t === undefined || t === null ? undefined : num(t);
}
