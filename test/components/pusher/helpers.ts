/** A real Model folder (tfjs LayersModel as fs-model-io writes it, signature, transform) and executor arguments around it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ExecutorArgs, InputArtifact } from '../../../src/dsl/component.js';
import { saveModel } from '../../../src/ml/fs-model-io.js';
import type { PusherParams, PusherSpec } from '../../../components/pusher/spec.js';

export const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `tsfx-${prefix}-`));

/** y = w x + b, saved with the files a Trainer's Model holds; `extraFiles` small files under transform/ make the copy slow. */
export async function modelFolder(dir: string, w = 2, b = 1, extraFiles = 0): Promise<string> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.setWeights([tf.tensor2d([[w]]), tf.tensor1d([b])]);
  await saveModel(model, dir);
  model.dispose();
  // a plain LayersModel folder (no signature.json: the server serves it as one) with a sub-folder,
  // so a push copies a tree as it does a Trainer's Model with its transform/
  fs.mkdirSync(path.join(dir, 'transform'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'transform', 'notes.txt'), 'a file in a sub-folder\n');
  for (let i = 0; i < extraFiles; i++) fs.writeFileSync(path.join(dir, 'transform', `vocab-${i}.txt`), `word${i}\n`.repeat(50));
  return dir;
}

export const artifact = <T extends 'Model' | 'ModelBlessing' | 'InfraBlessing'>(
  type: T,
  id: number,
  dir: string,
  properties: Record<string, unknown> = {},
): InputArtifact<T> => ({ id, type, uri: dir, path: dir, properties: properties as never });

export function executorArgs(
  inputs: ExecutorArgs<PusherSpec>['inputs'],
  params: PusherParams,
  opts: { executionId?: number; logs?: string[] } = {},
): ExecutorArgs<PusherSpec> {
  const out = tmp('pushed');
  return {
    inputs,
    outputs: { pushedModel: { type: 'PushedModel', uri: out, path: out } },
    params,
    resolved: undefined,
    ctx: {
      pipelineName: 'penguin',
      nodeId: 'Pusher',
      executionId: opts.executionId ?? 7,
      runId: 'run-1',
      pipelineRoot: out,
      workDir: path.join(out, '_work'),
      heartbeat: () => {},
      log: (m) => opts.logs?.push(m),
      signal: new AbortController().signal,
    },
  };
}
