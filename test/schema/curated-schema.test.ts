/**
 * A hand-curated schema (testdata/curated-schema.pbtxt) that sets every field of every
 * message in TFMD 1.16's Schema parses, keeps its values, and survives text and binary
 * round trips. TFDV's view of the same file is in tfdv-rich-schema.test.ts.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeSchema, encodeSchema, parseSchemaText, schemaToText, schemaType, type Schema } from '../../src/schema/index.js';

const file = new URL('./testdata/curated-schema.pbtxt', import.meta.url);
const curated = parseSchemaText(readFileSync(file, 'utf8'), 'curated-schema.pbtxt');

type Obj = Record<string, unknown>;

/** Every `Message.field` reachable from `type`, and those `obj` sets somewhere. */
function fieldsOf(type: protobuf.Type, obj: Obj | undefined, all: Set<string>, set: Set<string>, seen = new Set<string>()): void {
  const visit = !seen.has(type.fullName);
  seen.add(type.fullName);
  for (const field of type.fieldsArray) {
    const key = `${type.name}.${field.name}`;
    if (visit) all.add(key);
    const v = obj?.[field.name];
    if (v !== undefined) set.add(key);
    if (!(field.resolvedType instanceof protobuf.Type)) continue;
    const items = v === undefined ? [undefined] : field.map ? Object.values(v as Obj) : field.repeated ? (v as Obj[]) : [v as Obj];
    for (const item of items) {
      if (item !== undefined || visit) fieldsOf(field.resolvedType, item as Obj | undefined, all, set, seen);
    }
  }
}

describe('a curated schema using all of TFMD Schema', () => {
  it('sets every field of every message reachable from Schema', () => {
    const all = new Set<string>();
    const set = new Set<string>();
    fieldsOf(schemaType(), curated as unknown as Obj, all, set);
    expect([...all].filter((k) => !set.has(k))).toEqual([]);
    // sanity: the walk does see the deep corners
    expect(all).toContain('RaggedTensor.rowPartitionDtype');
    expect(all).toContain('SliceSql.floatDefaultFeatureValue');
  });

  it('reads values the way text format defines them', () => {
    const [age, embedding, ragged, cafe] = curated.feature;
    expect(age!.intDomain).toEqual({ name: 'age_range', min: -1, max: '9223372036854775807', isCategorical: false });
    expect(age!.uniqueConstraints).toEqual({ min: 1, max: 104 }); // 0150 is octal
    expect(age!.distributionConstraints).toEqual({ minDomainMass: 0.95 });
    expect(age!.driftComparator).toEqual({
      jensenShannonDivergence: { threshold: 0.1, source: { type: 'QUANTILES' } },
      normalizedAbsDifference: { threshold: 0.25 },
    });
    expect(embedding!.floatDomain).toMatchObject({ min: -Infinity, max: Infinity, embeddingDim: 16, embeddingType: 'word2vec' });
    expect(embedding!.lifecycleStage).toBe('PRODUCTION'); // given as 4
    expect(ragged!.floatDomain!.max).toBeNaN();
    expect(ragged!.valueCounts).toEqual({ valueCount: [{ min: 1, max: 3 }, { min: 0 }] });
    expect(cafe!.name).toBe('café é "quoted"\t');
    expect(cafe!.annotation!.comment).toEqual(['owned by the data team']);
    const [path, unknown] = cafe!.annotation!.extraMetadata!;
    expect(path!.type_url).toBe('type.googleapis.com/tensorflow.metadata.v0.Path');
    expect(Buffer.from(path!.value!)).toEqual(Buffer.from([0x0a, 1, 0x61, 0x0a, 1, 0x62])); // Path{step: [a, b]}
    expect(Buffer.from(unknown!.value!)).toEqual(Buffer.from('\x00\x01\xffbinary', 'latin1'));
    const byName = Object.fromEntries(curated.feature.map((f) => [f.name, f]));
    expect(byName.top!.validationDerivedSource!.config).toEqual({ argmaxTopK: { k: 4294967295 } });
    expect(byName.sql_int!.validationDerivedSource!.config).toEqual({ sliceSql: { int64DefaultFeatureValue: '-9223372036854775808' } });
    expect(byName.mid!.midDomain).toEqual({});
    const group = curated.tensorRepresentationGroup!;
    expect(Object.keys(group).sort()).toEqual(['', 'serving']);
    expect(group['']!.tensorRepresentation!.big).toEqual({ denseTensor: { defaultValue: { uintValue: '18446744073709551615' } } });
  });

  it('round-trips through tsfx text and binary unchanged', () => {
    const text = schemaToText(curated);
    expect(parseSchemaText(text)).toEqual(curated);
    const fromBinary = decodeSchema(encodeSchema(curated));
    expect(fromBinary).toEqual(curated);
    expect(schemaToText(fromBinary)).toBe(text);
    expect(text).toContain('      [type.googleapis.com/tensorflow.metadata.v0.Path] {\n        step: "a"\n        step: "b"\n      }\n');
    expect(text).toContain('tensor_representation_group {\n  key: ""\n  value {\n');
  });

  it('keeps int64 bounds past 2^53 exact through binary', () => {
    // the Int64 convention: an unsafe value is its decimal string
    const s: Schema = { feature: [{ name: 'x', intDomain: { min: '-9223372036854775808' as unknown as number, max: 7 } }] };
    const back = decodeSchema(encodeSchema(s));
    expect(back.feature[0]!.intDomain).toEqual({ min: '-9223372036854775808', max: 7 });
  });
});
