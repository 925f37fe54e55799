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

  it('formats doubles like Python repr and float32 with the fewest round-trip digits', () => {
    expect([1, 0.7, 0.9999, 1e-5, 1.5e-5, 0.0001, 1e15, 1e16, 123.456, -2, NaN, -Infinity].map(pythonDouble)).toEqual([
      '1.0', '0.7', '0.9999', '1e-05', '1.5e-05', '0.0001', '1000000000000000.0', '1e+16', '123.456', '-2.0', 'nan', '-inf',
    ]);
    expect(pythonFloat32(Math.fround(0.1))).toBe('0.1');
    expect(pythonFloat32(Math.fround(3.3))).toBe('3.3');
  });
});
