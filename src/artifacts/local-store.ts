/**
 * The local-filesystem artifact store (embedded default). An artifact's URI is an absolute
 * folder path. Every path here is below a store root, `<artifactRoot>/<storeId>` (see
 * bindStore in src/config.ts), so two metadata stores never share a folder. Below it:
 *
 *   <pipeline>/<node>/<output>/<artifactId>/        an artifact's files (`tsfx artifact 24` -> …/<output>/24)
 *   <pipeline>/<node>/.staging/<executionId>-<tag>/ one attempt's outputs before they move in
 *   <pipeline>/<node>/.commits/<executionId>.json   the claim of the attempt whose outputs move in
 *   <pipeline>/<node>/_shards/<executionId>/<i>/    a fanned-out execution's shard partials
 *   <pipeline>/<node>/_work/<executionId>/          what attempts of one execution hand on to the
 *                                                   next (the Trainer's checkpoints)
 *
 * Artifact ids are reserved before the executor runs (prepareNode), so the folders can carry
 * them; an execution's outputs then move in one rename each, after a claim (commit-claim.ts).
 * Stores made before this layout keep `<pipeline>/<node>/<executionId>/<output>/` URIs: every
 * artifact is read by its recorded URI, never by a path rebuilt from ids.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsfxError } from '../errors.js';

export function nodeDir(storeRoot: string, pipeline: string, nodeId: string): string {
  return path.join(storeRoot, pipeline, nodeId);
}

/**
 * What an execution's staging folders are named after (`.staging/<executionId>-*`, see
 * attempt-folders.ts); no folder of this name is made any more (older stores have one).
 */
export function executionDir(storeRoot: string, pipeline: string, nodeId: string, executionId: number): string {
  return path.join(nodeDir(storeRoot, pipeline, nodeId), String(executionId));
}

/** An artifact's folder, named by its id: `<pipeline>/<node>/<output>/<artifactId>`. */
export function artifactUri(storeRoot: string, pipeline: string, nodeId: string, output: string, artifactId: number): string {
  return path.join(nodeDir(storeRoot, pipeline, nodeId), output, String(artifactId));
}

/** The claim file the attempt whose outputs move in creates first (commit-claim.ts). */
export function claimPath(storeRoot: string, pipeline: string, nodeId: string, executionId: number): string {
  return path.join(nodeDir(storeRoot, pipeline, nodeId), '.commits', `${executionId}.json`);
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
