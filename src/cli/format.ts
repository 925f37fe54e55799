/** Plain-text tables and small formatting helpers for the CLI. */

export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A table of figures (the benches): the first `labelColumns` left-aligned, the numbers right-aligned, a rule under the header. */
export function figuresTable(headers: string[], rows: string[][], labelColumns = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < labelColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function duration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function when(d: Date): string {
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * JSON for every `--json` output, one convention across commands: bigint (Arrow Int64 values)
 * as numbers when safe, strings otherwise; bytes (Uint8Array, Buffer) as base64 strings, never
 * `{"0":…}` objects; timestamps as ISO 8601 UTC strings, whether a Date or epoch milliseconds
 * under a `…At` / `…Time` key (the run progress' startedAt/finishedAt).
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer, 2);
}

function jsonReplacer(this: unknown, key: string, v: unknown): unknown {
  // the holder's own value: Buffer.toJSON and Date.toJSON have already run on `v`
  const raw = (this as Record<string, unknown> | undefined)?.[key];
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number' && /(?:At|Time)$/.test(key) && Number.isFinite(v) && v > 1e11) return new Date(v).toISOString();
  return v;
}

const SUFFIXES = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
] as const;

/**
 * The one compact number style of every table column (statistics, anomalies, progress, gc): at
 * most 4 significant digits; from 10,000 on a k/M/G/T suffix, chosen after rounding (999,950 ->
 * 1M, never 1000k); below 0.001 e-notation with a mantissa of at most 4 digits (-1.2e-5). So
 * 22301.5 is 22.3k beside 114.4k, never 2.230e+4.
 */
export function compact(n: number | undefined): string {
  if (n === undefined) return '-';
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a < 1e-3) {
    const [m, e] = n.toExponential(3).split('e');
    return `${trimZeros(m!)}e${e}`;
  }
  // round first, so the suffix fits the rounded value: 9999.7 -> 10k, 999950 -> 1M
  const r = Number(n.toPrecision(4));
  const ra = Math.abs(r);
  if (ra < 1e4) return trimZeros(String(r));
  const [unit, suffix] = SUFFIXES.find(([u]) => ra >= u)!;
  return `${trimZeros(String(Number((r / unit).toPrecision(4))))}${suffix}`;
}

/**
 * A measurement beside its threshold (drift/skew): 6 significant digits, no suffix, so a value
 * just over the line never prints the same as the threshold it crossed (compact would round both to 0.15).
 */
export function measure(n: number | undefined): string {
  if (n === undefined) return '';
  if (!Number.isFinite(n)) return compact(n);
  return String(Number(n.toPrecision(6)));
}

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** A float32 value (Arrow Float32, a proto `float`) as its shortest decimal that rounds back to it: 6.9, not 6.900000095367432. */
export function float32(n: number): number {
  if (!Number.isFinite(n) || n === 0) return n;
  const f = Math.fround(n);
  for (let p = 1; p < 10; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes for a table cell: the text when they are valid UTF-8 with no control characters
 * (tab and newline aside), else `0x` hex for up to 16 bytes, `b64:` base64 past that.
 */
export function bytesText(b: Uint8Array): string {
  try {
    const text = utf8.decode(b);
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text)) return text;
  } catch {
    // not UTF-8: fall through to hex / base64
  }
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return b.byteLength <= 16 ? `0x${buf.toString('hex')}` : `b64:${buf.toString('base64')}`;
}
