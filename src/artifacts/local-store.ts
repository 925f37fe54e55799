/**
 * The local-filesystem artifact store (embedded default). An artifact's URI is an absolute
 * folder path. Every path here is below a store root, `<artifactRoot>/<storeId>` (see
 * bindStore in src/config.ts), so two metadata stores never share a folder. Below it:
 *
 *   <pipeline>/<node>/<executionId>/<output>/      a published execution's outputs
 *   <pipeline>/<node>/.staging/<executionId>-<tag>/ one attempt's outputs before they move in
 *   <pipeline>/<node>/_shards/<executionId>/<i>/    a fanned-out execution's shard partials
 *   <pipeline>/<node>/_work/<executionId>/          what attempts of one execution hand on to the
 *                                                   next (the Trainer's checkpoints)
 *
 * One folder per execution holds all its outputs, so an attempt moves them into place with
 * one rename (see attempt-folders.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsfxError } from '../errors.js';

/** The folder all outputs of one execution move into together. */
export function executionDir(storeRoot: string, pipeline: string, nodeId: string, executionId: number): string {
  return path.join(storeRoot, pipeline, nodeId, String(executionId));
}

export function outputUri(storeRoot: string, pipeline: string, nodeId: string, executionId: number, output: string): string {
  return path.join(executionDir(storeRoot, pipeline, nodeId, executionId), output);
}

/** The local folder behind a URI; only local paths and file:// URLs are supported so far. */
export function localPath(uri: string): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (path.isAbsolute(uri)) return uri;
  throw new TsfxError(`artifact URI '${uri}' is not on the local filesystem (only local paths are supported)`);
}

export async function removeOutput(uri: string): Promise<void> {
  await fs.rm(localPath(uri), { recursive: true, force: true });
}

/** Whether an artifact's files are still there (the cache checks, not assumes). */
export async function artifactExists(uri: string): Promise<boolean> {
  try {
    await fs.access(localPath(uri));
    return true;
  } catch {
    return false;
  }
}

/**
 * A folder every attempt of one execution sees (ExecutorContext.workDir): a retried Trainer
 * resumes from the checkpoints its killed attempt left here. Removed once the node is published.
 */
export function workUri(storeRoot: string, pipeline: string, nodeId: string, executionId: number): string {
  return path.join(storeRoot, pipeline, nodeId, '_work', String(executionId));
}

/** Where the shards of a fanned-out execution keep their partial results until it is published. */
export function shardsUri(storeRoot: string, pipeline: string, nodeId: string, executionId: number): string {
  return path.join(storeRoot, pipeline, nodeId, '_shards', String(executionId));
}

/** Shard `index` of fan-out round `round`: `<i>` in the first round, `<round>.<i>` after it. */
export function shardUri(storeRoot: string, pipeline: string, nodeId: string, executionId: number, index: number, round = 0): string {
  return path.join(shardsUri(storeRoot, pipeline, nodeId, executionId), round ? `${round}.${index}` : String(index));
}
