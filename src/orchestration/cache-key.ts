/**
 * cache key = sha256 over the canonical JSON of everything that decides a node's outputs:
 * the pipeline, component name and version, params, input artifact ids, the driver's fingerprint of
 * external inputs, and the hash of user code the node runs.
 */
import { createHash } from 'node:crypto';

export interface CacheKeyParts {
  /**
   * The cache is scoped to the pipeline, as TFX scopes it: another pipeline's outputs are never
   * reused (they live under that pipeline's folder, and its gc need not know about this one).
   */
  pipeline: string;
  component: string;
  componentVersion: string;
  params: Record<string, unknown>;
  inputs: Record<string, number[]>;
  externalFingerprint?: string;
  userCodeHash?: string;
}

export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}
