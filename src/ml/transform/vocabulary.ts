/**
 * Vocabulary as TFT computes it (tft.vocabulary, its Beam implementation): count every token;
 * drop the empty token and tokens holding '\n' or '\r' (they cannot be written to TFT's text
 * vocabulary file); keep counts >= frequencyThreshold; order by count, largest first, ties by
 * the token's bytes, largest first (TFT sorts (count, token) pairs in reverse); keep the topK.
 * An empty result becomes TFT's one dummy token, so lookups still have a table.
 */
import type { ResultOf } from '../../../schemas/transform-graph.js';

/** The token TFT puts in a vocabulary that would otherwise be empty (analyzers.get_empy_vocabulary_dummy_value). */
export const EMPTY_VOCABULARY_DUMMY = '49d0cd50-04bb-48c0-bc6f-5b575dce351a';

type VocabResult = ResultOf<'vocabulary'>;

/**
 * Compares strings by their UTF-8 bytes (which is code point order). JS compares UTF-16 code
 * units, which differs only between a surrogate and U+E000..U+FFFF: remap those before comparing.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function writable(token: string): boolean {
  return token.length > 0 && !/[\n\r]/.test(token);
}

/** The vocabulary of token counts with the node's options applied. */
export function finalizeVocabulary(counts: ReadonlyMap<string, number>, opts: { topK?: number; frequencyThreshold?: number }): VocabResult {
  const threshold = opts.frequencyThreshold ?? 0;
  const kept: [string, number][] = [];
  for (const [token, count] of counts) if (writable(token) && count >= threshold) kept.push([token, count]);
  kept.sort((a, b) => b[1] - a[1] || compareUtf8(b[0], a[0]));
  const top = opts.topK === undefined ? kept : kept.slice(0, opts.topK);
  if (top.length === 0) return { op: 'vocabulary', tokens: [EMPTY_VOCABULARY_DUMMY], frequencies: [1], distinct: counts.size };
  return { op: 'vocabulary', tokens: top.map((t) => t[0]), frequencies: top.map((t) => t[1]), distinct: counts.size };
}

const indexes = new WeakMap<VocabResult, Map<string, number>>();

/** token -> id for a vocabulary result, built once per result object. */
export function vocabularyIndex(v: VocabResult): Map<string, number> {
  let m = indexes.get(v);
  if (!m) {
    m = new Map(v.tokens.map((t, i) => [t, i]));
    indexes.set(v, m);
  }
  return m;
}
