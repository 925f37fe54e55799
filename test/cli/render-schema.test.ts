/** `tsfx show <Schema>`'s tables: TFDV's display_schema (get_schema_dataframe) columns and rules. */
import { describe, expect, it } from 'vitest';
import { renderSchema, schemaView } from '../../src/cli/render-schema.js';
import { decodeSchema, encodeSchema, parseSchemaText } from '../../src/schema/index.js';

const TEXT = `
feature {
  name: "Species"
  type: BYTES
  domain: "Species"
  presence { min_fraction: 1.0 min_count: 1 }
  value_count { min: 1 max: 1 }
}
feature {
  name: "Bill Length (mm)"
  type: FLOAT
  float_domain { min: 6.9 }
  presence { min_count: 1 }
  value_count { min: 1 max: 1 }
}
feature {
  name: "tags"
  type: BYTES
  string_domain { value: "a" value: "it's" }
  value_count { min: 1 }
}
feature {
  name: "year"
  type: INT
  int_domain { min: 2007 max: 2009 }
  value_count { min: 0 max: 3 }
}
feature {
  name: "raw"
  type: BYTES
}
string_domain {
  name: "Species"
  value: "Adelie"
  value: "Chinstrap"
  value: "Gentoo"
}
`;

describe('schema view', () => {
  // through the binary form, as `tsfx show` reads SchemaGen's schema.pb: float_domain.min is a float32
  const schema = decodeSchema(encodeSchema(parseSchemaText(TEXT)));

  it("gives TFDV's feature rows: quoted names, STRING for a BYTES feature with a domain, presence, valency, domain", () => {
    expect(schemaView(schema).features).toEqual([
      { name: "'Species'", type: 'STRING', presence: 'required', valency: 'single', domain: "'Species'" },
      // a float bound is a float32: its shortest decimal, not 6.900000095367432
      { name: "'Bill Length (mm)'", type: 'FLOAT', presence: 'optional', valency: 'single', domain: 'min: 6.9; max: inf' },
      { name: "'tags'", type: 'STRING', presence: '', valency: '[1,inf)', domain: "'tags_domain'" },
      { name: "'year'", type: 'INT', presence: '', valency: '[0,3]', domain: 'min: 2007; max: 2009' },
      { name: "'raw'", type: 'BYTES', presence: '', valency: '', domain: '-' },
    ]);
  });

  it('lists the schema-level domains, then those inlined in a feature, with their values', () => {
    expect(schemaView(schema).domains).toEqual([
      { domain: "'Species'", values: ['Adelie', 'Chinstrap', 'Gentoo'] },
      { domain: "'tags_domain'", values: ['a', "it's"] },
    ]);
    const text = renderSchema(schemaView(schema));
    expect(text).toMatch(/^features \(5\)\nFeature name\s+Type\s+Presence\s+Valency\s+Domain\n'Species'\s+STRING\s+required\s+single\s+'Species'$/m);
    expect(text).toMatch(/^domains \(2\)\nDomain\s+Values\n'Species'\s+'Adelie', 'Chinstrap', 'Gentoo'\n'tags_domain'\s+'a', 'it\\'s'$/m);
  });
});
