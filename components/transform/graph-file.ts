/**
 * The TransformGraph artifact's file: written by Transform, read by the Trainer (its feature
 * spec and label classes), copied into every Model, and applied by serving and the browser.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { TransformGraph } from '../../schemas/transform-graph.js';
import { DataError } from '../../src/errors.js';
import { TRANSFORM_GRAPH_FILE } from './spec.js';

export async function readTransformGraph(folder: string): Promise<TransformGraph> {
  const file = path.join(folder, TRANSFORM_GRAPH_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new DataError(`unreadable TransformGraph: ${(err as Error).message}`, file);
  }
  const parsed = TransformGraph.safeParse(json);
  if (!parsed.success) throw new DataError(`not a TransformGraph: ${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}`, file);
  return parsed.data;
}

export async function writeTransformGraph(folder: string, graph: TransformGraph): Promise<void> {
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(path.join(folder, TRANSFORM_GRAPH_FILE), JSON.stringify(graph));
}
