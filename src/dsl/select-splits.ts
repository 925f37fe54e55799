/**
 * The splits a component covers, given TFX's `exclude_splits` param: every excluded name must
 * exist (a typo would otherwise silently cover everything), in the artifact's split order.
 */
import { DefinitionError } from '../errors.js';

export function selectSplits(splitNames: string[], excludeSplits: string[], what = 'the input'): string[] {
  for (const s of excludeSplits) {
    if (!splitNames.includes(s)) {
      throw new DefinitionError(`unknown split '${s}' (${what} has ${splitNames.join(', ')})`, ['params', 'excludeSplits']);
    }
  }
  return splitNames.filter((s) => !excludeSplits.includes(s));
}
