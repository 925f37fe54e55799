/**
 * Parsing a component's params, for every component (built-in or a user's own) and at every
 * place params enter: the DSL's compile, `tsfx run --param`, and the worker. zod objects strip
 * keys they don't know, so a misspelled param (`rowsPerShrd`) would run with the default and
 * still change the cache key; any key of the input that did not survive the parse is refused,
 * at any depth, naming it (and the nearest known key).
 */
import type { z } from 'zod';
import { DefinitionError } from '../errors.js';

export function parseParams<S extends z.ZodType>(schema: S, raw: unknown, path: (string | number)[]): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DefinitionError(issue.message, [...path, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]);
  }
  const unknown = unknownKeys(raw, parsed.data, []);
  if (unknown) {
    const near = nearest(unknown.key, unknown.known);
    throw new DefinitionError(
      `unknown param '${unknown.key}'${near ? ` (did you mean '${near}'?)` : ''}; known here: ${unknown.known.join(', ') || 'none'}`,
      [...path, ...unknown.at, unknown.key],
    );
  }
  return parsed.data;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function unknownKeys(raw: unknown, parsed: unknown, at: (string | number)[]): { at: (string | number)[]; key: string; known: string[] } | undefined {
  if (Array.isArray(raw) && Array.isArray(parsed) && raw.length === parsed.length) {
    for (const [i, item] of raw.entries()) {
      const found = unknownKeys(item, parsed[i], [...at, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlain(raw) || !isPlain(parsed)) return undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (!(key in parsed)) return { at, key, known: Object.keys(parsed).sort() };
    const found = unknownKeys(value, parsed[key], [...at, key]);
    if (found) return found;
  }
  return undefined;
}

/** The known key within edit distance 2 of `key`, if one is. */
function nearest(key: string, known: string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
