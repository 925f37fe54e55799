/**
 * Protocol buffer text format -> a plain message object (protobufjs field names), checked
 * against the reflection type: an unknown field, a wrong value or a syntax error is a
 * DataError naming the file, line and column. Accepts what Python's text_format.Parse
 * accepts for TFMD messages: `{}` or `<>`, `[a, b]` lists, map entries, expanded Any
 * (`[type.googleapis.com/pkg.Msg] { ... }`), enums by name or number, hex/octal integers,
 * inf/nan/1e-3/1.0f floats; and rejects what it rejects (two members of one oneof, a
 * singular field twice, invalid UTF-8 in a string field).
 *
 * 64-bit integers are numbers; one beyond 2^53 stays exact as its decimal string, which
 * protobufjs encodes exactly and JS compares with numbers correctly.
 */
import protobuf from 'protobufjs';
import { schemaType, type Schema } from './proto.js';
import { Lexer, type Token } from './text-lexer.js';

type Obj = Record<string, unknown>;

export const snake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const byTextName = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();
/** A field by its .proto (snake_case) name, the name text format uses. */
function fieldNamed(type: protobuf.Type, name: string): protobuf.Field | undefined {
  let m = byTextName.get(type);
  if (!m) {
    m = new Map(type.fieldsArray.map((f) => [snake(f.name), f]));
    byTextName.set(type, m);
  }
  return m.get(name);
}

let wellKnown: protobuf.Root | undefined;
/**
 * The message type an Any's type URL names, if tsfx knows it: a type of `root` (all TFMD
 * messages) or one of protobuf's well-known types (wrappers, Struct, Timestamp, ...), which
 * Python's default descriptor pool also knows and so prints expanded.
 */
