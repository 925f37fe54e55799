/**
 * A TFMD Schema as TFDV's `display_schema` shows it (tfdv.utils.display_util.get_schema_dataframe):
 * a table of features (Feature name, Type, Presence, Valency, Domain) and one of the string
 * domains with their values, the schema-level ones first, then those inlined in a feature.
 * Float bounds are float32 (a proto `float`), printed as their shortest decimal.
 */
import type { Feature, Schema } from '../schema/index.js';
import { float32, table } from './format.js';

export interface SchemaFeatureRow {
  name: string;
  type: string;
  /** 'required' (min_fraction 1), 'optional', or '' when the feature has no presence */
  presence: string;
  /** 'single' (exactly one value), '[min,max]' / '[min,inf)', or '' without a value_count */
  valency: string;
  /** a quoted domain name, 'min: …; max: …', or '-' */
  domain: string;
}

export interface SchemaDomainRow {
  domain: string;
  values: string[];
}

export interface SchemaView {
  features: SchemaFeatureRow[];
  domains: SchemaDomainRow[];
}

const quoted = (s: string): string => `'${s.replace(/'/g, "\\'")}'`;
const int = (x: number | string | undefined): string => String(x ?? 0);

function bounds(min: string | undefined, max: string | undefined): string {
  return [min, max].filter((s) => s !== undefined).join('; ') || '-';
}

function presenceOf(f: Feature): string {
  if (!f.presence) return '';
  return f.presence.minFraction === 1 ? 'required' : 'optional';
}

function valencyOf(f: Feature): string {
  const vc = f.valueCount;
  if (!vc) return '';
  if (Number(vc.min ?? 0) === 1 && Number(vc.max ?? 0) === 1) return 'single';
  return `[${int(vc.min)},${vc.max !== undefined ? `${int(vc.max)}]` : 'inf)'}`;
}

function domainOf(f: Feature, domains: SchemaDomainRow[]): string {
  if (f.domain !== undefined) return quoted(f.domain);
  if (f.intDomain) {
    const d = f.intDomain;
    return bounds(d.min !== undefined ? `min: ${int(d.min)}` : undefined, d.max !== undefined ? `max: ${int(d.max)}` : undefined);
  }
  if (f.floatDomain) {
    const d = f.floatDomain;
    const min = d.min !== undefined ? `min: ${float32(d.min)}` : d.disallowInf ? undefined : 'min: -inf';
    const max = d.max !== undefined ? `max: ${float32(d.max)}` : d.disallowInf ? undefined : 'max: inf';
    return bounds(min, max);
  }
  if (f.stringDomain) {
    const name = quoted(f.stringDomain.name || `${f.name}_domain`);
    domains.push({ domain: name, values: f.stringDomain.value ?? [] });
    return name;
  }
  return '-';
}

export function schemaView(schema: Schema): SchemaView {
  const domains: SchemaDomainRow[] = (schema.stringDomain ?? []).map((d) => ({ domain: quoted(d.name ?? ''), values: d.value ?? [] }));
  const features = (schema.feature ?? []).map((f) => {
    let type: string = f.type ?? 'TYPE_UNKNOWN';
    // TFDV: a BYTES feature with a string domain is a STRING feature
    if (type === 'BYTES' && (f.domain !== undefined || f.stringDomain)) type = 'STRING';
    return { name: quoted(f.name), type, presence: presenceOf(f), valency: valencyOf(f), domain: domainOf(f, domains) };
  });
  return { features, domains };
}

export function renderSchema(view: SchemaView): string {
  const parts = [
    `features (${view.features.length})`,
    table(
      ['Feature name', 'Type', 'Presence', 'Valency', 'Domain'],
      view.features.map((f) => [f.name, f.type, f.presence, f.valency, f.domain]),
    ),
  ];
  if (view.domains.length)
    parts.push(
      `\ndomains (${view.domains.length})`,
      table(
        ['Domain', 'Values'],
        view.domains.map((d) => [d.domain, d.values.map(quoted).join(', ')]),
      ),
    );
  return parts.join('\n');
}
