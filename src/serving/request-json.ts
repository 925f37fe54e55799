/**
 * The request body as JSON, with its nesting depth checked before parsing: every later step
 * (shape checks, flattening) walks the value recursively, and a 100k-deep body would overflow
 * the stack there (a 500) instead of being refused as the bad request it is.
 */
import { badRequest } from './http-errors.js';

/** Deep enough for any tensor a model takes (rank + instances + named inputs), far below the stack. */
export const MAX_JSON_DEPTH = 64;

const OPEN_ARRAY = 0x5b; // [
const OPEN_OBJECT = 0x7b; // {
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Deepest nesting of arrays and objects in `text`, stopping early once past `limit`; brackets in strings don't count. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return deepest;
}

export function parseRequestJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (!text.trim()) throw badRequest('the request body is empty; expected JSON with "instances" or "inputs"');
  if (jsonDepth(text, maxDepth) > maxDepth)
    throw badRequest(`the request JSON nests deeper than ${maxDepth} levels, the most this server accepts`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`malformed JSON in the request body: ${(err as Error).message}`);
  }
}
