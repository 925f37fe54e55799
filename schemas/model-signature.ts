/**
 * A Model's signature (signature.json beside model.json): which raw features a request carries,
 * how the serving transform's outputs feed the model, and what its output means. The Trainer
 * writes it (components/trainer/signature.ts); serving and the browser read it with the serving
 * TransformGraph, so they need no user code. Free of Node APIs: the browser bundle parses it.
 */
import { z } from 'zod';
import { RawKind } from './transform-graph.js';

export const SIGNATURE_FORMAT = 'tsfx-model-signature/1';

/** A transformed feature the model reads: float32 values (`width` per example) or int32 ids. */
export const SignatureFeature = z.object({
  name: z.string().min(1),
  dtype: z.enum(['float32', 'int32']),
  width: z.number().int().positive(),
  /** ids of a vocabulary or hash feature: how many there are (an Embedding's inputDim) */
  cardinality: z.number().int().nonnegative().optional(),
});

export const SignatureLabel = z.object({
  name: z.string().min(1),
  task: z.enum(['binary', 'multiclass', 'regression']),
  /** class names in id order (the label vocabulary); output unit i is class i */
  classes: z.array(z.string()).optional(),
});

export const ModelSignature = z.object({
  format: z.literal(SIGNATURE_FORMAT),
  /** the raw features a request carries, as the Schema types them */
  rawInputs: z.array(z.object({ name: z.string().min(1), kind: RawKind })),
  /** the transform's outputs the model reads */
  transformedInputs: z.array(SignatureFeature),
  /** named: model input i is transformed feature names[i]; concat: one input, these features side by side */
  modelInputs: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('named'), names: z.array(z.string()) }),
    z.object({ kind: z.literal('concat'), features: z.array(z.string()) }),
  ]),
  label: SignatureLabel,
  output: z.object({ width: z.number().int().positive(), meaning: z.string() }),
});
export type ModelSignature = z.infer<typeof ModelSignature>;
