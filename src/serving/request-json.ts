/**
 * The request body as JSON, read as TF Serving's rapidjson reads it: the non-standard tokens
 * `NaN`, `Infinity`, `-Infinity` (and rapidjson's `Inf`, `-Inf`) are numbers. The nesting depth
 * is checked before parsing: every later step walks the value recursively, and a 100k-deep body
 * would overflow the stack there (a 500) instead of being refused as the bad request it is.
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from './http-errors.js';

/** Deep enough for any tensor a model takes (rank + instances + named inputs), far below the stack. */
export const MAX_JSON_DEPTH = 64;

const OPEN_ARRAY = 0x5b; // [
const OPEN_OBJECT = 0x7b; // {
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const N = 0x4e;
const I = 0x49;

interface Scan {
  deepest: number;
  /** a bare N or I outside strings: the body may use NaN/Infinity tokens */
  tokens: boolean;
}

function scan(text: string, limit: number): Scan {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let tokens = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return { deepest, tokens };
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    else if (c === N || c === I) tokens = true;
  }
  return { deepest, tokens };
}

/** Deepest nesting of arrays and objects in `text`, stopping early once past `limit`; brackets in strings don't count. */
export function jsonDepth(text: string, limit = Infinity): number {
  return scan(text, limit).deepest;
}

// a per-process marker no client can guess, so a real string never turns into a number
const MARK = `\u0000tsfx-${randomUUID()}:`;
const TOKEN = /(-?)(NaN|Infinity|Inf)(?![A-Za-z0-9_])/y;

/** Rewrite bare NaN/Infinity tokens (outside strings) as marked strings a reviver turns back. */
function markTokens(text: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === N || c === I || c === 0x2d /* - */) {
      TOKEN.lastIndex = i;
      const m = TOKEN.exec(text);
      if (!m) continue;
      out += text.slice(from, i) + JSON.stringify(MARK + m[1] + m[2]);
      i += m[0].length - 1;
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !value.startsWith(MARK)) return value;
  const token = value.slice(MARK.length);
  if (token.endsWith('NaN')) return NaN;
  return token.startsWith('-') ? -Infinity : Infinity;
}

/** Parse a request body; an empty, too deep or malformed one is a 400 saying which. */
export function parseRequestJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (!text.trim()) throw badRequest('JSON Parse error: The document is empty');
  const { deepest, tokens } = scan(text, maxDepth);
  if (deepest > maxDepth)
    throw badRequest(`the request JSON nests deeper than ${maxDepth} levels, the most this server accepts`);
  try {
    return tokens ? JSON.parse(markTokens(text), revive) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`JSON Parse error: ${(err as Error).message}`);
  }
}
