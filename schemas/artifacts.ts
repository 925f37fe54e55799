/**
 * The artifact type registry: every artifact type tsfx knows, with TFX's names and a zod
 * schema of its properties. Declared once here; the DSL, the metadata store and the
 * executors all read from this file. Free of Node APIs so workflow code may import it.
 */
import { z } from 'zod';

/** A feature column as stored in Examples shards (Arrow IPC). */
export const FeatureColumn = z.object({
  name: z.string(),
  /** tf.Example value kind: int64_list, float_list or bytes_list. */
  kind: z.enum(['int', 'float', 'bytes']),
  /** single: at most one value per example (a plain Arrow column); multi: an Arrow List column. */
  valency: z.enum(['single', 'multi']),
  /** Arrow type as printed by apache-arrow, e.g. `Int64`, `Float32`, `Utf8`, `List<Float32>`. */
  arrowType: z.string(),
});
export type FeatureColumn = z.infer<typeof FeatureColumn>;

const splitName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'split names are letters, digits, _ and -');

export const ExamplesProperties = z.object({
  splitNames: z.array(splitName).min(1),
  /** rows per split */
  rowCounts: z.record(z.string(), z.number().int().nonnegative()),
  /** shard file names per split, relative to `Split-<name>/` */
  shards: z.record(z.string(), z.array(z.string())),
  features: z.array(FeatureColumn),
  span: z.number().int().nonnegative().optional(),
  version: z.number().int().nonnegative().optional(),
  /** fingerprint of the input files (paths, sizes, mtimes) the Examples were made from */
  inputFingerprint: z.string().optional(),
  format: z.literal('arrow-ipc-file').default('arrow-ipc-file'),
});

const anyProps = z.record(z.string(), z.unknown());

/**
 * Artifact types, keyed by their TFX name. `properties` is what the publisher records on the
 * artifact row; executors return it and the adapter validates it.
 */
export const artifactTypes = {
  /** Split-aware Arrow IPC shards. @example `StatisticsGen({ examples: gen.outputs.examples })` */
  Examples: { properties: ExamplesProperties },
  /** DatasetFeatureStatisticsList per split. @example `SchemaGen({ statistics: stats.outputs.statistics })` */
  ExampleStatistics: { properties: z.object({ splitNames: z.array(splitName) }).passthrough() },
  /** TFMD Schema. @example `ExampleValidator({ statistics, schema: schemaGen.outputs.schema })` */
  Schema: { properties: anyProps },
  /** TFMD Anomalies per split. */
  ExampleAnomalies: { properties: z.object({ splitNames: z.array(splitName) }).passthrough() },
  /** Analyzer results and vocabularies of a traced preprocessing function. @example `Trainer({ examples: tf.outputs.transformedExamples, transformGraph: tf.outputs.transformGraph, ... })` */
  TransformGraph: { properties: anyProps },
  /** A trained model: tfjs LayersModel + signature + transform. @example `Evaluator({ model: trainer.outputs.model, ... })` */
  Model: { properties: anyProps },
  /** Training logs, history, checkpoints and TensorBoard event files. */
  ModelRun: { properties: anyProps },
  /** The best hyperparameters a Tuner found, with every trial's result. @example `Trainer({ hyperparameters: tuner.outputs.bestHyperparameters, ... })` */
  HyperParameters: {
    properties: z.object({ values: z.record(z.string(), z.unknown()) }).passthrough(),
  },
  /** Metrics per slice for the candidate and the baseline, and plot data. @example `tsfx show <id>` */
  ModelEvaluation: { properties: anyProps },
  /**
   * Whether a model passed the Evaluator's thresholds. `model` is the candidate Model's artifact
   * id (the Trainer's warm start and the Evaluator's baseline lookup follow it).
   * @example `Pusher({ model: trainer.outputs.model, blessing: evaluator.outputs.blessing, ... })`
   */
  ModelBlessing: { properties: z.object({ blessed: z.boolean(), model: z.number().int().optional() }).passthrough() },
  /** Whether a model loaded and answered in the serving code path (InfraValidator). @example `Pusher({ infraBlessing: infra.outputs.blessing, ... })` */
  InfraBlessing: { properties: z.object({ blessed: z.boolean() }).passthrough() },
  /** Where and as which version a model was pushed; `pushed` false with `reason` when it was not. */
  PushedModel: { properties: z.object({ pushed: z.boolean() }).passthrough() },
  /** Anything a pipeline brings in by hand (Importer) that has no richer type. */
  ExternalArtifact: { properties: anyProps },
} as const;

export type ArtifactTypeName = keyof typeof artifactTypes;
export const artifactTypeNames = Object.keys(artifactTypes) as ArtifactTypeName[];
export const ArtifactTypeName = z.enum(artifactTypeNames as [ArtifactTypeName, ...ArtifactTypeName[]]);

export type ArtifactProperties<T extends ArtifactTypeName> = z.infer<(typeof artifactTypes)[T]['properties']>;
export type ExamplesProperties = z.infer<typeof ExamplesProperties>;

/** Folder of split `split` inside an Examples (or per-split) artifact; throws on an unknown split. */
export function splitUri(uri: string, props: { splitNames: string[] }, split: string): string {
  if (!props.splitNames.includes(split)) {
    throw new Error(`unknown split '${split}' in artifact ${uri}; it has ${props.splitNames.join(', ')}`);
  }
  return `${uri.replace(/\/+$/, '')}/Split-${split}`;
}

/** Validate properties of a given type; the error names the type and the property path. */
export function parseArtifactProperties<T extends ArtifactTypeName>(type: T, value: unknown): ArtifactProperties<T> {
  const res = artifactTypes[type].properties.safeParse(value);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    throw new Error(`invalid ${type} properties at '${issue.path.join('.')}': ${issue.message}`);
  }
  return res.data as ArtifactProperties<T>;
}
