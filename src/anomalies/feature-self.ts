/**
 * TFDV's checks of a schema feature on its own (Schema::UpdateFeatureSelf), before any data is
 * looked at: a missing type, out-of-range presence / value counts / shape, a domain the type
 * can't carry, a `domain` naming no string domain, distribution_constraints without a string
 * domain. Like TFDV it fixes what it reports on a copy of the
 * feature (clearing a bad field, clamping a bound), and the data checks run against that copy.
 */
import type { Feature, Schema } from '../schema/index.js';
import type { Reason } from './proto.js';

/** the oneof domain_info members, by proto field name */
const DOMAINS = {
  domain: 'domain', intDomain: 'int_domain', floatDomain: 'float_domain', stringDomain: 'string_domain', boolDomain: 'bool_domain',
  structDomain: 'struct_domain', naturalLanguageDomain: 'natural_language_domain', imageDomain: 'image_domain', midDomain: 'mid_domain',
  urlDomain: 'url_domain', timeDomain: 'time_domain', timeOfDayDomain: 'time_of_day_domain',
} as const;
export type DomainKey = keyof typeof DOMAINS;

/** the schema types each domain allows (TFDV's AllowedFeatureTypes); unset and time_of_day fall to the default */
const ALLOWED: Partial<Record<DomainKey, string[]>> = {
  domain: ['BYTES'], boolDomain: ['INT', 'BYTES', 'FLOAT'], intDomain: ['INT', 'BYTES'], floatDomain: ['FLOAT', 'BYTES'],
  stringDomain: ['BYTES'], structDomain: ['STRUCT'], naturalLanguageDomain: ['BYTES', 'INT'], imageDomain: ['BYTES'],
  midDomain: ['BYTES'], urlDomain: ['BYTES'], timeDomain: ['INT', 'BYTES'],
};
const ANY_TYPE = ['INT', 'FLOAT', 'BYTES', 'STRUCT'];
const NO_DISTRIBUTION: Partial<Record<DomainKey, string>> = {
  boolDomain: 'bool', intDomain: 'int', floatDomain: 'float', structDomain: 'struct',
  naturalLanguageDomain: 'semantic', imageDomain: 'semantic', midDomain: 'semantic', urlDomain: 'semantic', timeDomain: 'semantic',
};

/** which domain_info member is set, if any */
export function domainOf(f: Feature): DomainKey | undefined {
  return (Object.keys(DOMAINS) as DomainKey[]).find((k) => f[k] !== undefined);
}

export function clearDomain(f: Feature): void {
  for (const k of Object.keys(DOMAINS) as DomainKey[]) delete f[k];
}

/** A reason with only a short description, as TFDV gives its schema-specification ones. */
const short = (type: string, shortDescription: string): Reason => ({ type, shortDescription, description: '' });
const spec = (shortDescription: string, description = ''): Reason => ({ type: 'INVALID_SCHEMA_SPECIFICATION', shortDescription, description });

/**
 * The reasons, and the feature as TFDV goes on to check it (a copy; undefined when TFDV
 * deprecates it, so nothing else is checked).
 */
export function checkFeatureSelf(original: Feature, schema: Schema): { reasons: Reason[]; feature: Feature | undefined } {
  const f = structuredClone(original);
  const reasons: Reason[] = [];
  if (f.type === undefined) {
    if (f.domain === undefined && f.stringDomain === undefined) {
      return { reasons: [short('FEATURE_MISSING_TYPE', 'unspecified type: determine the type and set it, rather than deprecating.')], feature: undefined };
    }
    reasons.push(short('FEATURE_MISSING_TYPE', 'unspecified type: inferring the type to be BYTES, given the domain specified.'));
    f.type = 'BYTES';
  }
  // unset bounds read as 0, as proto2 getters do
  const presence = f.presence;
  if (presence && (presence.minFraction ?? 0) < 0) {
    delete presence.minFraction;
    reasons.push(spec('min_fraction should not be negative: clear is equal to zero'));
  }
  if (presence && (presence.minFraction ?? 0) > 1) {
    presence.minFraction = 1;
    reasons.push(spec('min_fraction should not greater than 1'));
  }
  const vc = f.valueCount;
  if (vc && (vc.min ?? 0) < 0) {
    delete vc.min;
    reasons.push(spec('ValueCount.min should not be negative'));
  }
  if (vc && vc.max !== undefined && vc.max < (vc.min ?? 0)) {
    reasons.push(spec('ValueCount.max should not be less than min'));
    vc.max = vc.min ?? 0;
  }
  (f.valueCounts?.valueCount ?? []).forEach((level, i) => {
    if ((level.min ?? 0) < 0) {
      delete level.min;
      reasons.push(spec('ValueCounts.min should not be negative', `ValueCounts.min at level ${i} should not be negative.`));
    }
    if (level.max !== undefined && level.max < (level.min ?? 0)) {
      level.max = level.min ?? 0;
      reasons.push(spec('ValueCounts.max should not be less than min', `ValueCounts.max at level ${i} should not be less than min.`));
    }
  });
  if (f.shape?.dim.some((d) => (d.size ?? 0) <= 0)) {
    delete f.shape;
    reasons.push(spec('Shape.dim.size must be a positive integer'));
  }
  const set = domainOf(f);
  if (!(set && ALLOWED[set] ? ALLOWED[set] : ANY_TYPE).includes(f.type)) {
    reasons.push({
      type: 'DOMAIN_INVALID_FOR_TYPE',
      shortDescription: 'The domain does not match the type',
      description: `The domain "${set ? DOMAINS[set] : 'UNSET'}" does not match the type: ${f.type}`,
    });
    clearDomain(f);
  }
  const domain = domainOf(f);
  const constrained = f.distributionConstraints !== undefined;
  if (domain === 'domain') {
    if (!schema.stringDomain?.some((d) => d.name === f.domain)) {
      // TFDV clears the domain before naming it, so the name comes out empty
      delete f.domain;
      reasons.push(short('INVALID_DOMAIN_SPECIFICATION', 'missing domain: '));
    }
  } else if (domain === 'timeOfDayDomain') {
    // not in TFDV's switch: its default case drops the domain
    reasons.push(short('INVALID_DOMAIN_SPECIFICATION', 'internal issue: unknown domain_info type'));
    clearDomain(f);
  } else if (domain === undefined ? constrained : constrained && NO_DISTRIBUTION[domain]) {
    reasons.push(spec(domain === undefined ? 'distribution constraints require domain or string domain.' : `distribution constraints not supported for ${NO_DISTRIBUTION[domain]} domains.`));
    delete f.distributionConstraints;
  }
  // TFDV also drops a bool domain's false_value equal to its true_value and repeated
  // string_domain values, but reports neither (it discards those descriptions); neither
  // changes what the data checks find
  return { reasons, feature: f };
}
