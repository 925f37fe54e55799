/** Text format: the writer's layout (Python text_format's), parse(write(x)) == x, and errors. */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { decodeSchema, encodeSchema, parseSchemaText, pythonDouble, pythonFloat32, schemaToText, type Schema } from '../../src/schema/index.js';

const schema: Schema = {
  feature: [
    {
      name: 'a\'b"é\n',
      type: 'FLOAT',
      presence: { minFraction: 1, minCount: 0 },
      valueCount: {},
      floatDomain: { min: 0.5, max: Infinity },
      skewComparator: { infinityNorm: { threshold: 0.01 } },
      driftComparator: { jensenShannonDivergence: { threshold: 1e-5 } },
      notInEnvironment: ['SERVING'],
      lifecycleStage: 'DEPRECATED',
    },
    { name: 'species', type: 'BYTES', presence: { minCount: 1 }, shape: { dim: [{ size: 1 }] }, domain: 'species' },
    { name: 'flag', type: 'INT', boolDomain: {}, inEnvironment: ['TRAINING', 'SERVING'] },
    { name: 'code', type: 'BYTES', intDomain: { min: -3, max: 12, isCategorical: true } },
  ],
  stringDomain: [{ name: 'species', value: ['Adelie', 'Chinstrap', 'Gentoo'] }],
  defaultEnvironment: ['TRAINING', 'SERVING'],
};

