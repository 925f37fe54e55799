/**
 * Protocol buffer text format -> a plain message object (protobufjs field names), checked
 * against the reflection type: an unknown field, a wrong value or a syntax error is a
 * DataError naming the file, line and column.
 */
import protobuf from 'protobufjs';
import { DataError } from '../errors.js';
import { schemaType, type Schema } from './proto.js';

type Obj = Record<string, unknown>;

interface Token {
  kind: 'ident' | 'number' | 'string' | 'symbol';
  text: string;
  /** string tokens: the decoded value */
  value?: string;
  line: number;
  col: number;
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63 };

class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  constructor(
    private readonly src: string,
    private readonly file?: string,
  ) {}

  fail(message: string, at?: { line: number; col: number }): never {
    const where = at ?? { line: this.line, col: this.pos - this.lineStart + 1 };
    throw new DataError(message, this.file, `line ${where.line}:${where.col}`);
  }

  tokens(): Token[] {
    const out: Token[] = [];
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === '\n') {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
        continue;
      }
      if (/\s/.test(c)) {
        this.pos++;
        continue;
      }
      if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
        continue;
      }
      const at = { line: this.line, col: this.pos - this.lineStart + 1 };
      if ('{}<>:;,[]'.includes(c)) {
        out.push({ kind: 'symbol', text: c, ...at });
        this.pos++;
      } else if (c === '"' || c === "'") {
        out.push({ kind: 'string', text: c, value: this.string(c), ...at });
      } else {
        const m = /^(-?[0-9.][0-9A-Za-z_.+-]*|-?[A-Za-z_][A-Za-z0-9_.]*)/.exec(s.slice(this.pos, this.pos + 400));
        if (!m) this.fail(`unexpected character '${c}'`);
        const text = m[0];
        // a number's exponent sign is part of it; a '-' elsewhere starts a new token
        const kind = /^-?[0-9.]/.test(text) ? 'number' : text.startsWith('-') ? 'number' : 'ident';
        out.push({ kind, text, ...at });
        this.pos += text.length;
      }
    }
    return out;
  }

  private string(quote: string): string {
    const s = this.src;
    const bytes: number[] = [];
    this.pos++;
    while (true) {
      if (this.pos >= s.length || s[this.pos] === '\n') this.fail('unterminated string');
      const c = s[this.pos]!;
      if (c === quote) {
        this.pos++;
        break;
      }
      if (c !== '\\') {
        const cp = s.codePointAt(this.pos)!;
        bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
        this.pos += cp > 0xffff ? 2 : 1;
        continue;
      }
      const e = s[this.pos + 1] ?? '';
      if (e in SIMPLE_ESCAPES) {
        bytes.push(SIMPLE_ESCAPES[e]!);
        this.pos += 2;
      } else if (/[0-7]/.test(e)) {
        const oct = /^[0-7]{1,3}/.exec(s.slice(this.pos + 1))![0];
        bytes.push(parseInt(oct, 8) & 0xff);
        this.pos += 1 + oct.length;
      } else if (e === 'x' && /^[0-9a-fA-F]/.test(s[this.pos + 2] ?? '')) {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(s.slice(this.pos + 2))![0];
        bytes.push(parseInt(hex, 16));
        this.pos += 2 + hex.length;
      } else if ((e === 'u' || e === 'U') && /^[0-9a-fA-F]+/.test(s.slice(this.pos + 2))) {
        const n = e === 'u' ? 4 : 8;
        const hex = s.slice(this.pos + 2, this.pos + 2 + n);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) this.fail(`bad \\${e} escape`);
        bytes.push(...Buffer.from(String.fromCodePoint(parseInt(hex, 16)), 'utf8'));
        this.pos += 2 + n;
      } else {
        this.fail(`bad escape '\\${e}'`);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

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
      this.field(type, obj);
    }
  }

  private field(type: protobuf.Type, obj: Obj): void {
    const nameTok = this.next('a field name');
    if (nameTok.kind !== 'ident') this.lex.fail(`expected a field name, got '${nameTok.text}'`, nameTok);
    const field = type.fields[camel(nameTok.text)];
    if (!field) this.lex.fail(`${type.name} has no field '${nameTok.text}'`, nameTok);
    const isMsg = field.resolvedType instanceof protobuf.Type;
    if (this.isSym(this.peek(), ':')) this.i++;
    else if (!isMsg) this.lex.fail(`expected ':' after '${nameTok.text}'`, nameTok);
    const one = () => (isMsg ? this.messageValue(field.resolvedType as protobuf.Type) : this.scalar(field));
    const values: unknown[] = [];
    if (this.isSym(this.peek(), '[')) {
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
    if (field.repeated) {
      obj[field.name] = [...((obj[field.name] as unknown[] | undefined) ?? []), ...values];
    } else {
      if (values.length !== 1 || obj[field.name] !== undefined) this.lex.fail(`non-repeated field '${nameTok.text}' set twice`, nameTok);
      if (field.partOf) for (const other of field.partOf.fieldsArray) delete obj[other.name];
      obj[field.name] = values[0];
    }
  }

  private messageValue(type: protobuf.Type): Obj {
    const open = this.next("'{'");
    if (!this.isSym(open, '{') && !this.isSym(open, '<')) this.lex.fail(`expected '{', got '${open.text}'`, open);
    return this.message(type, open.text === '{' ? '}' : '>');
  }

  private scalar(field: protobuf.Field): unknown {
    const t = this.next(`a value for '${field.name}'`);
    const bad = (): never => this.lex.fail(`bad value '${t.text}' for ${field.type} field '${field.name}'`, t);
    if (field.resolvedType instanceof protobuf.Enum) {
      const e = field.resolvedType;
      if (t.kind === 'ident' && t.text in e.values) return t.text;
      if (t.kind === 'number' && /^\d+$/.test(t.text) && e.valuesById[Number(t.text)]) return e.valuesById[Number(t.text)];
      return bad();
    }
    switch (field.type) {
      case 'string': {
        if (t.kind !== 'string') return bad();
        let v = t.value!;
        while (this.peek()?.kind === 'string') v += this.next('a string').value!;
        return v;
      }
      case 'bool':
        if (['true', 't', 'True', '1'].includes(t.text)) return true;
        if (['false', 'f', 'False', '0'].includes(t.text)) return false;
        return bad();
      case 'double':
      case 'float': {
        const text = t.text.toLowerCase().replace(/(?<=[0-9.])f$/, '');
        const sign = text.startsWith('-') ? -1 : 1;
        const body = text.replace(/^-/, '');
        if (body === 'inf' || body === 'infinity') return sign * Infinity;
        if (body === 'nan') return NaN;
        if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(body)) return bad();
        return sign * Number(body);
      }
      default: {
        if (t.kind !== 'number' || !/^-?(0x[0-9a-fA-F]+|\d+)$/.test(t.text)) return bad();
        const neg = t.text.startsWith('-');
        const n = Number(t.text.replace(/^-/, ''));
        if (!Number.isSafeInteger(n)) return bad();
        return neg ? -n : n;
      }
    }
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
