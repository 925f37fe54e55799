/**
 * Checks a traced spec against the Schema's features before anything runs: every raw feature
 * must exist and be used as its type allows (vocabulary needs a string feature, zScore a
 * numeric one). Returns the spec with each raw feature's kind bound, which outputFeatures needs
 * to type passthrough outputs.
 */
import { DefinitionError } from '../../errors.js';
import type { FeatureType } from '../../schema/schema-types.js';
import { nodeInputs, type RawKind, type TransformSpec } from '../../../schemas/transform-graph.js';

/** What the check needs of a Schema feature (a TFMD Feature has these fields). */
export interface SchemaFeature {
  name: string;
  type?: FeatureType;
}

const KIND_OF: Partial<Record<FeatureType, RawKind>> = { FLOAT: 'float', INT: 'int', BYTES: 'string' };

/** The output names whose expressions read node `ref` (for error messages). */
export function outputsUsing(spec: TransformSpec, ref: number): string[] {
  const reaches = new Map<number, boolean>();
  const walk = (i: number): boolean => {
    const known = reaches.get(i);
    if (known !== undefined) return known;
    const r = i === ref || nodeInputs(spec.nodes[i]!).some(walk);
    reaches.set(i, r);
    return r;
  };
  return Object.entries(spec.outputs)
    .filter(([, i]) => walk(i))
    .map(([name]) => name);
}

/**
 * Throws a DefinitionError naming the feature (and the outputs using it) when the Schema lacks
 * it or its type does not fit its use; otherwise returns a copy of the spec with `kind` set on
 * every feature node.
 */
export function checkSpecAgainstSchema(spec: TransformSpec, features: readonly SchemaFeature[]): TransformSpec {
  const byName = new Map(features.map((f) => [f.name, f]));
  const nodes = spec.nodes.map((n, i) => {
    if (n.op !== 'feature') return n;
    const where = () => {
      const users = outputsUsing(spec, i);
      return users.length ? ` (used by output${users.length > 1 ? 's' : ''} ${users.map((u) => `'${u}'`).join(', ')})` : '';
    };
    const feature = byName.get(n.name);
    if (!feature) throw new DefinitionError(`feature '${n.name}' is not in the schema${where()}`, ['preprocessing', n.name]);
    const kind = feature.type ? KIND_OF[feature.type] : undefined;
    if (!kind) throw new DefinitionError(`feature '${n.name}' has schema type ${feature.type ?? 'unset'}, which a transform cannot read${where()}`, ['preprocessing', n.name]);
    if (n.use === 'number' && kind === 'string') {
      throw new DefinitionError(`feature '${n.name}' is a string (BYTES) feature, but a numeric op uses it${where()}`, ['preprocessing', n.name]);
    }
    if (n.use === 'string' && kind !== 'string') {
      throw new DefinitionError(`feature '${n.name}' is a numeric (${feature.type}) feature, but a string op (vocabulary, hashStrings, cross) uses it${where()}`, ['preprocessing', n.name]);
    }
    return { ...n, kind };
  });
  return { ...spec, nodes };
}