describe('schema text format', () => {
  it('writes fields in field-number order with Python text_format number and string formatting', () => {
    const text = schemaToText(schema);
    // the first feature exactly as Python's text_format.MessageToString prints it (checked against TFDV's venv)
    expect(text.split('feature {\n  name: "species"')[0]).toBe(
      [
        'feature {',
        '  name: "a\\\'b\\"\\303\\251\\n"',
        '  value_count {',
        '  }',
        '  type: FLOAT',
        '  float_domain {',
        '    min: 0.5',
        '    max: inf',
        '  }',
        '  presence {',
        '    min_fraction: 1.0',
        '    min_count: 0',
        '  }',
        '  skew_comparator {',
        '    infinity_norm {',
        '      threshold: 0.01',
        '    }',
        '  }',
        '  not_in_environment: "SERVING"',
        '  drift_comparator {',
        '    jensen_shannon_divergence {',
        '      threshold: 1e-05',
        '    }',
        '  }',
        '  lifecycle_stage: DEPRECATED',
        '}',
        '',
      ].join('\n'),
    );
    expect(text).toContain('string_domain {\n  name: "species"\n  value: "Adelie"\n  value: "Chinstrap"\n  value: "Gentoo"\n}\n');
    expect(text.indexOf('string_domain {')).toBeLessThan(text.indexOf('default_environment: "TRAINING"'));
  });

  it('round-trips text and binary', () => {
    expect(parseSchemaText(schemaToText(schema))).toEqual(schema);
    const fromBinary = decodeSchema(encodeSchema(schema));
    expect(fromBinary).toEqual(schema);
    expect(schemaToText(fromBinary)).toBe(schemaToText(schema));
  });

  it('parses hand-written text: comments, <>, lists, optional colons, separators, octal/hex escapes, enum numbers', () => {
    const s = parseSchemaText(`
      # a curated schema
      feature: < name: 'x' type: 2; presence { min_count: 1, min_fraction: 0.5 } >
      feature { name: "s" "\\x41\\101" type: BYTES domain: "d" }
      string_domain { name: "d" value: ["a", 'b'] }
      default_environment: "TRAINING"`);
    expect(s).toEqual({
      feature: [
        { name: 'x', type: 'INT', presence: { minCount: 1, minFraction: 0.5 } },
        { name: 'sAA', type: 'BYTES', domain: 'd' },
      ],
      stringDomain: [{ name: 'd', value: ['a', 'b'] }],
      defaultEnvironment: ['TRAINING'],
    });
  });

  it('names the line and column of a bad input', () => {
    const err = (text: string) => {
      try {
        parseSchemaText(text, 'schema.pbtxt');
      } catch (e) {
        return e as DataError;
      }
      throw new Error('no error');
    };
    expect(err('feature {\n  nme: "x"\n}')).toBeInstanceOf(DataError);
    expect(err('feature {\n  nme: "x"\n}').message).toBe("schema.pbtxt line 2:3: Feature has no field 'nme'");
    expect(err('feature {\n  type: NOPE\n}').message).toMatch(/line 2:9: bad value 'NOPE'/);
    expect(err('feature {\n  name: "x"\n').message).toMatch(/expected '}'/);
    expect(err('feature { name: "x\n" }').message).toMatch(/line 1:\d+: unterminated string/);
    expect(err('feature { presence { min_count: 1.5 } }').message).toMatch(/bad value '1.5'/);
  });

  it('rejects unknown fields, wrong enum names and type mismatches at any depth, naming file and line:col', () => {
    const msg = (text: string) => {
      try {
        parseSchemaText(text, 'curated.pbtxt');
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        expect((e as DataError).file).toBe('curated.pbtxt');
        return (e as DataError).message;
      }
      throw new Error('no error');
    };
    // unknown field names: top level, deep inside a struct, inside a map entry's value
    expect(msg('features {}')).toBe("curated.pbtxt line 1:1: Schema has no field 'features'");
    expect(msg('feature {\n  struct_domain {\n    feature { name: "a" colour: 1 }\n  }\n}')).toBe("curated.pbtxt line 3:25: Feature has no field 'colour'");
    expect(msg('tensor_representation_group { key: "" value { tensor_representation { key: "t" value { dense { } } } } }')).toBe(
      "curated.pbtxt line 1:88: TensorRepresentation has no field 'dense'",
    );
    expect(msg('tensor_representation_group { key: "" vale {} }')).toMatch(/^curated.pbtxt line 1:39: expected 'key' or 'value' in an entry of map 'tensor_representation_group', got 'vale'$/);
    // enum names
    expect(msg('feature {\n  lifecycle_stage: PROD\n}')).toMatch(
      /^curated.pbtxt line 2:20: bad value 'PROD' for field 'lifecycle_stage': enum LifecycleStage has no such value \(UNKNOWN_STAGE, PLANNED, .*VALIDATION_DERIVED\)$/,
    );
    expect(msg('feature { time_domain { integer_format: UNIX_HOURS } }')).toMatch(/^curated.pbtxt line 1:41: bad value 'UNIX_HOURS' for field 'integer_format': enum IntegerTimeFormat/);
    expect(msg('feature { type: 9 }')).toMatch(/^curated.pbtxt line 1:17: bad value '9' for field 'type': enum FeatureType/);
    // type mismatches and ranges
    expect(msg('feature { name: 5 }')).toBe("curated.pbtxt line 1:17: bad value '5' for string field 'name'");
    expect(msg('int_domain {\n  min: "0"\n}')).toBe(`curated.pbtxt line 2:8: bad value '"0"' for int64 field 'min'`);
    expect(msg('feature { presence { min_fraction: half } }')).toBe("curated.pbtxt line 1:36: bad value 'half' for double field 'min_fraction'");
    expect(msg('feature { distribution_constraints: 1 }')).toBe("curated.pbtxt line 1:37: expected '{', got '1'");
    expect(msg('feature { validation_derived_source { config { argmax_top_k { k: 4294967296 } } } }')).toMatch(/line 1:66: bad value '4294967296' for uint32 field 'k': out of range/);
    expect(msg('int_domain { max: 9223372036854775808 }')).toMatch(/line 1:19: .* out of range/);
    expect(msg('feature { name: "\\377" }')).toMatch(/line 1:17: bad value .* not valid UTF-8/);
    expect(msg('feature { name: ["a"] }')).toMatch(/line 1:17: 'name' is not a repeated field/);
    // what Python's text_format.Parse rejects too: two members of one oneof, an Any of an unknown type
    expect(msg('feature {\n  value_count { min: 1 }\n  shape { dim { size: 1 } }\n}')).toBe(
      "curated.pbtxt line 3:3: 'shape' and 'value_count' are both set, but they are members of one oneof ('shape_type')",
    );
    expect(msg('annotation { extra_metadata { [type.googleapis.com/acme.Secret] { x: 1 } } }')).toMatch(
      /^curated.pbtxt line 1:31: Any type 'type.googleapis.com\/acme.Secret' is not a message type tsfx knows$/,
    );
  });

  it('reads every scalar spelling text format allows', () => {
    const s = parseSchemaText(`
      feature { name: "\\u00e9\\U0001F600\\x41\\101\\?" int_domain { min: -0x10 max: 017 } }
      feature { name: "f" float_domain { min: -inff max: 1.5F } distribution_constraints { min_domain_mass: -Infinity } }
      feature { name: "g" float_domain { min: 1e-3 max: .5e1 } presence: { min_fraction: NaN } }
      feature { name: "h" bool_domain {} deprecated: t lifecycle_stage: 9 }`);
    const [a, f, g, h] = s.feature;
    expect(a).toEqual({ name: 'é😀AA?', intDomain: { min: -16, max: 15 } });
    expect(f!.floatDomain).toEqual({ min: -Infinity, max: 1.5 });
    expect(f!.distributionConstraints).toEqual({ minDomainMass: -Infinity });
    expect(g!.floatDomain).toEqual({ min: Math.fround(1e-3), max: 5 });
    expect(g!.presence!.minFraction).toBeNaN();
    expect(h).toEqual({ name: 'h', boolDomain: {}, deprecated: true, lifecycleStage: 'VALIDATION_DERIVED' });
  });

  it('formats doubles like Python repr and float32 with the fewest round-trip digits', () => {
    expect([1, 0.7, 0.9999, 1e-5, 1.5e-5, 0.0001, 1e15, 1e16, 123.456, -2, NaN, -Infinity].map(pythonDouble)).toEqual([
      '1.0', '0.7', '0.9999', '1e-05', '1.5e-05', '0.0001', '1000000000000000.0', '1e+16', '123.456', '-2.0', 'nan', '-inf',
    ]);
    expect(pythonFloat32(Math.fround(0.1))).toBe('0.1');
    expect(pythonFloat32(Math.fround(3.3))).toBe('3.3');
  });
});
