/**
 * Transform's driver: before any shard is read, the traced spec is checked against the Schema
 * (a missing feature, or vocabulary on a numeric column, fails here naming the feature, and
 * non-retryably), and the splits asked for must exist.
 */
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { Driver } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import { checkSpecAgainstSchema } from '../../src/ml/transform/index.js';
import { readSchemaArtifact } from '../schema-gen/read-schema.js';
import type { TransformSpec } from '../../schemas/transform-graph.js';
import type { TransformComponentSpec } from './spec.js';

/** What the executor runs with: the spec with each raw feature's kind bound by the Schema. */
export interface TransformResolved {
  spec: TransformSpec;
}

export const transformDriver: Driver<TransformComponentSpec, TransformResolved> = async ({ params, inputs }) => {
  const examples = inputs.examples[0]!;
  const props = examples.properties as ExamplesProperties;
  for (const [key, splits] of [['analyzeSplits', params.analyzeSplits], ['transformSplits', params.transformSplits ?? []]] as const) {
    for (const split of splits)
      if (!props.splitNames.includes(split))
        throw new DefinitionError(`split '${split}' is not in the Examples (it has ${props.splitNames.join(', ')})`, ['params', key]);
  }
  const schema = await readSchemaArtifact(inputs.schema[0]!.path);
  const spec = checkSpecAgainstSchema(params.preprocessing, schema.feature ?? []);
  // the spec is in the params (and so in the cache key) already; the Schema's part is its input id
  return { fingerprint: '', resolved: { spec } };
};
