/**
 * A streaming RFC 4180 tokenizer over bytes: it finds each record's field boundaries in the
 * input buffer and leaves decoding to the caller, so numbers parse straight from the bytes and
 * byte values are copied without ever becoming JS strings.
 *
 * It follows csv-parse's rules with `bom`, `relax_column_count` and `skip_empty_lines` (what
 * the reader used before): the record delimiter is the first line end seen outside quotes
 * (\r\n, \n or \r) and stays fixed for the file; a quote opens a quoted field only as its first
 * byte, a doubled quote inside one is a quote, and the closing quote must be followed by a
 * comma, the record delimiter or the end of the input; empty lines are skipped.
 */
import { isUtf8 } from 'node:buffer';
import type { ColumnBuilder } from './columns.js';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Malformed input; `offset` is where the record holding it starts. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const enum Eol {
  Unknown,
  Lf,
  CrLf,
  Cr,
}

/** eolAt's answer when the buffer ends before it can tell (a \r, or a quote, as its last byte) */
const NEED_MORE = -1;

export class CsvTokenizer {
  /** the bytes the current record's field offsets point into */
  buf: Buffer = Buffer.alloc(0);
  /** fields of the current record */
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** 0: unquoted, 1: quoted, 2: quoted with doubled quotes inside (to unescape) */
  quoting = new Uint8Array(64);
  /** input offsets of the current record's first byte and just past its record delimiter */
  start = 0;
  end = 0;

  /** input offset of buf[0] */
  private base = 0;
  private pos = 0;
  private eof = false;
  private eol = Eol.Unknown;
  private bomChecked = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** the last scan stopped on a cut-off record and no input was merged since */
  private stalled = false;
  /** buf[0, utf8End) is known to be valid UTF-8 */
  private utf8End = 0;
  private scratch = Buffer.alloc(256);

