/**
 * Protocol buffer text format for the messages of schemas/proto/schema.proto, driven by the
 * protobufjs reflection types so the writer and parser follow the .proto file.
 *
 * The writer prints what Python's `text_format.MessageToString` prints (what
 * `tfdv.write_schema_text` and TFX's SchemaGen write): fields in field-number order, doubles
 * as Python's repr (`1.0`, `1e-05`, `inf`), strings C-escaped with non-ASCII bytes in octal.
 * The parser takes the usual text-format input: `#` comments, `:` optional before a
 * message, `{}` or `<>`, `[a, b]` lists, adjacent string literals, `;`/`,` separators.
 * Like Python, map entries print as `key`/`value` messages sorted by key, and an Any whose
 * type tsfx knows prints expanded (`[type.googleapis.com/pkg.Msg] { ... }`).
 */
import protobuf from 'protobufjs';
import { schemaType, type Schema } from './proto.js';
import { anyPayloadType, snake } from './text-parse.js';

type Obj = Record<string, unknown>;


/** Python's repr of a double: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonDouble(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expPart] = x.toExponential().split('e') as [string, string];
  const exp = Number(expPart);
  if (exp < -4 || exp >= 16) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = x.toFixed(Math.max(0, (mant.split('.')[1]?.length ?? 0) - exp));
  return s.includes('.') ? s : `${s}.0`;
}

/** A float32 field: the fewest digits that read back as the same float32, in Python's layout. */
export function pythonFloat32(x: number): string {
  if (!Number.isFinite(x) || x === 0) return pythonDouble(x);
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === Math.fround(x)) return pythonDouble(y);
  }
  return pythonDouble(x);
}

/** C-style escape of a string's UTF-8 bytes (or raw bytes), as Python's text_format does (as_utf8=False). */
export function escapeBytes(s: string | Uint8Array): string {
  let out = '';
  for (const b of typeof s === 'string' ? Buffer.from(s, 'utf8') : s) {
    if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

function scalarText(field: protobuf.Field, v: unknown): string {
  if (field.resolvedType instanceof protobuf.Enum) {
    return typeof v === 'number' ? (field.resolvedType.valuesById[v] ?? String(v)) : String(v);
  }
  switch (field.type) {
    case 'string':
      return `"${escapeBytes(String(v))}"`;
    case 'bytes':
      return `"${escapeBytes(typeof v === 'string' ? Buffer.from(v, 'base64') : (v as Uint8Array))}"`;
    case 'double':
      return pythonDouble(Number(v));
    case 'float':
      return pythonFloat32(Number(v));
    case 'bool':
      return v ? 'true' : 'false';
    default:
      return String(v);
  }
}

function writeField(field: protobuf.Field, name: string, item: unknown, indent: string, out: string[]): void {
  if (field.resolvedType instanceof protobuf.Type) {
    out.push(`${indent}${name} {`);
    writeMessage(field.resolvedType, item as Obj, `${indent}  `, out);
    out.push(`${indent}}`);
  } else {
    out.push(`${indent}${name}: ${scalarText(field, item)}`);
  }
}

/** An Any as `[url] { ... }` when its type is known here, the way Python prints one its pool knows. */
function writeExpandedAny(type: protobuf.Type, obj: Obj, indent: string, out: string[]): boolean {
  const url = obj.type_url;
  if (typeof url !== 'string') return false;
  const packed = anyPayloadType(type.root as protobuf.Root, url);
  if (!packed) return false;
  const bytes = typeof obj.value === 'string' ? Buffer.from(obj.value, 'base64') : ((obj.value as Uint8Array | undefined) ?? new Uint8Array());
  const inner = packed.toObject(packed.decode(bytes), { enums: String, longs: String });
  out.push(`${indent}[${url}] {`);
  writeMessage(packed, inner, `${indent}  `, out);
  out.push(`${indent}}`);
  return true;
}

function writeMessage(type: protobuf.Type, obj: Obj, indent: string, out: string[]): void {
  if (type.fullName === '.google.protobuf.Any' && writeExpandedAny(type, obj, indent, out)) return;
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
  for (const field of fields) {
    const v = obj[field.name];
    if (v === undefined || v === null) continue;
    const name = snake(field.name);
    if (field instanceof protobuf.MapField) {
      const entries = Object.entries(v as Obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [key, value] of entries) {
        out.push(`${indent}${name} {`);
        out.push(`${indent}  key: ${field.keyType === 'string' ? `"${escapeBytes(key)}"` : key}`);
        if (value !== undefined && value !== null) writeField(field, 'value', value, `${indent}  `, out);
        out.push(`${indent}}`);
      }
      continue;
    }
    for (const item of field.repeated ? (v as unknown[]) : [v]) writeField(field, name, item, indent, out);
  }
}

/** A message object -> text format (a Schema unless another type is given). */
export function toTextFormat(obj: object, type: protobuf.Type = schemaType()): string {
  type.root.resolveAll();
  const out: string[] = [];
  writeMessage(type, obj as Obj, '', out);
  return out.length ? `${out.join('\n')}\n` : '';
}

export const schemaToText = (schema: Schema): string => toTextFormat(schema);

export { parseTextFormat, parseSchemaText } from './text-parse.js';