export function anyPayloadType(root: protobuf.Root, url: string): protobuf.Type | undefined {
  if (!url.includes('/')) return undefined;
  const name = url.slice(url.lastIndexOf('/') + 1);
  if (!wellKnown) {
    wellKnown = new protobuf.Root();
    for (const f of ['wrappers', 'struct', 'timestamp', 'duration', 'empty', 'field_mask']) wellKnown.loadSync(`google/protobuf/${f}.proto`);
    wellKnown.resolveAll();
  }
  const found = root.lookup(name) ?? wellKnown.lookup(name);
  return found instanceof protobuf.Type ? found : undefined;
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/** Decimal, 0x hex or C-style 0 octal, as Python's text_format reads integers. */
function parseInteger(text: string): bigint | undefined {
  const m = /^(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const body = m[2]!;
  const v = /^0[0-7]+$/.test(body) ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  return m[1] ? -v : v;
}

/** Python's float(), then inf/infinity/nan with an optional f suffix, then a trailing f dropped. */
function parseFloatText(text: string): number | undefined {
  const t = text.toLowerCase();
  const inf = /^(-?)inf(inity)?f?$/.exec(t);
  if (inf) return inf[1] ? -Infinity : Infinity;
  if (/^-?nanf?$/.test(t)) return NaN;
  const body = t.replace(/f$/, '');
  return /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(body) ? Number(body) : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly lex: Lexer,
  ) {}

  private peek(): Token | undefined {
    return this.toks[this.i];
  }
  private next(what: string): Token {
    const t = this.toks[this.i++];
    if (!t) this.lex.fail(`unexpected end of input, expected ${what}`);
    return t;
  }
  private isSym(t: Token | undefined, s: string) {
    return t?.kind === 'symbol' && t.text === s;
  }
  private skipColon(): boolean {
    if (!this.isSym(this.peek(), ':')) return false;
    this.i++;
    return true;
  }

  message(type: protobuf.Type, close?: string): Obj {
    const obj: Obj = {};
    while (true) {
      const t = this.peek();
      if (!t) {
        if (close) this.lex.fail(`unexpected end of input, expected '${close}'`);
        return obj;
      }
      if (close && this.isSym(t, close)) {
        this.i++;
        return obj;
      }
      if (this.isSym(t, ';') || this.isSym(t, ',')) {
        this.i++;
        continue;
      }
      if (this.isSym(t, '[') && type.fullName === '.google.protobuf.Any') this.expandedAny(type, obj);
      else this.field(type, obj);
    }
  }

  private field(type: protobuf.Type, obj: Obj): void {
    const nameTok = this.next('a field name');
    if (nameTok.kind !== 'ident') this.lex.fail(`expected a field name, got '${nameTok.text}'`, nameTok);
    const field = fieldNamed(type, nameTok.text);
    if (!field) this.lex.fail(`${type.name} has no field '${nameTok.text}'`, nameTok);
    const isMsg = field.map || field.resolvedType instanceof protobuf.Type;
    if (!this.skipColon() && !isMsg) this.lex.fail(`expected ':' after '${nameTok.text}'`, nameTok);
    const one = (): unknown => {
      if (field instanceof protobuf.MapField) return this.mapEntry(field);
      return isMsg ? this.messageValue(field.resolvedType as protobuf.Type) : this.scalar(field.type, field.resolvedType, nameTok.text);
    };
    const values: unknown[] = [];
    if (this.isSym(this.peek(), '[')) {
      if (!field.repeated && !field.map) this.lex.fail(`'${nameTok.text}' is not a repeated field, so it takes no [list]`, this.peek());
      this.i++;
      while (!this.isSym(this.peek(), ']')) {
        values.push(one());
        if (this.isSym(this.peek(), ',')) this.i++;
        else if (!this.isSym(this.peek(), ']')) this.lex.fail(`expected ',' or ']' in the list of '${nameTok.text}'`, this.peek());
      }
      this.i++;
    } else {
      values.push(one());
    }
    if (field.map) {
      // a key given twice: the later entry wins, as in Python
      obj[field.name] = { ...((obj[field.name] as Obj | undefined) ?? {}), ...Object.fromEntries(values as [string, unknown][]) };
    } else if (field.repeated) {
      obj[field.name] = [...((obj[field.name] as unknown[] | undefined) ?? []), ...values];
    } else {
      if (obj[field.name] !== undefined) this.lex.fail(`non-repeated field '${nameTok.text}' set twice`, nameTok);
      const rival = field.partOf?.fieldsArray.find((f) => f !== field && obj[f.name] !== undefined);
      if (rival) {
        this.lex.fail(`'${nameTok.text}' and '${snake(rival.name)}' are both set, but they are members of one oneof ('${snake(field.partOf!.name)}')`, nameTok);
      }
      obj[field.name] = values[0];
    }
  }

  private messageValue(type: protobuf.Type): Obj {
    const open = this.next("'{'");
    if (!this.isSym(open, '{') && !this.isSym(open, '<')) this.lex.fail(`expected '{', got '${open.text}'`, open);
    return this.message(type, open.text === '{' ? '}' : '>');
  }

  /** `{ key: "k" value { ... } }` of a map field -> [key, value]. */
  private mapEntry(field: protobuf.MapField): [string, unknown] {
    const open = this.next("'{'");
    if (!this.isSym(open, '{') && !this.isSym(open, '<')) this.lex.fail(`expected '{', got '${open.text}'`, open);
    const close = open.text === '{' ? '}' : '>';
    const valueType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    let key: unknown;
    let value: unknown;
    while (!this.isSym(this.peek(), close)) {
      const t = this.next(`'key', 'value' or '${close}'`);
      if (t.text === 'key' && key === undefined) {
        if (!this.skipColon()) this.lex.fail("expected ':' after 'key'", t);
        key = this.scalar(field.keyType, null, 'key');
      } else if (t.text === 'value' && value === undefined) {
        if (!this.skipColon() && !valueType) this.lex.fail("expected ':' after 'value'", t);
        value = valueType ? this.messageValue(valueType) : this.scalar(field.type, field.resolvedType, 'value');
      } else {
        this.lex.fail(`expected 'key' or 'value' in an entry of map '${snake(field.name)}', got '${t.text}'`, t);
      }
      if (this.isSym(this.peek(), ',') || this.isSym(this.peek(), ';')) this.i++;
    }
    this.i++;
    return [String(key ?? (field.keyType === 'string' ? '' : 0)), value ?? (valueType ? {} : undefined)];
  }

  /** `[type.googleapis.com/pkg.Msg] { ... }` inside an Any: parsed as Msg, stored packed. */
  private expandedAny(type: protobuf.Type, obj: Obj): void {
    const open = this.next("'['");
    let url = '';
    while (!this.isSym(this.peek(), ']')) url += this.next("']'").text;
    this.i++;
    const packed = anyPayloadType(type.root as protobuf.Root, url);
    if (!packed) this.lex.fail(`Any type '${url}' is not a message type tsfx knows`, open);
    if (obj.type_url !== undefined || obj.value !== undefined) this.lex.fail('an Any holds one message', open);
    this.skipColon();
    const inner = this.messageValue(packed);
    obj.type_url = url;
    obj.value = packed.encode(packed.fromObject(inner)).finish();
  }

  private scalar(kind: string, resolved: protobuf.Type | protobuf.Enum | null, name: string): unknown {
    const t = this.next(`a value for '${name}'`);
    const bad = (why = `for ${kind} field '${name}'`): never => this.lex.fail(`bad value '${t.text}' ${why}`, t);
    if (resolved instanceof protobuf.Enum) {
      if (t.kind === 'ident' && t.text in resolved.values) return t.text;
      const n = t.kind === 'number' ? parseInteger(t.text) : undefined;
      if (n !== undefined && resolved.valuesById[Number(n)] !== undefined) return resolved.valuesById[Number(n)];
      return bad(`for field '${name}': enum ${resolved.name} has no such value (${Object.keys(resolved.values).join(', ')})`);
    }
    if (kind === 'string' || kind === 'bytes') {
      if (t.kind !== 'string') return bad();
      const parts = [t.bytes!];
      while (this.peek()?.kind === 'string') parts.push(this.next('a string').bytes!);
      const bytes = Buffer.concat(parts);
      if (kind === 'bytes') return bytes;
      try {
        return utf8.decode(bytes);
      } catch {
        return bad(`for string field '${name}': not valid UTF-8 (use a bytes field for binary data)`);
      }
    }
    if (t.kind === 'string' || t.kind === 'symbol') return bad();
    if (kind === 'bool') {
      if (['true', 't', 'True', '1'].includes(t.text)) return true;
      if (['false', 'f', 'False', '0'].includes(t.text)) return false;
      return bad();
    }
    if (kind === 'double' || kind === 'float') {
      const x = parseFloatText(t.text) ?? bad();
      // a float field holds a float32, as it does after a binary round trip (and in Python)
      return kind === 'float' ? Math.fround(x) : x;
    }
    const range = INT_RANGE[kind];
    const n = parseInteger(t.text);
    if (!range) return bad(`(unsupported field type ${kind})`);
    if (n === undefined) return bad();
    if (n < range[0] || n > range[1]) return bad(`for ${kind} field '${name}': out of range`);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
  }
}

/** Text format -> message object of `type` (fields set in the text only). */
export function parseTextFormat(text: string, type: protobuf.Type, file?: string): Obj {
  type.root.resolveAll();
  const lex = new Lexer(text, file);
  return new Parser(lex.tokens(), lex).message(type);
}

/** A schema.pbtxt (ours, TFDV's or hand-written) -> Schema object. */
export function parseSchemaText(text: string, file?: string): Schema {
  const obj = parseTextFormat(text, schemaType(), file) as unknown as Schema;
  obj.feature ??= [];
  return obj;
}
