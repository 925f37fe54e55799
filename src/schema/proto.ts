/**
 * TFMD `Schema` as plain objects (protobufjs field names: camelCase, enums as names, 64-bit
 * ints as numbers, see Int64) and its binary wire form, from schemas/proto/schema.proto. Only fields
 * that are set appear on an object: the schema is proto2, where "unset" and "0" differ.
 */
import protobuf from 'protobufjs';
import { decodeMessage, protoType } from '../io/proto.js';
import type { Feature, Schema } from './schema-types.js';

export type * from './schema-types.js';

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** 64-bit fields decoded as decimal strings (exact) -> numbers where a number is exact. */
function exactLongs(type: protobuf.Type, obj: Record<string, unknown>): void {
  const fix = (v: unknown) => (typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v);
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    if (v === undefined) continue;
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (field.map) {
      const m = v as Record<string, unknown>;
      for (const k of Object.keys(m)) {
        if (sub) exactLongs(sub, m[k] as Record<string, unknown>);
        else if (LONG_TYPES.has(field.type)) m[k] = fix(m[k]);
      }
    } else if (sub) {
      for (const item of field.repeated ? (v as unknown[]) : [v]) exactLongs(sub, item as Record<string, unknown>);
    } else if (LONG_TYPES.has(field.type)) {
      obj[field.name] = field.repeated ? (v as unknown[]).map(fix) : fix(v);
    }
  }
}

export function schemaType(): protobuf.Type {
  const T = protoType('schema.proto', 'tensorflow.metadata.v0.Schema');
  // the walks here and in text format read field.resolvedType of nested types
  T.root.resolveAll();
  return T;
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
  const obj = T.toObject(msg, { enums: String, longs: String });
  exactLongs(T, obj);
  (obj as Schema).feature ??= [];
  return obj as Schema;
}

/** The feature a path names (top-level features only). */
export function getFeature(schema: Schema, name: string): Feature | undefined {
  return schema.feature.find((f) => f.name === name);
}

export function isDeprecated(f: Feature): boolean {
  return f.deprecated === true || ['PLANNED', 'ALPHA', 'DEPRECATED', 'DEBUG_ONLY', 'DISABLED'].includes(f.lifecycleStage ?? '');
}
