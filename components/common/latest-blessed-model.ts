/**
 * TFX's LatestBlessedModelStrategy, shared by every driver that needs "the pipeline's current
 * best model": the Trainer's warm start (base_model) and the Evaluator's baseline. Among the
 * Models some ModelBlessing with blessed = true names (its `model` property, an artifact id),
 * the one with the highest id wins: the newest model, not the newest blessing, as TFX sorts.
 * A model whose files are gone (garbage-collected) is passed over, and so is `exclude`: the
 * Evaluator's candidate must never be its own baseline (a re-evaluated, cached Trainer output
 * may already carry a blessing).
 */
import fs from 'node:fs/promises';
import type { ArtifactLookup, FoundArtifact } from '../../src/dsl/component.js';

/** The latest blessed Model of the pipeline (with the blessing that blessed it), or undefined. */
export async function latestBlessedModel(
  artifacts: ArtifactLookup,
  opts: { exclude?: number } = {},
): Promise<{ model: FoundArtifact<'Model'>; blessing: FoundArtifact<'ModelBlessing'> } | undefined> {
  const blessedBy = new Map<number, FoundArtifact<'ModelBlessing'>>();
  // newest first: the first blessing seen for a model is kept
  for (const b of await artifacts.list({ type: 'ModelBlessing' })) {
    const id = (b.properties as { model?: unknown }).model;
    if (b.properties.blessed !== true || typeof id !== 'number' || blessedBy.has(id)) continue;
    blessedBy.set(id, b);
  }
  const models = (await artifacts.list({ type: 'Model' })).filter((m) => blessedBy.has(m.id) && m.id !== opts.exclude);
  models.sort((a, b) => b.id - a.id);
  for (const model of models) {
    if (await fs.stat(model.path).then(() => true, () => false)) return { model, blessing: blessedBy.get(model.id)! };
  }
  return undefined;
}