  /** More input. Records are then read with next(). */
  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // a record longer than what arrived since its scan began is scanned again only once the
    // input behind it has doubled: long fields cost O(n), not O(n^2)
    if (this.pendingBytes >= this.buf.length - this.pos) this.merge();
  }

  /** No more input: next() then also returns the last record when it lacks a line end. */
  finish(): void {
    this.eof = true;
    this.merge();
  }

  private merge(): void {
    const tail = this.buf.subarray(this.pos);
    this.base += this.pos;
    this.buf = tail.length === 0 && this.pending.length === 1 ? this.pending[0]! : Buffer.concat([tail, ...this.pending]);
    this.pos = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.stalled = false;
    // one native check per buffer instead of one per value; a line feed never sits inside a
    // multi-byte character, so the prefix up to the last one is whole characters
    const upTo = this.buf.lastIndexOf(LF) + 1;
    this.utf8End = upTo > 0 && isUtf8(this.buf.subarray(0, upTo)) ? upTo : 0;
  }

  /** Advance to the next complete record; false when more input is needed or the input is done. */
  next(): boolean {
    if (this.stalled) return false;
    if (!this.bomChecked) {
      if (this.buf.length < 3 && !this.eof) return false;
      this.bomChecked = true;
      if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.pos = 3;
    }
    const found = this.scan();
    if (!found) this.stalled = !this.eof;
    return found;
  }

  /** Length of the record delimiter at p: 0 when none, NEED_MORE when it can't tell yet. */
  private eolAt(p: number): number {
    const buf = this.buf;
    const c = buf[p];
    if (c !== LF && c !== CR) return 0;
    switch (this.eol) {
      case Eol.Lf:
        return c === LF ? 1 : 0;
      case Eol.Cr:
        return c === CR ? 1 : 0;
      case Eol.CrLf:
        if (c !== CR) return 0;
        if (p + 1 >= buf.length) return this.eof ? 0 : NEED_MORE;
        return buf[p + 1] === LF ? 2 : 0;
      default:
        if (c === LF) {
          this.eol = Eol.Lf;
          return 1;
        }
        if (p + 1 >= buf.length && !this.eof) return NEED_MORE;
        this.eol = buf[p + 1] === LF ? Eol.CrLf : Eol.Cr;
        return this.eol === Eol.CrLf ? 2 : 1;
    }
  }

  private field(s: number, e: number, quoting: number): void {
    const i = this.count;
    if (i === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a as never);
        return b;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      this.quoting = grow(this.quoting);
    }
    this.starts[i] = s;
    this.ends[i] = e;
    this.quoting[i] = quoting;
    this.count = i + 1;
  }

  private fail(recStart: number, message: string): CsvSyntaxError {
    return new CsvSyntaxError(message, this.base + recStart);
  }

  private scan(): boolean {
    const buf = this.buf;
    const n = buf.length;
    const eof = this.eof;
    let p = this.pos;
    for (;;) {
      if (p >= n) {
        this.pos = p;
        return false;
      }
      const d = this.eolAt(p);
      if (d === 0) break;
      if (d === NEED_MORE) {
        this.pos = p;
        return false;
      }
      p += d;
    }
    this.pos = p;
    const recStart = p;
    this.count = 0;
    for (;;) {
      // one field per turn; ends by `continue` after a comma, or leaves the record
      if (buf[p] === QUOTE) {
        const s = p + 1;
        let q = s;
        let quoting = 1;
        for (;;) {
          const i = buf.indexOf(QUOTE, q);
          if (i < 0 || (i + 1 >= n && !eof)) {
            if (eof) throw this.fail(recStart, 'Quote Not Closed: the input ends inside a quoted field');
            return false;
          }
          if (buf[i + 1] === QUOTE) {
            quoting = 2;
            q = i + 2;
            continue;
          }
          this.field(s, i, quoting);
          p = i + 1;
          break;
        }
        if (p >= n) break;
        if (buf[p] === COMMA) {
          p++;
          continue;
        }
        const d = this.eolAt(p);
        if (d === NEED_MORE) return false;
        if (d === 0) {
          throw this.fail(recStart, `Invalid Closing Quote: got ${JSON.stringify(String.fromCharCode(buf[p]!))} instead of a delimiter or record delimiter`);
        }
        p += d;
        break;
      }
      const s = p;
      let d = 0;
      for (; p < n; p++) {
        const c = buf[p]!;
        if (c === COMMA) break;
        if (c === QUOTE) throw this.fail(recStart, `Invalid Opening Quote: a quote is found in field ${this.count + 1}, after its first byte`);
        if ((c === LF || c === CR) && (d = this.eolAt(p)) !== 0) break;
      }
      if (d === NEED_MORE || (p >= n && !eof)) return false;
      this.field(s, p, 0);
      if (p < n && buf[p] === COMMA) {
        p++;
        continue;
      }
      p += d;
      break;
    }
    this.start = this.base + recStart;
    this.end = this.base + p;
    this.pos = p;
    return true;
  }

  /** Undo doubled quotes of field i into the scratch buffer; returns the length. */
  private unescape(i: number): number {
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (this.scratch.length < e - s) this.scratch = Buffer.alloc(2 * (e - s));
    const src = this.buf;
    const out = this.scratch;
    let w = 0;
    for (let r = s; r < e; r++) {
      out[w++] = src[r]!;
      if (src[r] === QUOTE) r++;
    }
    return w;
  }

  /** Field i as a string, as csv-parse gave it (invalid UTF-8 becomes U+FFFD). */
  text(i: number): string {
    if (this.quoting[i] === 2) {
      const n = this.unescape(i); // may replace the scratch buffer: read it after
      return this.scratch.toString('utf8', 0, n);
    }
    return this.buf.toString('utf8', this.starts[i], this.ends[i]);
  }

  /**
   * Append field i's bytes to a bytes column: straight from the input when they are valid
   * UTF-8, else re-encoded from text, as csv-parse's strings were (U+FFFD for bad bytes).
   */
  pushTo(i: number, col: ColumnBuilder): void {
    let b = this.buf;
    let s = this.starts[i]!;
    let e = this.ends[i]!;
    if (this.quoting[i] === 2) {
      e = this.unescape(i);
      s = 0;
      b = this.scratch;
    }
    if ((b === this.buf && e <= this.utf8End) || isUtf8(b.subarray(s, e))) col.pushBytes(b, s, e);
    else col.pushBytes(Buffer.from(b.toString('utf8', s, e), 'utf8'));
  }
}
