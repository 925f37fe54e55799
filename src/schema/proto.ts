/**
 * TFMD `Schema` as plain objects (protobufjs field names: camelCase, enums as names, 64-bit
 * ints as numbers) and its binary wire form, from schemas/proto/schema.proto. Only fields
 * that are set appear on an object: the schema is proto2, where "unset" and "0" differ.
 */
import type protobuf from 'protobufjs';
import { decodeMessage, protoType } from '../io/proto.js';

export type FeatureType = 'TYPE_UNKNOWN' | 'BYTES' | 'INT' | 'FLOAT' | 'STRUCT';

export interface FeaturePresence {
  minFraction?: number;
  minCount?: number;
}
export interface ValueCount {
  min?: number;
  max?: number;
}
export interface FixedShape {
  dim: { size?: number; name?: string }[];
}
export interface IntDomain {
  name?: string;
  min?: number;
  max?: number;
  isCategorical?: boolean;
}
export interface FloatDomain {
  name?: string;
  min?: number;
  max?: number;
  disallowNan?: boolean;
  disallowInf?: boolean;
}
export interface StringDomain {
  name?: string;
  value: string[];
}
export interface BoolDomain {
  name?: string;
  trueValue?: string;
  falseValue?: string;
}
export interface FeatureComparator {
  infinityNorm?: { threshold?: number };
  jensenShannonDivergence?: { threshold?: number };
}

export interface Feature {
  name: string;
  deprecated?: boolean;
  presence?: FeaturePresence;
  shape?: FixedShape;
  valueCount?: ValueCount;
  type?: FeatureType;
  /** name of a Schema.stringDomain */
  domain?: string;
  intDomain?: IntDomain;
  floatDomain?: FloatDomain;
  stringDomain?: StringDomain;
  boolDomain?: BoolDomain;
  skewComparator?: FeatureComparator;
  driftComparator?: FeatureComparator;
  inEnvironment?: string[];
  notInEnvironment?: string[];
  lifecycleStage?: string;
}

export interface Schema {
  feature: Feature[];
  stringDomain?: StringDomain[];
  floatDomain?: FloatDomain[];
  intDomain?: IntDomain[];
  defaultEnvironment?: string[];
}

export function schemaType(): protobuf.Type {
  return protoType('schema.proto', 'tensorflow.metadata.v0.Schema');
}

/** Schema object -> TFMD binary. */
export function encodeSchema(schema: Schema): Uint8Array {
  const T = schemaType();
  return T.encode(T.fromObject(schema)).finish();
}

/** TFMD binary (ours or TFDV's) -> Schema object with only the fields that are set. */
export function decodeSchema(bytes: Uint8Array, file?: string): Schema {
  const T = schemaType();
  const msg = decodeMessage(T, bytes, file, 'TFMD Schema');
  const obj = T.toObject(msg, { enums: String, longs: Number }) as Schema;
  obj.feature ??= [];
  return obj;
}

/** The feature a path names (top-level features only). */
export function getFeature(schema: Schema, name: string): Feature | undefined {
  return schema.feature.find((f) => f.name === name);
}

export function isDeprecated(f: Feature): boolean {
  return f.deprecated === true || ['PLANNED', 'ALPHA', 'DEPRECATED', 'DEBUG_ONLY'].includes(f.lifecycleStage ?? '');
}
