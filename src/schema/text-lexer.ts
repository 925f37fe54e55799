/**
 * Tokens of protocol buffer text format, with their line and column for error messages.
 * String literals are decoded to bytes here (C escapes, octal, hex, \u); whether they must
 * be UTF-8 is up to the field they are for.
 */
import { DataError } from '../errors.js';

export interface Token {
  kind: 'ident' | 'number' | 'string' | 'symbol';
  text: string;
  /** string tokens: the decoded bytes */
  bytes?: Uint8Array;
  line: number;
  col: number;
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63 };

// '/' only appears inside an Any's `[type.googleapis.com/pkg.Message]` name
const SYMBOLS = '{}<>:;,[]/';

export class Lexer {
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
      if (SYMBOLS.includes(c)) {
        out.push({ kind: 'symbol', text: c, ...at });
        this.pos++;
      } else if (c === '"' || c === "'") {
        const start = this.pos;
        const bytes = this.string(c);
        out.push({ kind: 'string', text: s.slice(start, this.pos), bytes, ...at });
      } else {
        // numbers keep their exponent sign and suffix (1e-3, 1.5f); '-inf' is a number too
        const m = /^(-?[0-9.][0-9A-Za-z_.+-]*|-?[A-Za-z_][A-Za-z0-9_.]*)/.exec(s.slice(this.pos, this.pos + 400));
        if (!m) this.fail(`unexpected character '${c}'`);
        const text = m[0];
        out.push({ kind: /^-|^[0-9.]/.test(text) ? 'number' : 'ident', text, ...at });
        this.pos += text.length;
      }
    }
    return out;
  }

  private string(quote: string): Uint8Array {
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
      } else if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        const hex = s.slice(this.pos + 2, this.pos + 2 + n);
        const cp = parseInt(hex, 16);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n || cp > 0x10ffff) this.fail(`bad \\${e} escape`);
        bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
        this.pos += 2 + n;
      } else {
        this.fail(`bad escape '\\${e}'`);
      }
    }
    return Uint8Array.from(bytes);
  }
}
